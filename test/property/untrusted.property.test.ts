/**
 * Untrusted text never breaks a parser: real task files and comments, mutated with the tokens and
 * shapes that break YAML, Markdown and regex-based parsers (long runs of one character, alias
 * ladders, stray fences), go through every parser without an exception (fast-check).
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import {
  type Mutation,
  mutate,
  REAL_COMMENTS,
  REPEATED,
  realTaskFiles,
  TOKENS,
} from '../../bench/mutations.js';
import { parseUntrusted } from '../../bench/untrusted-parsers.js';
import { TASKGRAPHS_DIR } from '../helpers/task-files.js';

const files = realTaskFiles(TASKGRAPHS_DIR);
const at = fc.nat(4_000);
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('insert' as const), at, token: fc.constantFrom(...TOKENS) }),
  fc.record({ kind: fc.constant('insert' as const), at, token: fc.string({ maxLength: 8 }) }),
  fc.record({
    kind: fc.constant('repeat' as const),
    at,
    char: fc.constantFrom(...REPEATED),
    count: fc.integer({ min: 1, max: 3_000 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at, length: fc.nat(400) }),
  fc.record({ kind: fc.constant('duplicate' as const), at, length: fc.nat(400) }),
  fc.record({ kind: fc.constant('aliases' as const), at, depth: fc.integer({ min: 1, max: 9 }) }),
);

describe('untrusted input', () => {
  it(`mutated real task files (${files.length} of them) never make a parser throw`, () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...files),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (file, mutations) => {
          parseUntrusted(mutate(file.text, mutations), file.path);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('mutated real comments never make a parser throw', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...REAL_COMMENTS),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (comment, mutations) => {
          parseUntrusted(mutate(comment, mutations));
        },
      ),
      { numRuns: 200 },
    );
  });
});
