import { describe, expect, it } from 'vitest';
import { BranchIndex, branchName, normalizeTaskId } from '../../../src/domain/tasks/branch-names.js';

describe('normalizeTaskId', () => {
  it.each([
    ['cli/connect-command', 'cli/connect-command'],
    ['Auth/Key_Loading', 'auth/key-loading'],
    ['fix  the   bug', 'fix-the-bug'],
    ['tabs\tand\nnewlines', 'tabs-and-newlines'],
    ['a__b', 'a-b'],
    ['v1.2/notes', 'v1.2/notes'],
    ['émoji 🚀 task', 'moji-task'],
    ['what?!', 'what'],
    ['--leading-and-trailing--', 'leading-and-trailing'],
    ['/slashes/', 'slashes'],
    ['-/-mixed-/-', 'mixed'],
    ['a@b#c', 'a-b-c'],
    ['!!!', ''],
  ])('%s -> %s', (id, expected) => {
    expect(normalizeTaskId(id)).toBe(expected);
  });

  it('prefixes branch names', () => {
    expect(branchName('cli/connect-command', 'feat/')).toBe('feat/cli/connect-command');
    expect(branchName('Setup Project', 'task/')).toBe('task/setup-project');
  });
});

describe('BranchIndex', () => {
  const index = new BranchIndex(
    ['cli/connect-command', 'Auth/Key_Loading', 'a_b', 'A-B', '!!!'],
    ['feat/', 'feat/agents/'],
  );

  it.each([
    ['exact', 'feat/cli/connect-command', { kind: 'task', taskId: 'cli/connect-command', prefix: 'feat/' }],
    ['through normalization', 'feat/auth/key-loading', { kind: 'task', taskId: 'Auth/Key_Loading' }],
    [
      'longest prefix first',
      'feat/agents/cli/connect-command',
      { kind: 'task', taskId: 'cli/connect-command', prefix: 'feat/agents/' },
    ],
    ['two ids, one branch: never guess', 'feat/a-b', { kind: 'ambiguous', taskIds: ['A-B', 'a_b'] }],
    ['unknown task', 'feat/unknown', { kind: 'none' }],
    ['no prefix', 'cli/connect-command', { kind: 'none' }],
    ['the branch is not normalized again', 'feat/Auth/Key_Loading', { kind: 'none' }],
    ['an id that normalizes to nothing has no branch', 'feat/', { kind: 'none' }],
  ])('%s', (_intent, branch, expected) => {
    expect(index.lookup(branch)).toMatchObject(expected);
  });

  it('reports collisions', () => {
    expect([...index.collisions()]).toEqual([['a-b', ['A-B', 'a_b']]]);
  });
});
