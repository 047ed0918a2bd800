/**
 * The rules in force on the base branch, as the app reads them, and what they let the app do. Pure:
 * the snapshot reader fills `BaseRules` from classic branch protection (`GET .../protection`, which
 * needs `administration: read`; without it only the branch's required-checks summary of `GET
 * .../branches/{branch}`) and from rulesets (`GET .../rules/branches/{branch}` plus each ruleset's
 * `current_user_can_bypass` from `GET .../rulesets/{id}`).
 *
 * GitHub's behaviour this relies on (docs: "About protected branches", "About rulesets"; and
 * ../shared/PLATFORM-NOTES.md):
 * - required status checks are per commit SHA; classic protection lets no app skip them, a ruleset
 *   does when the app is one of its bypass actors (`current_user_can_bypass: always`);
 * - a required pull request refuses pushes unless the app is in `bypass_pull_request_allowances`
 *   (classic) or bypasses the ruleset; bypassing it bypasses its review requirement too, so the app
 *   enforces required reviews itself;
 * - classic `restrictions` refuse every push by an app not listed;
 * - linear history refuses merge commits, which the staging protocol makes.
 */

/** A check a rule requires, optionally from one app (`app_id` / `integration_id`). */
export interface RequiredCheck {
  readonly context: string;
  /** Null: any app or commit status may provide it. */
  readonly appId: number | null;
  /** Where the requirement comes from, for messages: `branch protection`, `ruleset "x"`, `.github/coordinator.yml`. */
  readonly source: string;
}

/** Classic branch protection of the base branch. */
export interface ClassicRules {
  readonly requiredChecks: readonly { readonly context: string; readonly appId: number | null }[];
  readonly reviews: {
    readonly count: number;
    readonly dismissStale: boolean;
    readonly codeOwners: boolean;
    /** App slugs in `bypass_pull_request_allowances.apps`. */
    readonly bypassApps: readonly string[];
  } | null;
  /** App slugs allowed to push (`restrictions.apps`); null: no restriction. */
  readonly pushApps: readonly string[] | null;
  readonly linearHistory: boolean;
  /** False when only the branch summary was readable (no `administration: read`). */
  readonly complete: boolean;
}

/** One ruleset in force on the base branch, reduced to what the app needs. */
export interface RulesetRules {
  readonly id: number;
  readonly name: string;
  /** The app's `current_user_can_bypass` for this ruleset. */
  readonly bypass: 'always' | 'pull_requests_only' | 'exempt' | 'never';
  readonly requiredChecks: readonly { readonly context: string; readonly appId: number | null }[];
  readonly pullRequest: {
    readonly count: number;
    readonly dismissStale: boolean;
    readonly codeOwners: boolean;
  } | null;
  readonly linearHistory: boolean;
  readonly nonFastForward: boolean;
}

export interface BaseRules {
  readonly classic: ClassicRules | null;
  readonly rulesets: readonly RulesetRules[];
}

/** A setting that stops the app from pushing to the base branch, with the fix in words. */
export interface Blocker {
  readonly setting: string;
  readonly fix: string;
}

/** The review requirement in force (the strictest of protection and rulesets). */
export interface ReviewRule {
  readonly count: number;
  readonly dismissStale: boolean;
  readonly codeOwners: boolean;
  readonly source: string;
}

/** What the rules mean for the app. */
export interface BasePolicy {
  /** Every check a push to the base must carry, bypassable or not (the app waits for all of them). */
  readonly requiredChecks: readonly RequiredCheck[];
  readonly reviews: ReviewRule | null;
  /** Settings that refuse any push of the app to the base branch (empty: it may push). */
  readonly pushBlockers: readonly Blocker[];
  /** Whether a commit pushed straight to the base must already carry green checks the app cannot bypass. */
  readonly pushNeedsChecks: boolean;
  /** Settings that refuse the merge commits of the staging protocol. */
  readonly mergeCommitBlockers: readonly Blocker[];
  /** Limits of what the app could read, for the `Task graph` check. */
  readonly notes: readonly string[];
}

/**
 * How a status commit reaches the base: pushed straight (nothing requires checks the app cannot
 * bypass), tested on staging first (checks are required), or not at all (the rules refuse the app).
 */
export function statusRoute(policy: BasePolicy): 'direct' | 'staging' | 'refused' {
  if (policy.pushBlockers.length > 0) return 'refused';
  return policy.pushNeedsChecks ? 'staging' : 'direct';
}

/** No protection, no rulesets. */
export const NO_RULES: BaseRules = { classic: null, rulesets: [] };

/**
 * Derives the policy from the rules.
 * @param app the app's slug (for classic allowances) and the base branch name (for messages).
 */
export function basePolicy(rules: BaseRules, app: { slug: string; branch: string }): BasePolicy {
  const { classic } = rules;
  const protection = `branch protection of \`${app.branch}\``;
  const requiredChecks: RequiredCheck[] = [];
  const add = (checks: ClassicRules['requiredChecks'], source: string) => {
    for (const c of checks)
      if (!requiredChecks.some((r) => r.context === c.context && r.appId === c.appId))
        requiredChecks.push({ ...c, source });
  };
  const pushBlockers: Blocker[] = [];
  const mergeCommitBlockers: Blocker[] = [];
  const reviews: ReviewRule[] = [];
  const notes: string[] = [];
  let pushNeedsChecks = false;

  if (classic) {
    add(classic.requiredChecks, protection);
    if (classic.requiredChecks.length > 0) pushNeedsChecks = true;
    if (classic.pushApps && !classic.pushApps.includes(app.slug))
      pushBlockers.push({
        setting: `${protection}: "Restrict who can push to matching branches"`,
        fix: `add the app \`${app.slug}\` to the people, teams or apps with push access (\`restrictions.apps\`)`,
      });
    if (classic.reviews) {
      reviews.push({ ...classic.reviews, source: protection });
      if (!classic.reviews.bypassApps.includes(app.slug))
        pushBlockers.push({
          setting: `${protection}: "Require a pull request before merging"`,
          fix: `add the app \`${app.slug}\` to "Allow specified actors to bypass required pull requests" (\`bypass_pull_request_allowances.apps\`)`,
        });
    }
    if (classic.linearHistory)
      mergeCommitBlockers.push({
        setting: `${protection}: "Require linear history"`,
        fix: 'turn it off for this branch, or set `merge.strategy: direct` with `merge.method: squash` in `.github/coordinator.yml`',
      });
    if (!classic.complete)
      notes.push(
        `The app could read only the required checks of the ${protection} (grant it **Administration: read** to see required reviews and push restrictions).`,
      );
  }
  for (const ruleset of rules.rulesets) {
    const source = `ruleset "${ruleset.name}"`;
    add(ruleset.requiredChecks, source);
    if (ruleset.pullRequest) reviews.push({ ...ruleset.pullRequest, source });
    const bypasses = ruleset.bypass === 'always' || ruleset.bypass === 'exempt';
    if (bypasses) continue;
    if (ruleset.requiredChecks.length > 0) pushNeedsChecks = true;
    const bypassFix = `add the app \`${app.slug}\` to the bypass list of ${source} (Settings → Rules → Rulesets → ${ruleset.name} → Bypass list → Add bypass → Apps, mode "Always allow")`;
    if (ruleset.pullRequest)
      pushBlockers.push({ setting: `${source}: "Require a pull request before merging"`, fix: bypassFix });
    if (ruleset.linearHistory)
      mergeCommitBlockers.push({
        setting: `${source}: "Require linear history"`,
        fix: `${bypassFix}, or remove the rule`,
      });
  }
  return {
    requiredChecks,
    reviews: strictest(reviews),
    pushBlockers,
    pushNeedsChecks,
    mergeCommitBlockers,
    notes,
  };
}

function strictest(rules: readonly ReviewRule[]): ReviewRule | null {
  if (rules.length === 0) return null;
  return {
    count: Math.max(...rules.map((r) => r.count)),
    dismissStale: rules.some((r) => r.dismissStale),
    codeOwners: rules.some((r) => r.codeOwners),
    source: rules.map((r) => r.source).join(' and '),
  };
}

/** The rules-set parameters of a `pull_request` rule, read leniently (GitHub's field names). */
export function pullRequestParameters(
  parameters: Record<string, unknown> | undefined,
): RulesetRules['pullRequest'] {
  const p = parameters ?? {};
  return {
    count: Number(p.required_approving_review_count ?? 0),
    dismissStale: p.dismiss_stale_reviews_on_push === true,
    codeOwners: p.require_code_owner_review === true,
  };
}
