/**
 * Reads one `RepoSnapshot` from GitHub: everything the planner needs, read once per reconcile.
 *
 * Requests (N = open task PRs, read `PULL_READ_CONCURRENCY` at a time): base ref, base tree (recursive), task blobs not yet cached, open PRs,
 * recently closed PRs, the app's checks on the base head, staging ref (+ its commit and checks when
 * it holds a batch), required checks from branch protection and rulesets unless configured, and per
 * task PR: changed files (once per head SHA), one listing of the head's check runs (the app's own taken from it too) and
 * its combined status (+ head blobs of changed task
 * files not yet cached; + the PR itself for `mergeable_state` under the direct strategy).
 */
import pLimit from 'p-limit';
import type { RepoConfig } from '../../config/repo-config.js';
import { parseBatchCommit } from '../../domain/merge/batch-trailers.js';
import { taskFileChange } from '../../domain/merge/status-changes.js';
import { hasTaskPrefix, taskOfPull } from '../../domain/merge/task-pulls.js';
import {
  type BranchState,
  CHECK_NAMES,
  type CheckResult,
  type MergedPull,
  type OwnCheckRun,
  type PullState,
  type RepoSnapshot,
  STAGING_BRANCH,
  type StagingState,
} from '../../domain/merge/types.js';
import { BranchIndex } from '../../domain/tasks/branch-names.js';
import { type LoadedGraph, loadTaskGraph } from '../../domain/tasks/load-graph.js';
import type { BlobCache } from './blob-cache.js';
import { classifyGitHubError } from './errors.js';
import type { Octokit, RepoRef } from './octokit.js';

export interface SnapshotInput {
  readonly octokit: Octokit;
  readonly repo: RepoRef;
  readonly config: RepoConfig;
  /** The app's id: check runs it owns are recognised by `app.id`. */
  readonly appId: number;
  readonly blobs: BlobCache;
  readonly nowMs: number;
}

/** A snapshot plus the base texts of task files (the executor edits them). */
export interface ReadSnapshot {
  readonly snapshot: RepoSnapshot;
  /** Text of every task file at the base head, by path. */
  readonly taskTexts: ReadonlyMap<string, string>;
}

const OWN_NAMES: ReadonlySet<string> = new Set(Object.values(CHECK_NAMES));

/** Task PRs read at once (each read is 3 requests, 2 of them concurrent). */
export const PULL_READ_CONCURRENCY = 6;

/** Reads the snapshot. @throws octokit errors (the reconcile classifies and retries them). */
export async function readSnapshot(input: SnapshotInput): Promise<ReadSnapshot> {
  const { octokit, repo, config } = input;
  const { repoUrl, baseBranch, baseSha, loaded, taskTexts, taskPaths } = await readBase(input);
  const index = new BranchIndex(loaded.graph.ids, config.branches.prefixes);

  const openPulls = await octokit.paginate(octokit.rest.pulls.list, {
    ...repo,
    state: 'open',
    base: baseBranch,
    per_page: 100,
  });
  // PRs are read a few at a time: a reconcile's latency is then not the sum of every PR's round
  // trips, and GitHub's limit of 100 concurrent requests stays far away.
  const limit = pLimit(PULL_READ_CONCURRENCY);
  const taskPulls = openPulls.filter((pull) => {
    const body = pull.body ?? '';
    const isTask = taskOfPull({ body, headRef: pull.head.ref }, loaded.graph, index).kind !== 'not-a-task';
    return isTask || hasTaskPrefix(pull.head.ref, config.branches.prefixes);
  });
  const pulls: PullState[] = await Promise.all(
    taskPulls.map((pull) =>
      limit(() => readPull(input, { pull, body: pull.body ?? '', baseSha, taskTexts })),
    ),
  );

  const closed = await octokit.rest.pulls.list({
    ...repo,
    state: 'closed',
    base: baseBranch,
    sort: 'updated',
    direction: 'desc',
    per_page: 30,
  });
  const recentlyMerged: MergedPull[] = closed.data
    .filter((p) => p.merged_at !== null)
    .map((p) => ({
      number: p.number,
      title: p.title,
      body: p.body ?? '',
      headRef: p.head.ref,
      url: p.html_url,
    }));

  const [baseChecks, staging, requiredChecks, taskBranches] = await Promise.all([
    ownChecks(input, baseSha),
    readStaging(input),
    config.merge.required_checks ?? readRequiredChecks(octokit, repo, baseBranch),
    config.pull_requests.open_draft ? readTaskBranches(octokit, repo, config.branches.prefixes) : [],
  ]);

  // Only branches without an open PR can get a draft: their head commit's time decides the grace period.
  const withPull = new Set(pulls.map((p) => p.headRef));
  const branches = await Promise.all(
    taskBranches.map(async (b) =>
      withPull.has(b.name) || b.sha === baseSha
        ? b
        : { ...b, committedAtMs: await input.blobs.commitTimeMs(octokit, repo, b.sha) },
    ),
  );

  const snapshot: RepoSnapshot = {
    owner: repo.owner,
    repo: repo.repo,
    repoUrl,
    taskBranches: branches,
    baseBranch,
    baseSha,
    config,
    loaded,
    taskPaths,
    requiredChecks,
    pulls,
    recentlyMerged,
    staging,
    baseChecks,
    nowMs: input.nowMs,
  };
  return { snapshot, taskTexts };
}

/** The base branch and its task graph: what comment commands need without the whole snapshot. */
export interface BaseState {
  readonly repoUrl: string;
  readonly baseBranch: string;
  readonly baseSha: string;
  readonly loaded: LoadedGraph;
  /** Text of every task file at the base head, by path. */
  readonly taskTexts: ReadonlyMap<string, string>;
  readonly taskPaths: ReadonlyMap<string, string>;
}

/**
 * Reads the base branch head and its task files (repo, ref, recursive tree, uncached blobs).
 * @throws octokit errors.
 */
export async function readBase(
  input: Pick<SnapshotInput, 'octokit' | 'repo' | 'config' | 'blobs'>,
): Promise<BaseState> {
  const { octokit, repo, config } = input;
  const repository = (await octokit.rest.repos.get({ ...repo })).data;
  const baseBranch = config.branches.base ?? repository.default_branch;
  const baseSha = (await octokit.rest.git.getRef({ ...repo, ref: `heads/${baseBranch}` })).data.object.sha;
  const { loaded, taskTexts, taskPaths } = await readTasks(input, baseSha);
  return { repoUrl: repository.html_url, baseBranch, baseSha, loaded, taskTexts, taskPaths };
}

async function readTasks(
  input: Pick<SnapshotInput, 'octokit' | 'repo' | 'config' | 'blobs'>,
  baseSha: string,
): Promise<{ loaded: LoadedGraph; taskTexts: Map<string, string>; taskPaths: Map<string, string> }> {
  const { octokit, repo, config } = input;
  const dir = tasksPrefix(config);
  const tree = await octokit.rest.git.getTree({ ...repo, tree_sha: baseSha, recursive: 'true' });
  const entries = tree.data.tree.filter(
    (e) => e.type === 'blob' && e.path?.startsWith(dir) && e.path.endsWith('.md') && e.sha,
  );
  const files = await Promise.all(
    entries.map(async (e) => ({
      path: e.path as string,
      text: await input.blobs.text(octokit, repo, e.sha as string),
    })),
  );
  const loaded = loadTaskGraph(files, { prefixes: config.branches.prefixes });
  const taskPaths = new Map([...loaded.graph.tasks.values()].map((t) => [t.id, t.file]));
  return { loaded, taskTexts: new Map(files.map((f) => [f.path, f.text])), taskPaths };
}

type ListedPull = Awaited<ReturnType<Octokit['rest']['pulls']['list']>>['data'][number];

async function readPull(
  input: SnapshotInput,
  args: { pull: ListedPull; body: string; baseSha: string; taskTexts: ReadonlyMap<string, string> },
): Promise<PullState> {
  const { octokit, repo, config } = input;
  const { pull } = args;
  // The files of a head never change (GitHub diffs against the merge base), so read them once per head.
  const files = await input.blobs.immutable(
    `files:${repo.owner}/${repo.repo}#${pull.number}@${pull.head.sha}`,
    () =>
      octokit.paginate(octokit.rest.pulls.listFiles, { ...repo, pull_number: pull.number, per_page: 100 }),
  );
  const dir = tasksPrefix(config);
  const taskFileChanges = await Promise.all(
    files
      .filter((f) => f.filename.startsWith(dir) && f.filename.endsWith('.md'))
      .map(async (f) => {
        const baseText = args.taskTexts.get(f.previous_filename ?? f.filename) ?? null;
        const headText =
          f.status === 'removed' || !f.sha ? null : await input.blobs.text(octokit, repo, f.sha);
        return taskFileChange(f.filename, baseText, headText);
      }),
  );
  const { checks, own } = await checkState(input, pull.head.sha);
  const mergeableState =
    config.merge.strategy === 'direct'
      ? ((await octokit.rest.pulls.get({ ...repo, pull_number: pull.number })).data.mergeable_state ?? null)
      : null;
  return {
    number: pull.number,
    title: pull.title,
    body: args.body,
    headRef: pull.head.ref,
    headSha: pull.head.sha,
    draft: pull.draft === true,
    labels: pull.labels.map((l) => l.name),
    createdAt: pull.created_at,
    updatedAt: pull.updated_at ?? pull.created_at,
    url: pull.html_url,
    changedFiles: files.map((f) => f.filename),
    taskFileChanges,
    checks,
    ownChecks: own,
    mergeableState,
  };
}

type ListedRun = Awaited<ReturnType<Octokit['rest']['checks']['listForRef']>>['data']['check_runs'][number];

/**
 * One listing of a commit's check runs (all apps) plus its combined status: every check reduced to
 * pending/success/failure, and the app's own runs (newest per name) taken from the same listing.
 */
async function checkState(
  input: SnapshotInput,
  sha: string,
): Promise<{ checks: CheckResult[]; own: Record<string, OwnCheckRun> }> {
  const { octokit, repo } = input;
  const [runs, status] = await Promise.all([
    octokit.paginate(octokit.rest.checks.listForRef, { ...repo, ref: sha, per_page: 100 }),
    octokit.rest.repos.getCombinedStatusForRef({ ...repo, ref: sha, per_page: 100 }),
  ]);
  const checks: CheckResult[] = runs.map((run) => ({
    name: run.name,
    outcome:
      run.status !== 'completed'
        ? 'pending'
        : ['success', 'neutral', 'skipped'].includes(run.conclusion ?? '')
          ? 'success'
          : 'failure',
  }));
  for (const s of status.data.statuses) {
    checks.push({
      name: s.context,
      outcome: s.state === 'success' ? 'success' : s.state === 'pending' ? 'pending' : 'failure',
    });
  }
  return { checks, own: ownRuns(input.appId, runs) };
}

/** The app's own check runs on a commit (`GET .../check-runs?app_id=`), newest per name. */
async function ownChecks(input: SnapshotInput, sha: string): Promise<Record<string, OwnCheckRun>> {
  const { octokit, repo } = input;
  const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
    ...repo,
    ref: sha,
    app_id: input.appId,
    per_page: 100,
  });
  return ownRuns(input.appId, runs);
}

function ownRuns(appId: number, runs: readonly ListedRun[]): Record<string, OwnCheckRun> {
  const own: Record<string, OwnCheckRun> = {};
  for (const run of runs) {
    if (run.app?.id !== appId || !OWN_NAMES.has(run.name)) continue;
    const current = own[run.name];
    if (current && current.id > run.id) continue;
    own[run.name] = {
      id: run.id,
      name: run.name,
      headSha: run.head_sha,
      status: run.status as OwnCheckRun['status'],
      conclusion: run.conclusion ?? null,
      title: run.output.title ?? '',
      summary: run.output.summary ?? '',
    };
  }
  return own;
}

async function readStaging(input: SnapshotInput): Promise<StagingState | null> {
  const { octokit, repo } = input;
  let sha: string;
  try {
    sha = (await octokit.rest.git.getRef({ ...repo, ref: `heads/${STAGING_BRANCH}` })).data.object.sha;
  } catch (error) {
    if (classifyGitHubError(error) === 'not-found') return null;
    throw error;
  }
  const commit = (await octokit.rest.git.getCommit({ ...repo, commit_sha: sha })).data;
  const batch = parseBatchCommit(commit.message);
  const checks = batch ? (await checkState(input, sha)).checks : [];
  return { sha, batch, committedAtMs: Date.parse(commit.committer.date), checks };
}

/**
 * Required check names of the base branch: classic branch protection plus rulesets. A branch without
 * protection (404) or an app without the permission to read it (403) has none.
 */
async function readRequiredChecks(octokit: Octokit, repo: RepoRef, branch: string): Promise<string[]> {
  const names = new Set<string>();
  try {
    const { data } = await octokit.rest.repos.getBranch({ ...repo, branch });
    const required = data.protection?.required_status_checks;
    for (const context of required?.contexts ?? []) names.add(context);
    for (const check of required?.checks ?? []) names.add(check.context);
  } catch (error) {
    if (classifyGitHubError(error) !== 'not-found') throw error;
  }
  try {
    const { data } = await octokit.rest.repos.getBranchRules({ ...repo, branch, per_page: 100 });
    for (const rule of data) {
      if (rule.type !== 'required_status_checks') continue;
      for (const check of rule.parameters?.required_status_checks ?? []) names.add(check.context);
    }
  } catch (error) {
    if (classifyGitHubError(error) !== 'not-found') throw error;
  }
  return [...names].sort();
}

/** Branches under each task prefix (`GET /git/matching-refs/heads/<prefix>`). */
async function readTaskBranches(
  octokit: Octokit,
  repo: RepoRef,
  prefixes: readonly string[],
): Promise<BranchState[]> {
  const lists = await Promise.all(
    prefixes.map((prefix) =>
      octokit.paginate(octokit.rest.git.listMatchingRefs, { ...repo, ref: `heads/${prefix}`, per_page: 100 }),
    ),
  );
  return lists.flat().map((ref) => ({
    name: ref.ref.replace(/^refs\/heads\//, ''),
    sha: ref.object.sha,
    committedAtMs: null,
  }));
}

/** `tasks.dir` as a path prefix with one trailing slash (`./tasks/` and `tasks` both give `tasks/`). */
function tasksPrefix(config: RepoConfig): string {
  return `${config.tasks.dir.replace(/^\.?\/+|\/+$/g, '')}/`;
}
