/**
 * Reads the rules in force on a branch: classic branch protection and the rulesets that target it.
 *
 * Requests (all GETs, conditional, so unchanged answers are free 304s):
 * - `GET /repos/{o}/{r}/branches/{b}/protection` (docs "Get branch protection"; needs the app's
 *   `administration: read`). 404: not protected. 403: the app may not read it; then
 *   `GET /repos/{o}/{r}/branches/{b}` gives its required checks only (`protection.required_status_checks`).
 * - `GET /repos/{o}/{r}/rules/branches/{b}` (docs "Get rules for a branch"; any reader): every
 *   active rule on the branch with its `ruleset_id`;
 * - `GET /repos/{o}/{r}/rulesets/{id}` per ruleset, for its name and `current_user_can_bypass`
 *   (the app's own bypass, "only returned when querying the repository-level endpoint").
 */
import {
  type BaseRules,
  type ClassicRules,
  pullRequestParameters,
  type RulesetRules,
} from '../../domain/rules/branch-rules.js';
import { classifyGitHubError } from './errors.js';
import type { Octokit, RepoRef } from './octokit.js';

/** Reads the rules of `branch`. @throws octokit errors other than 403/404 on optional reads. */
export async function readBaseRules(octokit: Octokit, repo: RepoRef, branch: string): Promise<BaseRules> {
  const [classic, rulesets] = await Promise.all([
    readClassic(octokit, repo, branch),
    readRulesets(octokit, repo, branch),
  ]);
  return { classic, rulesets };
}

async function readClassic(octokit: Octokit, repo: RepoRef, branch: string): Promise<ClassicRules | null> {
  try {
    const { data } = await octokit.rest.repos.getBranchProtection({ ...repo, branch });
    const rsc = data.required_status_checks;
    const reviews = data.required_pull_request_reviews;
    return {
      requiredChecks: checksOf(rsc?.contexts ?? [], rsc?.checks ?? []),
      reviews: reviews
        ? {
            count: reviews.required_approving_review_count ?? 1,
            dismissStale: reviews.dismiss_stale_reviews === true,
            codeOwners: reviews.require_code_owner_reviews === true,
            bypassApps: (reviews.bypass_pull_request_allowances?.apps ?? [])
              .map((a) => a?.slug ?? '')
              .filter(Boolean),
          }
        : null,
      pushApps: data.restrictions ? data.restrictions.apps.map((a) => a?.slug ?? '').filter(Boolean) : null,
      linearHistory: data.required_linear_history?.enabled === true,
      complete: true,
    };
  } catch (error) {
    const kind = classifyGitHubError(error);
    if (kind === 'not-found') return null;
    if (kind !== 'refused') throw error;
  }
  // No `administration: read`: the branch summary still lists required checks.
  const { data } = await octokit.rest.repos.getBranch({ ...repo, branch });
  if (!data.protected || !data.protection?.enabled) return null;
  const rsc = data.protection.required_status_checks;
  return {
    requiredChecks: checksOf(rsc?.contexts ?? [], rsc?.checks ?? []),
    reviews: null,
    pushApps: null,
    linearHistory: false,
    complete: false,
  };
}

function checksOf(
  contexts: readonly string[],
  checks: readonly { context: string; app_id: number | null }[],
) {
  const out = new Map<string, { context: string; appId: number | null }>();
  for (const context of contexts) out.set(context, { context, appId: null });
  for (const check of checks)
    out.set(check.context, {
      context: check.context,
      appId: check.app_id === -1 ? null : (check.app_id ?? null),
    });
  return [...out.values()];
}

type BranchRule = { type: string; ruleset_id?: number; parameters?: Record<string, unknown> };

async function readRulesets(octokit: Octokit, repo: RepoRef, branch: string): Promise<RulesetRules[]> {
  let rules: BranchRule[];
  try {
    rules = (await octokit.paginate(octokit.rest.repos.getBranchRules, {
      ...repo,
      branch,
      per_page: 100,
    })) as BranchRule[];
  } catch (error) {
    const kind = classifyGitHubError(error);
    if (kind === 'not-found' || kind === 'refused') return [];
    throw error;
  }
  const byRuleset = new Map<number, BranchRule[]>();
  for (const rule of rules) {
    const id = rule.ruleset_id ?? 0;
    byRuleset.set(id, [...(byRuleset.get(id) ?? []), rule]);
  }
  return Promise.all(
    [...byRuleset].map(async ([id, list]) => {
      let name = `#${id}`;
      let bypass: RulesetRules['bypass'] = 'never';
      try {
        const { data } = await octokit.rest.repos.getRepoRuleset({ ...repo, ruleset_id: id });
        name = data.name;
        bypass = (data.current_user_can_bypass as RulesetRules['bypass'] | undefined) ?? 'never';
      } catch (error) {
        // An organization ruleset is not readable at the repository level: its name stays its id.
        if (classifyGitHubError(error) !== 'not-found') throw error;
      }
      const checks = list
        .filter((r) => r.type === 'required_status_checks')
        .flatMap((r) =>
          (
            (r.parameters?.required_status_checks ?? []) as { context: string; integration_id?: number }[]
          ).map((c) => ({ context: c.context, appId: c.integration_id ?? null })),
        );
      const pull = list.find((r) => r.type === 'pull_request');
      return {
        id,
        name,
        bypass,
        requiredChecks: checks,
        pullRequest: pull ? pullRequestParameters(pull.parameters) : null,
        linearHistory: list.some((r) => r.type === 'required_linear_history'),
        nonFastForward: list.some((r) => r.type === 'non_fast_forward'),
      };
    }),
  );
}
