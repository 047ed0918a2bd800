/**
 * Gathers the facts of one branch update for `rules.ts` (checks on the new head, reviews, who is
 * pushing, fast-forward or not) and adds the one rule that is not a branch rule: an app may create or
 * change files under `.github/workflows/` only with the `workflows` permission. GitHub refuses that
 * with 403 "refusing to allow a GitHub App to create or update workflow `<path>` without `workflows`
 * permission" (seen on update-branch, merges and pushes; docs: "Permissions required for GitHub
 * Apps", workflows).
 */
import type { Actor, Hub, Pull, Repo } from './hub.js';
import { CODEOWNERS_PATHS, ownersOf, reviewFacts } from './reviews.js';
import { type CheckOnCommit, evaluate, type RuleActor, rulesetsFor, type Verdict } from './rules.js';

export interface Update {
  readonly branch: string;
  readonly oldSha: string | null;
  readonly newSha: string | null;
  readonly actor: Actor;
  readonly via: 'push' | 'merge-pull';
  readonly pull?: Pull;
}

const WRITERS = new Set(['admin', 'maintain', 'write']);

/** GitHub's answer to an update: ok, or the status and message it refuses with. */
export async function enforce(hub: Hub, repo: Repo, update: Update): Promise<Verdict> {
  const workflows = await workflowsRefusal(hub, repo, update);
  if (workflows) return workflows;
  const protection = repo.protection.get(update.branch) ?? null;
  const rulesets = rulesetsFor(repo.rulesets, update.branch, repo.defaultBranch);
  if (!protection && rulesets.length === 0) return { ok: true };
  const { git } = repo;
  const newSha = update.newSha;
  const fastForward =
    update.oldSha === null || newSha === null ? true : await git.isAncestor(update.oldSha, newSha);
  const needsLinear =
    protection?.linearHistory === true ||
    rulesets.some((r) => r.rules.some((rule) => rule.type === 'required_linear_history'));
  const addsMergeCommit =
    needsLinear && newSha !== null ? await git.addsMergeCommit(update.oldSha, newSha) : false;
  const pull = update.pull;
  const checkedSha = pull ? pull.headSha : newSha;
  const checks = checkedSha ? checksOn(repo, checkedSha) : [];
  let reviews: ReturnType<typeof reviewFacts> | undefined;
  let upToDate: boolean | undefined;
  if (pull && update.oldSha) {
    const owners = await codeOwners(repo, update.oldSha, pull);
    reviews = reviewFacts({
      reviews: repo.reviews.filter((r) => r.pull === pull.number),
      headSha: pull.headSha,
      canWrite: (login) => WRITERS.has(hub.roleOf(repo, login)),
      owners,
    });
    upToDate = await git.isAncestor(update.oldSha, pull.headSha);
  }
  return evaluate(protection, repo.rulesets, {
    branch: update.branch,
    defaultBranch: repo.defaultBranch,
    actor: ruleActor(hub, repo, update.actor),
    via: update.via,
    oldSha: update.oldSha,
    newSha,
    fastForward,
    addsMergeCommit,
    checks,
    ...(reviews ? { reviews } : {}),
    ...(upToDate === undefined ? {} : { upToDate }),
  });
}

function ruleActor(hub: Hub, repo: Repo, actor: Actor): RuleActor {
  if (actor.appId !== undefined) {
    const slug = actor.appId === hub.app.id ? hub.app.slug : actor.login.replace(/\[bot\]$/, '');
    return { kind: 'app', login: actor.login, appId: actor.appId, slug, role: 'write' };
  }
  return { kind: 'user', login: actor.login, role: hub.roleOf(repo, actor.login) };
}

/** Every check on a commit: the latest check run per app and name, the latest status per context. */
export function checksOn(repo: Repo, sha: string): CheckOnCommit[] {
  const runs = new Map<string, CheckOnCommit>();
  for (const run of repo.checkRuns) {
    if (run.headSha !== sha) continue;
    runs.set(`${run.appId}:${run.name}`, {
      context: run.name,
      appId: run.appId,
      passed: run.status === 'completed' && ['success', 'neutral', 'skipped'].includes(run.conclusion ?? ''),
    });
  }
  const statuses = new Map<string, CheckOnCommit>();
  for (const status of repo.statuses) {
    if (status.sha !== sha) continue;
    statuses.set(status.context, {
      context: status.context,
      appId: null,
      passed: status.state === 'success',
    });
  }
  return [...runs.values(), ...statuses.values()];
}

async function codeOwners(repo: Repo, baseSha: string, pull: Pull): Promise<string[][]> {
  let text: string | null = null;
  for (const path of CODEOWNERS_PATHS) {
    const blob = await repo.git.blobAt(baseSha, path);
    if (blob) {
      text = (await repo.git.readBlob(blob)).toString('utf8');
      break;
    }
  }
  if (text === null) return [];
  const codeowners = text;
  const files = await repo.git.changedFiles(baseSha, pull.headSha);
  return files.map((f) => ownersOf(codeowners, f.filename));
}

async function workflowsRefusal(hub: Hub, repo: Repo, update: Update): Promise<Verdict | null> {
  const { actor, newSha } = update;
  if (actor.appId !== hub.app.id || hub.app.permissions.workflows === 'write' || newSha === null) return null;
  const { git } = repo;
  let from = update.oldSha;
  if (from === null) {
    const main = await git.ref(`refs/heads/${repo.defaultBranch}`);
    from = main ? await git.mergeBase(main, newSha) : null;
  } else if (await git.isAncestor(newSha, from)) {
    return null; // no new commits (a reset to an ancestor)
  } else {
    from = await git.mergeBase(from, newSha);
  }
  const changed = (await git.diffPaths(from, newSha)).find((p) => p.startsWith('.github/workflows/'));
  if (!changed) return null;
  return {
    ok: false,
    status: 403,
    message: `refusing to allow a GitHub App to create or update workflow \`${changed}\` without \`workflows\` permission`,
  };
}
