/**
 * Reads the open PRs into the base branch that the planner cares about: task PRs (by branch or
 * `Task: <id>` line, or a task-prefixed branch), and any PR that changes the task files or
 * `.github/coordinator.yml` (it gets a `Task graph` check for the graph after its merge).
 *
 * Per PR (read `PULL_READ_CONCURRENCY` at a time): its changed files (once per head SHA), one
 * listing of the head's check runs (the app's own taken from it too) and its combined status,
 * head blobs of changed task files not yet cached, and when they matter: the PR itself for
 * `mergeable_state` (direct strategy), its reviews with each reviewer's permission (branch rules
 * require reviews), the CODEOWNERS owners of its files (code owner reviews required).
 */
import pLimit from 'p-limit';
import {
  CONFIG_FILE,
  type ConfigProblem,
  parseRepoConfig,
  type RepoConfig,
} from '../../config/repo-config.js';
import { taskFileChange } from '../../domain/merge/status-changes.js';
import { hasTaskPrefix, taskOfPull } from '../../domain/merge/task-pulls.js';
import { CHECK_NAMES, type CheckResult, type OwnCheckRun, type PullState } from '../../domain/merge/types.js';
import type { ReviewRule } from '../../domain/rules/branch-rules.js';
import { type PullReview, parseCodeowners } from '../../domain/rules/review-gate.js';
import type { BranchIndex } from '../../domain/tasks/branch-names.js';
import { loadTaskGraph } from '../../domain/tasks/load-graph.js';
import { loadYaml } from '../../domain/tasks/yaml.js';
import type { BlobCache } from './blob-cache.js';
import type { Octokit, RepoRef } from './octokit.js';
import type { PermissionCache } from './permissions.js';
import { type BaseState, tasksPrefix } from './read-base.js';

/** Task PRs read at once (each read is 3 requests, 2 of them concurrent). */
export const PULL_READ_CONCURRENCY = 6;

const OWN_NAMES: ReadonlySet<string> = new Set(Object.values(CHECK_NAMES));
const WRITERS: ReadonlySet<string> = new Set(['admin', 'maintain', 'write']);
const CONFIG_PATH = `.github/${CONFIG_FILE}`;

export interface PullsInput {
  readonly octokit: Octokit;
  readonly repo: RepoRef;
  readonly config: RepoConfig;
  readonly appId: number;
  readonly blobs: BlobCache;
  readonly permissions: PermissionCache;
  readonly base: BaseState;
  readonly index: BranchIndex;
  /** The review requirement of the base branch, null when none. */
  readonly reviews: ReviewRule | null;
  /** The open PRs' listing already under way (`listOpenPulls`), started before the base was read. */
  readonly open?: Promise<ListedPull[]>;
}

/** Every open PR into `baseBranch` (`GET /repos/{o}/{r}/pulls?state=open`, every page). @throws octokit errors. */
export function listOpenPulls(octokit: Octokit, repo: RepoRef, baseBranch: string): Promise<ListedPull[]> {
  return octokit.paginate(octokit.rest.pulls.list, {
    ...repo,
    state: 'open',
    base: baseBranch,
    per_page: 100,
  });
}

/** A commit's parents (`GET .../git/commits/{sha}`), read once per commit: a commit never changes. */
function parentsOf(input: PullsInput, headSha: string): Promise<string[]> {
  const { octokit, repo } = input;
  return input.blobs.immutable(`parents:${repo.owner}/${repo.repo}@${headSha}`, async () =>
    (await octokit.rest.git.getCommit({ ...repo, commit_sha: headSha })).data.parents.map((p) => p.sha),
  );
}

type ListedPull = Awaited<ReturnType<Octokit['rest']['pulls']['list']>>['data'][number];
type ListedRun = Awaited<ReturnType<Octokit['rest']['checks']['listForRef']>>['data']['check_runs'][number];
type ListedFile = Awaited<ReturnType<Octokit['rest']['pulls']['listFiles']>>['data'][number];

/** Reads every PR the planner cares about. @throws octokit errors. */
export async function readPulls(input: PullsInput): Promise<PullState[]> {
  const { octokit, repo, base } = input;
  const open = await (input.open ?? listOpenPulls(octokit, repo, base.baseBranch));
  // PRs are read a few at a time: a reconcile's latency is then not the sum of every PR's round
  // trips, and GitHub's limit of 100 concurrent requests stays far away.
  const limit = pLimit(PULL_READ_CONCURRENCY);
  const read = await Promise.all(open.map((pull) => limit(() => readPull(input, pull))));
  return read.filter((p): p is PullState => p !== null);
}

async function readPull(input: PullsInput, pull: ListedPull): Promise<PullState | null> {
  const { octokit, repo, config, base } = input;
  const body = pull.body ?? '';
  const isTask =
    taskOfPull({ body, headRef: pull.head.ref }, base.loaded.graph, input.index).kind !== 'not-a-task' ||
    hasTaskPrefix(pull.head.ref, config.branches.prefixes);
  // A task PR's checks (and its head's parents, for superseded runs) are read with its files, not
  // after them: a new head is then one round trip from staging instead of three.
  const checksRead = isTask ? checkState(input, pull.head.sha) : null;
  const parentsRead = isTask ? parentsOf(input, pull.head.sha) : null;
  for (const read of [checksRead, parentsRead]) read?.catch(() => undefined);
  // The files of a head never change (GitHub diffs against the merge base), so read them once per head.
  const files = await input.blobs.immutable(
    `files:${repo.owner}/${repo.repo}#${pull.number}@${pull.head.sha}`,
    () =>
      octokit.paginate(octokit.rest.pulls.listFiles, { ...repo, pull_number: pull.number, per_page: 100 }),
  );
  const dir = tasksPrefix(config);
  const isTaskFile = (path: string | undefined) => path?.startsWith(dir) === true && path.endsWith('.md');
  const touchesGraph = files.some(
    (f) => isTaskFile(f.filename) || isTaskFile(f.previous_filename) || f.filename === CONFIG_PATH,
  );
  if (!isTask && !touchesGraph) return null;

  const headTexts = new Map<string, string | null>();
  await Promise.all(
    files
      .filter((f) => isTaskFile(f.filename) || f.filename === CONFIG_PATH)
      .map(async (f) => {
        headTexts.set(
          f.filename,
          f.status === 'removed' || !f.sha ? null : await input.blobs.text(octokit, repo, f.sha),
        );
      }),
  );
  const taskFileChanges = files
    .filter((f) => isTaskFile(f.filename))
    .map((f) =>
      taskFileChange(
        f.filename,
        base.taskTexts.get(f.previous_filename ?? f.filename) ?? null,
        headTexts.get(f.filename) ?? null,
      ),
    );
  const { checks, own } = await (checksRead ?? checkState(input, pull.head.sha));
  const superseded =
    own[CHECK_NAMES.order] || own[CHECK_NAMES.graph]
      ? []
      : await supersededRuns(input, await (parentsRead ?? parentsOf(input, pull.head.sha)));
  const mergeableState =
    config.merge.strategy === 'direct' && isTask
      ? ((await octokit.rest.pulls.get({ ...repo, pull_number: pull.number })).data.mergeable_state ?? null)
      : null;
  const needsReviews = isTask && input.reviews !== null && pull.draft !== true;
  const reviews = needsReviews ? await readReviews(input, pull.number) : null;
  const owners =
    needsReviews && input.reviews?.codeOwners && base.codeownersSha
      ? ownersOf(await input.blobs.text(octokit, repo, base.codeownersSha), files)
      : undefined;
  const fullName = `${repo.owner}/${repo.repo}`.toLowerCase();
  return {
    number: pull.number,
    title: pull.title,
    body,
    headRef: pull.head.ref,
    headSha: pull.head.sha,
    draft: pull.draft === true,
    labels: pull.labels.map((l) => l.name),
    createdAt: pull.created_at,
    updatedAt: pull.updated_at ?? pull.created_at,
    url: pull.html_url,
    changedFiles: files.map((f) => f.filename),
    taskFileChanges: isTask ? taskFileChanges : [],
    checks,
    ownChecks: own,
    mergeableState,
    author: pull.user?.login ?? '',
    fromFork: (pull.head.repo?.full_name ?? '').toLowerCase() !== fullName,
    reviews,
    ...(superseded.length > 0 ? { superseded } : {}),
    ...(owners ? { owners } : {}),
    ...(touchesGraph ? { proposed: proposedGraph(input, files, headTexts) } : {}),
  };
}

/** The graph after the merge: base task files with this PR's versions, and its config's problems. */
function proposedGraph(
  input: PullsInput,
  files: readonly ListedFile[],
  headTexts: ReadonlyMap<string, string | null>,
): NonNullable<PullState['proposed']> {
  const texts = new Map(input.base.taskTexts);
  const dir = tasksPrefix(input.config);
  for (const f of files) {
    if (f.previous_filename) texts.delete(f.previous_filename);
    if (!f.filename.startsWith(dir) || !f.filename.endsWith('.md')) continue;
    const text = headTexts.get(f.filename);
    if (text === null || text === undefined) texts.delete(f.filename);
    else texts.set(f.filename, text);
  }
  const loaded = loadTaskGraph(
    [...texts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, text]) => ({ path, text })),
    { prefixes: input.config.branches.prefixes },
  );
  let configProblems: ConfigProblem[] = [];
  const configText = headTexts.get(CONFIG_PATH);
  if (configText !== undefined) {
    if (configText === null) configProblems = [];
    else {
      try {
        const result = parseRepoConfig(loadYaml(configText));
        configProblems = result.ok ? [] : result.problems;
      } catch (error) {
        configProblems = [
          { key: '(root)', message: `YAML error: ${(error as Error).message.split('\n')[0]}` },
        ];
      }
    }
  }
  return { loaded, configProblems };
}

/**
 * The app's runs in progress on the parents of a head the app has not written on yet: an agent that
 * merges the base into its branch or pushes a fix makes the old head a parent of the new one.
 * (A force push leaves no such trace; its old head's runs stay as they were.)
 */
async function supersededRuns(input: PullsInput, parents: readonly string[]): Promise<OwnCheckRun[]> {
  const runs = await Promise.all(
    parents.filter((p) => p !== input.base.baseSha).map((p) => ownChecks(input, p)),
  );
  return runs.flatMap((own) => Object.values(own)).filter((run) => run.status !== 'completed');
}

/** Reviews with whether each reviewer has write access (collaborator permission API, cached). */
async function readReviews(input: PullsInput, pullNumber: number): Promise<PullReview[]> {
  const { octokit, repo } = input;
  const listed = await octokit.paginate(octokit.rest.pulls.listReviews, {
    ...repo,
    pull_number: pullNumber,
    per_page: 100,
  });
  return Promise.all(
    listed
      .filter((r) => r.user?.login)
      .map(async (r) => {
        const user = r.user?.login as string;
        const permission = await input.permissions.permission(octokit, repo, user);
        return {
          user,
          state: (r.state ?? 'COMMENTED').toUpperCase() as PullReview['state'],
          commitId: r.commit_id ?? '',
          canWrite: WRITERS.has(permission),
        };
      }),
  );
}

function ownersOf(codeowners: string, files: readonly ListedFile[]): string[][] {
  const owner = parseCodeowners(codeowners);
  return files.map((f) => [...owner(f.filename)]);
}

/**
 * One listing of a commit's check runs (all apps) plus its combined status: every check reduced to
 * pending/success/failure (with the app and a link), and the app's own runs (newest per name)
 * taken from the same listing.
 */
export async function checkState(
  input: Pick<PullsInput, 'octokit' | 'repo' | 'appId'>,
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
    appId: run.app?.id ?? null,
    url: run.details_url || run.html_url || null,
  }));
  for (const s of status.data.statuses) {
    checks.push({
      name: s.context,
      outcome: s.state === 'success' ? 'success' : s.state === 'pending' ? 'pending' : 'failure',
      appId: null,
      url: s.target_url ?? null,
    });
  }
  return { checks, own: ownRuns(input.appId, runs) };
}

/** The app's own check runs on a commit (`GET .../check-runs?app_id=`), newest per name. */
export async function ownChecks(
  input: Pick<PullsInput, 'octokit' | 'repo' | 'appId'>,
  sha: string,
): Promise<Record<string, OwnCheckRun>> {
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
      externalId: run.external_id ?? null,
    };
  }
  return own;
}
