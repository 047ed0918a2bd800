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
/**
 * How a status commit reaches the base: pushed straight (nothing requires checks the app cannot
 * bypass), tested on staging first (checks are required), or not at all (the rules refuse the app).
 */
export function statusRoute(policy) {
  if (policy.pushBlockers.length > 0) return 'refused';
  return policy.pushNeedsChecks ? 'staging' : 'direct';
}
/** No protection, no rulesets. */
export const NO_RULES = { classic: null, rulesets: [] };
/**
 * Derives the policy from the rules.
 * @param app the app's slug (for classic allowances) and the base branch name (for messages).
 */
export function basePolicy(rules, app) {
  const { classic } = rules;
  const protection = `branch protection of \`${app.branch}\``;
  const requiredChecks = [];
  const add = (checks, source) => {
    for (const c of checks)
      if (!requiredChecks.some((r) => r.context === c.context && r.appId === c.appId))
        requiredChecks.push({ ...c, source });
  };
  const pushBlockers = [];
  const mergeCommitBlockers = [];
  const reviews = [];
  const notes = [];
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
function strictest(rules) {
  if (rules.length === 0) return null;
  return {
    count: Math.max(...rules.map((r) => r.count)),
    dismissStale: rules.some((r) => r.dismissStale),
    codeOwners: rules.some((r) => r.codeOwners),
    source: rules.map((r) => r.source).join(' and '),
  };
}
/** The rules-set parameters of a `pull_request` rule, read leniently (GitHub's field names). */
export function pullRequestParameters(parameters) {
  const p = parameters ?? {};
  return {
    count: Number(p.required_approving_review_count ?? 0),
    dismissStale: p.dismiss_stale_reviews_on_push === true,
    codeOwners: p.require_code_owner_review === true,
  };
}
//# sourceMappingURL=branch-rules.js.map
