/**
 * What the rules of a base branch mean for the app: which checks it waits for, whether it may push
 * at all, whether status commits go straight or through staging, and the words of the fix.
 */
import { describe, expect, it } from 'vitest';
import {
  type BaseRules,
  basePolicy,
  type ClassicRules,
  type RulesetRules,
  statusRoute,
} from '../../../src/domain/rules/branch-rules.js';
import { explainRefusal } from '../../../src/domain/rules/refusals.js';

const APP = { slug: 'taskgraph-coordinator', branch: 'main' };
const classic = (fields: Partial<ClassicRules> = {}): ClassicRules => ({
  requiredChecks: [],
  reviews: null,
  pushApps: null,
  linearHistory: false,
  complete: true,
  ...fields,
});
const ruleset = (fields: Partial<RulesetRules> = {}): RulesetRules => ({
  id: 1,
  name: 'Protect main',
  bypass: 'never',
  requiredChecks: [],
  pullRequest: null,
  linearHistory: false,
  nonFastForward: false,
  ...fields,
});
const pr = { count: 1, dismissStale: false, codeOwners: false };

describe('basePolicy', () => {
  it.each<
    [string, BaseRules, { route: string; blockers: string[]; checks: string[]; reviews: string | null }]
  >([
    [
      'no rules',
      { classic: null, rulesets: [] },
      { route: 'direct', blockers: [], checks: [], reviews: null },
    ],
    [
      'classic required checks: status commits through staging (apps cannot skip them)',
      {
        classic: classic({
          requiredChecks: [
            { context: 'ci', appId: null },
            { context: 'Merge order', appId: 1 },
          ],
        }),
        rulesets: [],
      },
      { route: 'staging', blockers: [], checks: ['ci', 'Merge order'], reviews: null },
    ],
    [
      'classic required PR without the app in the allowances: refused',
      { classic: classic({ reviews: { ...pr, bypassApps: [] } }), rulesets: [] },
      {
        route: 'refused',
        blockers: ['branch protection of `main`: "Require a pull request before merging"'],
        checks: [],
        reviews: '1 by branch protection of `main`',
      },
    ],
    [
      'classic required PR with the app in the allowances, and checks',
      {
        classic: classic({
          requiredChecks: [{ context: 'ci', appId: null }],
          reviews: { ...pr, bypassApps: ['taskgraph-coordinator'] },
        }),
        rulesets: [],
      },
      { route: 'staging', blockers: [], checks: ['ci'], reviews: '1 by branch protection of `main`' },
    ],
    [
      'a ruleset the app bypasses: still waits for its checks, but may push straight',
      {
        classic: null,
        rulesets: [
          ruleset({ bypass: 'always', requiredChecks: [{ context: 'ci', appId: null }], pullRequest: pr }),
        ],
      },
      { route: 'direct', blockers: [], checks: ['ci'], reviews: '1 by ruleset "Protect main"' },
    ],
    [
      'a ruleset the app may bypass only on PRs: refused',
      { classic: null, rulesets: [ruleset({ bypass: 'pull_requests_only', pullRequest: pr })] },
      {
        route: 'refused',
        blockers: ['ruleset "Protect main": "Require a pull request before merging"'],
        checks: [],
        reviews: '1 by ruleset "Protect main"',
      },
    ],
    [
      'the strictest review rule wins across sources',
      {
        classic: classic({
          reviews: { count: 1, dismissStale: false, codeOwners: true, bypassApps: ['taskgraph-coordinator'] },
        }),
        rulesets: [
          ruleset({ bypass: 'always', pullRequest: { count: 2, dismissStale: true, codeOwners: false } }),
        ],
      },
      {
        route: 'direct',
        blockers: [],
        checks: [],
        reviews: '2 by branch protection of `main` and ruleset "Protect main"',
      },
    ],
  ])('%s', (_name, rules, expected) => {
    const policy = basePolicy(rules, APP);
    expect({
      route: statusRoute(policy),
      blockers: policy.pushBlockers.map((b) => b.setting),
      checks: policy.requiredChecks.map((c) => c.context),
      reviews: policy.reviews ? `${policy.reviews.count} by ${policy.reviews.source}` : null,
    }).toEqual(expected);
  });

  it('says what it could not read without administration: read', () => {
    const policy = basePolicy(
      {
        classic: classic({ complete: false, requiredChecks: [{ context: 'ci', appId: null }] }),
        rulesets: [],
      },
      APP,
    );
    expect(policy.notes).toEqual([
      'The app could read only the required checks of the branch protection of `main` (grant it **Administration: read** to see required reviews and push restrictions).',
    ]);
  });

  it('names the fix for each blocker, with the word bypass where that is the fix', () => {
    const policy = basePolicy(
      {
        classic: classic({ pushApps: [], linearHistory: true }),
        rulesets: [ruleset({ pullRequest: pr, linearHistory: true })],
      },
      APP,
    );
    expect(policy.pushBlockers.map((b) => b.fix)).toEqual([
      'add the app `taskgraph-coordinator` to the people, teams or apps with push access (`restrictions.apps`)',
      'add the app `taskgraph-coordinator` to the bypass list of ruleset "Protect main" (Settings → Rules → Rulesets → Protect main → Bypass list → Add bypass → Apps, mode "Always allow")',
    ]);
    expect(policy.mergeCommitBlockers.map((b) => b.setting)).toEqual([
      'branch protection of `main`: "Require linear history"',
      'ruleset "Protect main": "Require linear history"',
    ]);
  });
});

describe('explainRefusal', () => {
  const policy = basePolicy({ classic: classic({ reviews: { ...pr, bypassApps: [] } }), rulesets: [] }, APP);
  const context = { policy, slug: APP.slug, where: '`main`' };
  it.each([
    [
      403,
      'refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission',
      'workflows',
      'Workflows: write',
    ],
    [
      422,
      'Protected branch update failed for refs/heads/main.\n\nChanges must be made through a pull request.',
      'pull-request',
      'bypass_pull_request_allowances.apps',
    ],
    [
      422,
      'Repository rule violations found\n\nRequired status check "ci" is expected.\n',
      'checks',
      'coordinator/staging',
    ],
    [
      422,
      "Protected branch update failed for refs/heads/main.\n\nYou're not authorized to push to this branch.",
      'restrictions',
      'push',
    ],
    [
      422,
      'Protected branch update failed for refs/heads/main.\n\nThis branch must not contain merge commits.',
      'linear-history',
      'squash',
    ],
    [403, 'Resource not accessible by integration', 'permission', 'permissions'],
  ])('%i %s -> %s', (status, message, kind, words) => {
    const refusal = explainRefusal({ status, message }, context);
    expect(refusal.kind).toBe(kind);
    expect(refusal.text).toContain(words);
    expect(refusal.text).toContain(`GitHub answered ${status}`);
  });
});
