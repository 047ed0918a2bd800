import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../../src/coordinator/backoff.js';

describe('backoffMs', () => {
  it.each([
    ['first retry, top of the jitter range', 1, 0.999, 0, 1_998],
    ['doubles per attempt', 3, 0.5, 0, 4_000],
    ['full jitter can be zero', 5, 0, 0, 0],
    ['never shorter than retry-after', 1, 0.1, 60_000, 60_000],
    ['capped at ten minutes', 30, 0.999, 0, 599_400],
  ])('%s', (_intent, attempt, random, atLeast, expected) => {
    expect(backoffMs(attempt, random, atLeast)).toBe(expected);
  });
});
