/**
 * GitHub's branch rules as the stand-in enforces them: classic branch protection (`PUT
 * /repos/{o}/{r}/branches/{b}/protection`) and repository rulesets (`POST /repos/{o}/{r}/rulesets`),
 * evaluated for every ref update, merge and PR merge on a branch they cover. This module is pure:
 * the hub gathers the facts (checks on the new head, reviews, who is pushing) and asks here what
 * GitHub would refuse, with GitHub's wording.
 *
 * Sources: docs.github.com "About protected branches", "About rulesets", "Available rules for
 * rulesets", the OpenAPI description of the routes above, and ../shared/PLATFORM-NOTES.md
 * ("Branch protection and rulesets"). Where GitHub's exact text is not documented, the messages are
 * the ones users report (`Required status check "ci" is expected.`, `Changes must be made through a
 * pull request.`, `Repository rule violations found`).
 */
import picomatch from 'picomatch';

/** Classic branch protection, normalized from the PUT body. */
export interface ClassicProtection {
  readonly requiredStatusChecks: {
    readonly strict: boolean;
    /** `app_id` null: any source (a context from `contexts`, or `app_id: -1`). */
    readonly checks: readonly { readonly context: string; readonly appId: number | null }[];
  } | null;
  readonly enforceAdmins: boolean;
  readonly requiredReviews: {
    readonly count: number;
    readonly dismissStale: boolean;
    readonly codeOwners: boolean;
    readonly bypass: { readonly users: readonly string[]; readonly apps: readonly string[] };
  } | null;
  /** Who may push at all (null: anyone with write access). */
  readonly restrictions: { readonly users: readonly string[]; readonly apps: readonly string[] } | null;
  readonly linearHistory: boolean;
  readonly allowForcePushes: boolean;
  readonly allowDeletions: boolean;
}

export type RuleType =
  | 'pull_request'
  | 'required_status_checks'
  | 'non_fast_forward'
  | 'required_linear_history'
  | 'deletion'
  | 'creation'
  | 'update';

export interface RulesetRule {
  readonly type: RuleType;
  readonly parameters?: Record<string, unknown>;
}

export interface BypassActor {
  readonly actor_id: number | null;
  readonly actor_type: 'Integration' | 'OrganizationAdmin' | 'RepositoryRole' | 'Team' | 'DeployKey' | 'User';
  readonly bypass_mode: 'always' | 'pull_request' | 'exempt';
}

export interface Ruleset {
  readonly id: number;
  readonly name: string;
  readonly enforcement: 'active' | 'evaluate' | 'disabled';
  readonly bypassActors: readonly BypassActor[];
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly rules: readonly RulesetRule[];
  readonly createdAt: string;
}

/** Who acts. Apps are identified by id and slug; users by login and repository role. */
export interface RuleActor {
  readonly kind: 'app' | 'user';
  readonly login: string;
  readonly appId?: number;
  readonly slug?: string;
  readonly role: 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';
}

export interface CheckOnCommit {
  readonly context: string;
  /** The app that posted a check run; null for a commit status. */
  readonly appId: number | null;
  readonly passed: boolean;
}

export interface ReviewFacts {
  /** Approvals that count: latest review per user with write access (stale ones excluded as the rule says). */
  readonly approvals: (dismissStale: boolean) => number;
  /** Logins with write access whose latest review requests changes. */
  readonly changesRequested: readonly string[];
  /** Whether every path with a code owner has an approval from one of its owners. */
  readonly codeOwnersApproved: (dismissStale: boolean) => boolean;
}

/** What is being attempted on a branch. */
export interface Attempt {
  readonly branch: string;
  readonly defaultBranch: string;
  readonly actor: RuleActor;
  /** `push`: a ref update, a merge into the branch or a contents write; `merge-pull`: `PUT /pulls/{n}/merge`. */
  readonly via: 'push' | 'merge-pull';
  readonly oldSha: string | null;
  /** Null: the branch is deleted. */
  readonly newSha: string | null;
  readonly fastForward: boolean;
  /** Whether the commits the update adds include a merge commit. */
  readonly addsMergeCommit: boolean;
  /** Checks on `newSha` (for a PR merge: on the PR head). */
  readonly checks: readonly CheckOnCommit[];
  /** For `merge-pull`: the reviews, and whether the head contains the base head. */
  readonly reviews?: ReviewFacts;
  readonly upToDate?: boolean;
}

export type Verdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: number; readonly message: string };

/** The rulesets in force on a branch: active, with a matching `conditions.ref_name`. */
export function rulesetsFor(rulesets: readonly Ruleset[], branch: string, defaultBranch: string): Ruleset[] {
  return rulesets.filter((r) => r.enforcement === 'active' && refMatches(r, branch, defaultBranch));
}

/** `conditions.ref_name`: `~ALL`, `~DEFAULT_BRANCH`, or fnmatch patterns of `refs/heads/...`. */
export function refMatches(
  ruleset: Pick<Ruleset, 'include' | 'exclude'>,
  branch: string,
  defaultBranch: string,
) {
  const matches = (pattern: string) => {
    if (pattern === '~ALL') return true;
    if (pattern === '~DEFAULT_BRANCH') return branch === defaultBranch;
    const ref = `refs/heads/${branch}`;
    const full = pattern.startsWith('refs/') ? pattern : `refs/heads/${pattern}`;
    return picomatch.isMatch(ref, full, { dot: true });
  };
  return ruleset.include.some(matches) && !ruleset.exclude.some(matches);
}

/** The bypass an actor has for one ruleset (`current_user_can_bypass`). */
export function bypassOf(
  ruleset: Ruleset,
  actor: RuleActor,
): 'always' | 'pull_requests_only' | 'exempt' | 'never' {
  for (const b of ruleset.bypassActors) {
    const applies =
      (b.actor_type === 'Integration' && actor.kind === 'app' && b.actor_id === actor.appId) ||
      (b.actor_type === 'RepositoryRole' && actor.kind === 'user' && roleMatches(b.actor_id, actor.role)) ||
      (b.actor_type === 'OrganizationAdmin' && actor.kind === 'user' && actor.role === 'admin');
    if (!applies) continue;
    if (b.bypass_mode === 'exempt') return 'exempt';
    return b.bypass_mode === 'pull_request' ? 'pull_requests_only' : 'always';
  }
  return 'never';
}

/** GitHub's built-in repository role ids in bypass lists: 5 admin, 2 maintain, 4 write. */
function roleMatches(id: number | null, role: RuleActor['role']): boolean {
  if (id === 5) return role === 'admin';
  if (id === 2) return role === 'admin' || role === 'maintain';
  if (id === 4) return role === 'admin' || role === 'maintain' || role === 'write';
  return false;
}

/**
 * What GitHub answers to an attempt on a branch with `protection` (null: not protected) and the
 * repository's `rulesets`. Classic protection answers first, then each ruleset in force (their
 * violations are listed together under "Repository rule violations found").
 */
export function evaluate(
  protection: ClassicProtection | null,
  rulesets: readonly Ruleset[],
  attempt: Attempt,
): Verdict {
  if (protection) {
    const refusal = classicRefusal(protection, attempt);
    if (refusal) return refusal;
  }
  const violations: string[] = [];
  for (const ruleset of rulesetsFor(rulesets, attempt.branch, attempt.defaultBranch)) {
    const bypass = bypassOf(ruleset, attempt.actor);
    if (bypass === 'exempt' || bypass === 'always') continue;
    if (bypass === 'pull_requests_only' && attempt.via === 'merge-pull') continue;
    for (const rule of ruleset.rules) {
      const message = ruleViolation(rule, attempt);
      if (message && !violations.includes(message)) violations.push(message);
    }
  }
  if (violations.length === 0) return { ok: true };
  return {
    ok: false,
    status: attempt.via === 'merge-pull' ? 405 : 422,
    message: `Repository rule violations found\n\n${violations.join('\n\n')}\n`,
  };
}

function classicRefusal(p: ClassicProtection, a: Attempt): Verdict | null {
  const exempt = a.actor.kind === 'user' && a.actor.role === 'admin' && !p.enforceAdmins;
  if (exempt) return null;
  const refuse = (message: string): Verdict => ({
    ok: false,
    status: a.via === 'merge-pull' ? 405 : 422,
    message:
      a.via === 'merge-pull'
        ? message
        : `Protected branch update failed for refs/heads/${a.branch}.\n\n${message}`,
  });
  if (p.restrictions) {
    const allowed =
      a.actor.kind === 'app'
        ? p.restrictions.apps.includes(a.actor.slug ?? '')
        : p.restrictions.users.includes(a.actor.login);
    if (!allowed) return refuse("You're not authorized to push to this branch.");
  }
  if (a.newSha === null) return p.allowDeletions ? null : refuse('Cannot delete this protected branch.');
  if (!a.fastForward && !p.allowForcePushes) return refuse('Cannot force-push to this branch.');
  if (p.linearHistory && a.addsMergeCommit) return refuse('This branch must not contain merge commits.');
  if (p.requiredReviews) {
    if (a.via === 'push') {
      const bypass =
        a.actor.kind === 'app'
          ? p.requiredReviews.bypass.apps.includes(a.actor.slug ?? '')
          : p.requiredReviews.bypass.users.includes(a.actor.login);
      if (!bypass) return refuse('Changes must be made through a pull request.');
    } else {
      const reviewProblem = reviewRefusal(p.requiredReviews, a.reviews);
      if (reviewProblem) return refuse(reviewProblem);
    }
  }
  if (p.requiredStatusChecks) {
    if (a.via === 'merge-pull' && p.requiredStatusChecks.strict && a.upToDate === false)
      return refuse('Head branch is out of date. Update the branch and try again.');
    const missing = missingChecks(p.requiredStatusChecks.checks, a.checks);
    if (missing) return refuse(missing);
  }
  return null;
}

function reviewRefusal(
  rule: { count: number; dismissStale: boolean; codeOwners: boolean },
  reviews: ReviewFacts | undefined,
): string | null {
  if (!reviews) return null;
  if (reviews.changesRequested.length > 0) return 'Changes requested by reviewers with write access.';
  const approvals = reviews.approvals(rule.dismissStale);
  if (approvals < rule.count) {
    const noun = rule.count === 1 ? 'review is' : 'reviews are';
    return `At least ${rule.count} approving ${noun} required by reviewers with write access.`;
  }
  if (rule.codeOwners && !reviews.codeOwnersApproved(rule.dismissStale))
    return 'Waiting on code owner review.';
  return null;
}

/** GitHub's wording: one missing check by name, several as "N of M required status checks". */
function missingChecks(
  required: readonly { context: string; appId: number | null }[],
  checks: readonly CheckOnCommit[],
): string | null {
  const missing = required.filter(
    (r) =>
      !checks.some((c) => c.context === r.context && c.passed && (r.appId === null || c.appId === r.appId)),
  );
  if (missing.length === 0) return null;
  if (missing.length === 1 && required.length === 1)
    return `Required status check "${missing[0]?.context}" is expected.`;
  return `${missing.length} of ${required.length} required status checks are expected.`;
}

function ruleViolation(rule: RulesetRule, a: Attempt): string | null {
  const params = rule.parameters ?? {};
  switch (rule.type) {
    case 'deletion':
      return a.newSha === null ? 'Cannot delete this branch' : null;
    case 'creation':
      return a.oldSha === null && a.newSha !== null
        ? 'Cannot create ref due to creations being restricted.'
        : null;
    case 'update':
      return a.oldSha !== null && a.newSha !== null ? 'Cannot update this protected ref.' : null;
    case 'non_fast_forward':
      return a.newSha !== null && !a.fastForward ? 'Cannot force-push to this branch' : null;
    case 'required_linear_history':
      return a.addsMergeCommit ? 'This branch must not contain merge commits.' : null;
    case 'pull_request': {
      if (a.via === 'push') return 'Changes must be made through a pull request.';
      return reviewRefusal(
        {
          count: Number(params.required_approving_review_count ?? 0),
          dismissStale: params.dismiss_stale_reviews_on_push === true,
          codeOwners: params.require_code_owner_review === true,
        },
        a.reviews,
      );
    }
    case 'required_status_checks': {
      if (a.newSha === null) return null;
      const list = (params.required_status_checks ?? []) as { context: string; integration_id?: number }[];
      const required = list.map((c) => ({ context: c.context, appId: c.integration_id ?? null }));
      if (
        a.via === 'merge-pull' &&
        params.strict_required_status_checks_policy === true &&
        a.upToDate === false
      )
        return 'Head branch is out of date. Update the branch and try again.';
      const missing = required.filter(
        (r) =>
          !a.checks.some(
            (c) => c.context === r.context && c.passed && (r.appId === null || c.appId === r.appId),
          ),
      );
      if (missing.length === 0) return null;
      return missing.map((m) => `Required status check "${m.context}" is expected.`).join('\n');
    }
  }
}

/**
 * Validates and normalizes the body of `PUT .../branches/{branch}/protection` (every top-level key
 * of the OpenAPI `required` list must be present, `null` allowed).
 * @throws Error with GitHub's "Invalid request" wording for a missing key.
 */
export function normalizeProtection(body: Record<string, unknown>): ClassicProtection {
  for (const key of [
    'required_status_checks',
    'enforce_admins',
    'required_pull_request_reviews',
    'restrictions',
  ]) {
    if (!(key in body)) throw new Error(`Invalid request.\n\n"${key}" wasn't supplied.`);
  }
  const rsc = body.required_status_checks as {
    strict?: boolean;
    contexts?: string[];
    checks?: { context: string; app_id?: number }[];
  } | null;
  const reviews = body.required_pull_request_reviews as {
    dismiss_stale_reviews?: boolean;
    require_code_owner_reviews?: boolean;
    required_approving_review_count?: number;
    bypass_pull_request_allowances?: { users?: string[]; teams?: string[]; apps?: string[] };
  } | null;
  const restrictions = body.restrictions as { users?: string[]; teams?: string[]; apps?: string[] } | null;
  const checks = rsc
    ? [
        ...(rsc.contexts ?? []).map((context) => ({ context, appId: null })),
        ...(rsc.checks ?? []).map((c) => ({
          context: c.context,
          appId: c.app_id === undefined || c.app_id === -1 ? null : c.app_id,
        })),
      ]
    : [];
  return {
    requiredStatusChecks: rsc ? { strict: rsc.strict === true, checks: dedupeChecks(checks) } : null,
    enforceAdmins: body.enforce_admins === true,
    requiredReviews: reviews
      ? {
          count: reviews.required_approving_review_count ?? 1,
          dismissStale: reviews.dismiss_stale_reviews === true,
          codeOwners: reviews.require_code_owner_reviews === true,
          bypass: {
            users: reviews.bypass_pull_request_allowances?.users ?? [],
            apps: reviews.bypass_pull_request_allowances?.apps ?? [],
          },
        }
      : null,
    restrictions: restrictions ? { users: restrictions.users ?? [], apps: restrictions.apps ?? [] } : null,
    linearHistory: body.required_linear_history === true,
    allowForcePushes: body.allow_force_pushes === true,
    allowDeletions: body.allow_deletions === true,
  };
}

function dedupeChecks(checks: { context: string; appId: number | null }[]) {
  const seen = new Map<string, { context: string; appId: number | null }>();
  for (const c of checks) seen.set(c.context, c);
  return [...seen.values()];
}

/**
 * Validates the body of `POST /repos/{o}/{r}/rulesets` (name and enforcement required; rule types
 * the stand-in knows).
 * @throws Error with the reason (the route answers 422).
 */
export function normalizeRuleset(body: Record<string, unknown>, id: number, nowIso: string): Ruleset {
  if (typeof body.name !== 'string' || body.name === '')
    throw new Error('Invalid request.\n\n"name" wasn\'t supplied.');
  const enforcement = body.enforcement;
  if (enforcement !== 'active' && enforcement !== 'evaluate' && enforcement !== 'disabled')
    throw new Error('Invalid property /enforcement: must be active, evaluate or disabled.');
  if (body.target !== undefined && body.target !== 'branch')
    throw new Error('The stand-in supports branch rulesets only.');
  const known: readonly string[] = [
    'pull_request',
    'required_status_checks',
    'non_fast_forward',
    'required_linear_history',
    'deletion',
    'creation',
    'update',
  ];
  const rules = ((body.rules ?? []) as RulesetRule[]).map((rule) => {
    if (!known.includes(rule.type)) throw new Error(`Invalid rule '${String(rule.type)}'.`);
    return { type: rule.type, ...(rule.parameters ? { parameters: rule.parameters } : {}) };
  });
  const refName = ((body.conditions as { ref_name?: { include?: string[]; exclude?: string[] } } | undefined)
    ?.ref_name ?? {}) as { include?: string[]; exclude?: string[] };
  return {
    id,
    name: body.name,
    enforcement,
    bypassActors: ((body.bypass_actors ?? []) as BypassActor[]).map((b) => ({
      actor_id: b.actor_id ?? null,
      actor_type: b.actor_type,
      bypass_mode: b.bypass_mode ?? 'always',
    })),
    include: refName.include ?? [],
    exclude: refName.exclude ?? [],
    rules,
    createdAt: nowIso,
  };
}
