import { describe, expect, it } from 'vitest';
import { labelEdit, priorityFromLabels, priorityLabel } from '../../../src/domain/commands/labels.js';

const MERGE = 'coordinator: merge';
const HOLD = 'coordinator: hold';

describe('labelEdit', () => {
  it.each<[string, Parameters<typeof labelEdit>, { add: string[]; remove: string[] }]>([
    ['merge queues a bare PR', ['merge', []], { add: [MERGE], remove: [] }],
    ['merge lifts a hold', ['merge', [HOLD]], { add: [MERGE], remove: [HOLD] }],
    ['merge on a queued PR changes nothing', ['merge', [MERGE, 'bug']], { add: [], remove: [] }],
    ['dequeue takes a queued PR out', ['dequeue', [MERGE]], { add: [HOLD], remove: [MERGE] }],
    ['hold', ['hold', []], { add: [HOLD], remove: [] }],
    ['hold twice changes nothing', ['hold', [HOLD]], { add: [], remove: [] }],
    ['unhold', ['unhold', [HOLD, MERGE]], { add: [], remove: [HOLD] }],
    ['unhold without a hold changes nothing', ['unhold', []], { add: [], remove: [] }],
    [
      'priority replaces another priority label',
      ['priority', ['coordinator: priority low'], { named: 'high' }],
      { add: ['coordinator: priority high'], remove: ['coordinator: priority low'] },
    ],
    [
      'priority normal removes every priority label',
      ['priority', ['coordinator: priority 3', 'x'], { named: 'normal' }],
      { add: [], remove: ['coordinator: priority 3'] },
    ],
    [
      'an integer priority',
      ['priority', [], { value: -2 }],
      { add: ['coordinator: priority -2'], remove: [] },
    ],
  ])('%s', (_intent, args, expected) => {
    expect(labelEdit(...args)).toEqual(expected);
  });
});

describe('priority labels', () => {
  it.each<[string[], number | null]>([
    [[], null],
    [['coordinator: priority high'], 1],
    [['coordinator: priority low'], -1],
    [['coordinator: priority 7', 'coordinator: priority high'], 7],
    [['Coordinator: Priority HIGH'], 1],
    [['coordinator: priority soon'], null],
    [['priority high'], null],
  ])('%j gives %s', (labels, expected) => {
    expect(priorityFromLabels(labels)).toBe(expected);
  });

  it('round-trips every priority through its label', () => {
    for (const p of [{ named: 'high' }, { named: 'low' }, { value: 12 }, { value: -3 }] as const) {
      const label = priorityLabel(p) as string;
      expect(priorityFromLabels([label])).toBe('named' in p ? (p.named === 'high' ? 1 : -1) : p.value);
    }
    expect(priorityLabel({ named: 'normal' })).toBeNull();
    expect(priorityLabel({ value: 0 })).toBeNull();
  });
});
