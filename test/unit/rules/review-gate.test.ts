/** The review gate, counted as GitHub counts approvals; and CODEOWNERS patterns. */
import { describe, expect, it } from 'vitest';
import type { ReviewRule } from '../../../src/domain/rules/branch-rules.js';
import { type PullReview, parseCodeowners, reviewVerdict } from '../../../src/domain/rules/review-gate.js';

const HEAD = 'h'.repeat(40);
const OLD = 'o'.repeat(40);
const rule = (fields: Partial<ReviewRule> = {}): ReviewRule => ({
  count: 1,
  dismissStale: false,
  codeOwners: false,
  source: 'branch protection of `main`',
  ...fields,
});
const review = (user: string, state: PullReview['state'], commitId = HEAD, canWrite = true): PullReview => ({
  user,
  state,
  commitId,
  canWrite,
});

describe('reviewVerdict', () => {
  it.each<[string, PullReview[], Partial<ReviewRule>, string]>([
    [
      'no review',
      [],
      {},
      'needs 1 more approving review from someone with write access (branch protection of `main`)',
    ],
    ['one approval', [review('ana', 'APPROVED')], {}, 'met (1)'],
    [
      'an approval from someone without write access does not count',
      [review('zed', 'APPROVED', HEAD, false)],
      {},
      'needs 1 more approving review from someone with write access (branch protection of `main`)',
    ],
    [
      'the latest review per reviewer counts',
      [review('ana', 'APPROVED'), review('ana', 'CHANGES_REQUESTED')],
      {},
      'changes requested by @ana',
    ],
    [
      'a later comment does not replace an approval',
      [review('ana', 'APPROVED'), review('ana', 'COMMENTED')],
      {},
      'met (1)',
    ],
    [
      'a dismissed review counts for nothing',
      [review('ana', 'DISMISSED')],
      {},
      'needs 1 more approving review from someone with write access (branch protection of `main`)',
    ],
    ['a stale approval counts without stale dismissal', [review('ana', 'APPROVED', OLD)], {}, 'met (1)'],
    [
      '... and not with it',
      [review('ana', 'APPROVED', OLD)],
      { dismissStale: true },
      'needs 1 more approving review on the current head from someone with write access (branch protection of `main`)',
    ],
    ['two required', [review('ana', 'APPROVED'), review('ben', 'APPROVED')], { count: 2 }, 'met (2)'],
    [
      'a reader requesting changes does not block',
      [review('ana', 'APPROVED'), review('zed', 'CHANGES_REQUESTED', HEAD, false)],
      {},
      'met (1)',
    ],
  ])('%s', (_name, reviews, fields, expected) => {
    const verdict = reviewVerdict({ reviews, headSha: HEAD, rule: rule(fields) });
    expect(verdict.met ? `met (${verdict.approvals})` : verdict.missing).toBe(expected);
  });

  it('with code owner reviews, each owned path needs an approval from one of its owners', () => {
    const owners = [['@ana'], [], ['@ben', '@cid']];
    const met = reviewVerdict({
      reviews: [review('ana', 'APPROVED'), review('cid', 'APPROVED')],
      headSha: HEAD,
      rule: rule({ codeOwners: true }),
      owners,
    });
    expect(met.met).toBe(true);
    const missing = reviewVerdict({
      reviews: [review('ana', 'APPROVED')],
      headSha: HEAD,
      rule: rule({ codeOwners: true }),
      owners,
    });
    expect(missing).toEqual({
      met: false,
      missing: 'needs an approving review from a code owner (@ben, @cid)',
    });
  });
});

describe('parseCodeowners', () => {
  const owner = parseCodeowners(
    [
      '# owners',
      '*       @all',
      '*.ts    @ts-owner',
      '/docs/  @docs',
      'src/api/** @api @lead',
      'build/ # no owner',
    ].join('\n'),
  );
  it.each([
    ['README.md', ['@all']],
    ['src/x.ts', ['@ts-owner']],
    ['deep/nested/y.ts', ['@ts-owner']],
    ['docs/guide.md', ['@docs']],
    ['src/api/v1/z.go', ['@api', '@lead']],
    ['build/out.bin', []],
    ['nested/docs/a.md', ['@all']],
  ])('%s is owned by %j (the last matching line wins)', (path, expected) => {
    expect(owner(path)).toEqual(expected);
  });
});
