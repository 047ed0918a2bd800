/**
 * The stand-in's model of GitHub's branch rules: which rule refuses which update, for whom, with
 * GitHub's status and wording. Pure: no git, no HTTP.
 */
import { describe, expect, it } from 'vitest';
import {
  type Attempt,
  bypassOf,
  type ClassicProtection,
  evaluate,
  normalizeProtection,
  normalizeRuleset,
  type RuleActor,
  type Ruleset,
  refMatches,
} from '../../sim/rules.js';

const APP: RuleActor = {
  kind: 'app',
  login: 'taskgraph-coordinator[bot]',
  appId: 1,
  slug: 'taskgraph-coordinator',
  role: 'write',
};
const MAINTAINER: RuleActor = { kind: 'user', login: 'maintainer', role: 'maintain' };
const ADMIN: RuleActor = { kind: 'user', login: 'owner', role: 'admin' };

const green = [
  { context: 'ci', appId: 99, passed: true },
  { context: 'Merge order', appId: 1, passed: true },
];

function attempt(fields: Partial<Attempt> = {}): Attempt {
  return {
    branch: 'main',
    defaultBranch: 'main',
    actor: APP,
    via: 'push',
    oldSha: 'a'.repeat(40),
    newSha: 'b'.repeat(40),
    fastForward: true,
    addsMergeCommit: false,
    checks: green,
    ...fields,
  };
}

const reviews = (approvals: number, changesRequested: string[] = [], codeOwners = true) => ({
  approvals: () => approvals,
  changesRequested,
  codeOwnersApproved: () => codeOwners,
});

const protect = (body: Record<string, unknown>): ClassicProtection =>
  normalizeProtection({
    required_status_checks: null,
    enforce_admins: null,
    required_pull_request_reviews: null,
    restrictions: null,
    ...body,
  });

const checksRequired = (contexts: string[], strict = false) => ({
  required_status_checks: { strict, contexts: [], checks: contexts.map((context) => ({ context })) },
});

const ruleset = (fields: Record<string, unknown>): Ruleset =>
  normalizeRuleset(
    {
      name: 'main rules',
      enforcement: 'active',
      conditions: { ref_name: { include: ['~DEFAULT_BRANCH'], exclude: [] } },
      ...fields,
    },
    7,
    '2026-06-02T00:00:00Z',
  );

const verdict = (v: ReturnType<typeof evaluate>) =>
  v.ok ? 'ok' : `${v.status} ${v.message.trim().split('\n').filter(Boolean).join(' | ')}`;

describe('classic branch protection', () => {
  it.each<[string, ClassicProtection, Partial<Attempt>, string]>([
    ['required checks all green: accepted', protect(checksRequired(['ci', 'Merge order'])), {}, 'ok'],
    [
      'one required check missing',
      protect(checksRequired(['ci'])),
      { checks: [] },
      '422 Protected branch update failed for refs/heads/main. | Required status check "ci" is expected.',
    ],
    [
      'two of two missing',
      protect(checksRequired(['ci', 'Merge order'])),
      { checks: [{ context: 'ci', appId: 99, passed: false }] },
      '422 Protected branch update failed for refs/heads/main. | 2 of 2 required status checks are expected.',
    ],
    [
      'a check required from one app is not met by another app',
      protect({
        required_status_checks: {
          strict: false,
          contexts: [],
          checks: [{ context: 'Merge order', app_id: 1 }],
        },
      }),
      { checks: [{ context: 'Merge order', appId: 42, passed: true }] },
      '422 Protected branch update failed for refs/heads/main. | Required status check "Merge order" is expected.',
    ],
    [
      'a required pull request refuses a push by the app without bypass',
      protect({ required_pull_request_reviews: { required_approving_review_count: 1 } }),
      {},
      '422 Protected branch update failed for refs/heads/main. | Changes must be made through a pull request.',
    ],
    [
      'the app in bypass_pull_request_allowances may push',
      protect({
        required_pull_request_reviews: {
          required_approving_review_count: 1,
          bypass_pull_request_allowances: { apps: ['taskgraph-coordinator'] },
        },
      }),
      {},
      'ok',
    ],
    [
      'bypass of the pull request rule does not skip required checks',
      protect({
        ...checksRequired(['ci']),
        required_pull_request_reviews: {
          bypass_pull_request_allowances: { apps: ['taskgraph-coordinator'] },
        },
      }),
      { checks: [] },
      '422 Protected branch update failed for refs/heads/main. | Required status check "ci" is expected.',
    ],
    [
      'restrictions without the app refuse it',
      protect({ restrictions: { users: ['maintainer'], teams: [], apps: [] } }),
      {},
      "422 Protected branch update failed for refs/heads/main. | You're not authorized to push to this branch.",
    ],
    [
      'restrictions naming the app let it push',
      protect({ restrictions: { users: [], teams: [], apps: ['taskgraph-coordinator'] } }),
      {},
      'ok',
    ],
    [
      'linear history refuses merge commits',
      protect({ required_linear_history: true }),
      { addsMergeCommit: true },
      '422 Protected branch update failed for refs/heads/main. | This branch must not contain merge commits.',
    ],
    [
      'no force pushes by default',
      protect({}),
      { fastForward: false },
      '422 Protected branch update failed for refs/heads/main. | Cannot force-push to this branch.',
    ],
    ['force pushes when allowed', protect({ allow_force_pushes: true }), { fastForward: false }, 'ok'],
    [
      'no deletion by default',
      protect({}),
      { newSha: null },
      '422 Protected branch update failed for refs/heads/main. | Cannot delete this protected branch.',
    ],
    [
      'admins are exempt unless enforce_admins',
      protect(checksRequired(['ci'])),
      { actor: ADMIN, checks: [] },
      'ok',
    ],
    [
      'enforce_admins holds admins too',
      protect({ ...checksRequired(['ci']), enforce_admins: true }),
      { actor: ADMIN, checks: [] },
      '422 Protected branch update failed for refs/heads/main. | Required status check "ci" is expected.',
    ],
    [
      'a PR merge needs the approvals',
      protect({ required_pull_request_reviews: { required_approving_review_count: 2 } }),
      { via: 'merge-pull', reviews: reviews(1) },
      '405 At least 2 approving reviews are required by reviewers with write access.',
    ],
    [
      'a change request blocks a PR merge',
      protect({ required_pull_request_reviews: { required_approving_review_count: 1 } }),
      { via: 'merge-pull', reviews: reviews(3, ['maintainer']) },
      '405 Changes requested by reviewers with write access.',
    ],
    [
      'code owners must approve when required',
      protect({
        required_pull_request_reviews: {
          required_approving_review_count: 1,
          require_code_owner_reviews: true,
        },
      }),
      { via: 'merge-pull', reviews: reviews(1, [], false) },
      '405 Waiting on code owner review.',
    ],
    [
      'strict checks refuse a PR that is behind',
      protect(checksRequired(['ci'], true)),
      { via: 'merge-pull', upToDate: false },
      '405 Head branch is out of date. Update the branch and try again.',
    ],
    [
      'a PR with approvals and green checks merges',
      protect({
        ...checksRequired(['ci']),
        required_pull_request_reviews: { required_approving_review_count: 1 },
      }),
      { via: 'merge-pull', reviews: reviews(1), upToDate: true },
      'ok',
    ],
  ])('%s', (_name, protection, fields, expected) => {
    expect(verdict(evaluate(protection, [], attempt(fields)))).toBe(expected);
  });
});

describe('rulesets', () => {
  const prRule = {
    type: 'pull_request',
    parameters: {
      required_approving_review_count: 1,
      dismiss_stale_reviews_on_push: true,
      require_code_owner_review: false,
      require_last_push_approval: false,
      required_review_thread_resolution: false,
    },
  };
  const checksRule = {
    type: 'required_status_checks',
    parameters: {
      strict_required_status_checks_policy: false,
      required_status_checks: [{ context: 'ci' }, { context: 'Merge order', integration_id: 1 }],
    },
  };
  it.each<[string, Ruleset[], Partial<Attempt>, string]>([
    [
      'a pull request rule refuses a push',
      [ruleset({ rules: [prRule] })],
      {},
      '422 Repository rule violations found | Changes must be made through a pull request.',
    ],
    [
      'violations of one ruleset are listed together',
      [ruleset({ rules: [prRule, checksRule] })],
      { checks: [] },
      '422 Repository rule violations found | Changes must be made through a pull request. | Required status check "ci" is expected. | Required status check "Merge order" is expected.',
    ],
    [
      'an Integration bypass actor with mode always skips the ruleset',
      [
        ruleset({
          rules: [prRule, checksRule],
          bypass_actors: [{ actor_id: 1, actor_type: 'Integration', bypass_mode: 'always' }],
        }),
      ],
      { checks: [] },
      'ok',
    ],
    [
      'a bypass in one ruleset does not carry to another',
      [
        ruleset({
          rules: [prRule],
          bypass_actors: [{ actor_id: 1, actor_type: 'Integration', bypass_mode: 'always' }],
        }),
        normalizeRuleset(
          {
            name: 'checks',
            enforcement: 'active',
            conditions: { ref_name: { include: ['~ALL'] } },
            rules: [checksRule],
          },
          8,
          '',
        ),
      ],
      { checks: [] },
      '422 Repository rule violations found | Required status check "ci" is expected. | Required status check "Merge order" is expected.',
    ],
    [
      'bypass mode pull_request does not cover pushes',
      [
        ruleset({
          rules: [prRule],
          bypass_actors: [{ actor_id: 1, actor_type: 'Integration', bypass_mode: 'pull_request' }],
        }),
      ],
      {},
      '422 Repository rule violations found | Changes must be made through a pull request.',
    ],
    [
      'an evaluate-mode ruleset refuses nothing',
      [ruleset({ rules: [prRule], enforcement: 'evaluate' })],
      {},
      'ok',
    ],
    [
      'a ruleset on another branch refuses nothing',
      [ruleset({ rules: [prRule] })],
      { branch: 'coordinator/staging' },
      'ok',
    ],
    [
      'non_fast_forward',
      [ruleset({ rules: [{ type: 'non_fast_forward' }] })],
      { fastForward: false },
      '422 Repository rule violations found | Cannot force-push to this branch',
    ],
    [
      'deletion',
      [ruleset({ rules: [{ type: 'deletion' }] })],
      { newSha: null },
      '422 Repository rule violations found | Cannot delete this branch',
    ],
    [
      'required_linear_history',
      [ruleset({ rules: [{ type: 'required_linear_history' }] })],
      { addsMergeCommit: true },
      '422 Repository rule violations found | This branch must not contain merge commits.',
    ],
    [
      'a PR merge meets the pull request rule with an approval',
      [ruleset({ rules: [prRule, checksRule] })],
      { via: 'merge-pull', reviews: reviews(1) },
      'ok',
    ],
    [
      'a repository admin role bypass covers admins',
      [
        ruleset({
          rules: [prRule],
          bypass_actors: [{ actor_id: 5, actor_type: 'RepositoryRole', bypass_mode: 'always' }],
        }),
      ],
      { actor: ADMIN },
      'ok',
    ],
    [
      '... but not maintainers',
      [
        ruleset({
          rules: [prRule],
          bypass_actors: [{ actor_id: 5, actor_type: 'RepositoryRole', bypass_mode: 'always' }],
        }),
      ],
      { actor: MAINTAINER },
      '422 Repository rule violations found | Changes must be made through a pull request.',
    ],
  ])('%s', (_name, rulesets, fields, expected) => {
    expect(verdict(evaluate(null, rulesets, attempt(fields)))).toBe(expected);
  });

  it.each([
    [['~ALL'], [], 'feat/x', true],
    [['~DEFAULT_BRANCH'], [], 'main', true],
    [['~DEFAULT_BRANCH'], [], 'dev', false],
    [['refs/heads/release/*'], [], 'release/1.0', true],
    [['refs/heads/release/*'], [], 'release/1.0/hotfix', false],
    [['refs/heads/**'], ['refs/heads/coordinator/**'], 'coordinator/staging', false],
    [['main'], [], 'main', true],
  ])('ref_name include %j exclude %j matches %s: %s', (include, exclude, branch, expected) => {
    expect(refMatches({ include, exclude }, branch, 'main')).toBe(expected);
  });

  it('reports current_user_can_bypass per actor', () => {
    const r = ruleset({
      rules: [prRule],
      bypass_actors: [
        { actor_id: 1, actor_type: 'Integration', bypass_mode: 'always' },
        { actor_id: 2, actor_type: 'RepositoryRole', bypass_mode: 'pull_request' },
      ],
    });
    expect(bypassOf(r, APP)).toBe('always');
    expect(bypassOf(r, MAINTAINER)).toBe('pull_requests_only');
    expect(bypassOf(r, { kind: 'app', login: 'other[bot]', appId: 5, slug: 'other', role: 'write' })).toBe(
      'never',
    );
  });

  it('refuses a protection body without the four required keys, as GitHub does', () => {
    expect(() => normalizeProtection({ required_status_checks: null })).toThrow(
      '"enforce_admins" wasn\'t supplied',
    );
    expect(() => normalizeRuleset({ name: 'x', enforcement: 'on' }, 1, '')).toThrow('enforcement');
    expect(() =>
      normalizeRuleset({ name: 'x', enforcement: 'active', rules: [{ type: 'bogus' }] }, 1, ''),
    ).toThrow("Invalid rule 'bogus'");
  });
});
