/**
 * Adoption of a drifted repository: what git says was merged, against what the task files say.
 * Pure; the adapter (`adapters/github/read-adoption.ts`) gathers the facts.
 *
 * A task counts as merged when any of these holds (each is one piece of evidence, all are listed):
 * - `branch`: its task branch's head is reachable from the base branch (a merge or a fast-forward
 *   took it), unless that head is the base head itself (a branch that was created and never
 *   committed to) or a commit whose message names another task (the branch was created from
 *   another task's merge and never committed to);
 * - `pull`: a PR from its task branch (or whose body says `Task: <id>`) was merged into the base;
 * - `commit`: a commit reachable from the base whose subject names its branch or its id, in the
 *   forms git and coordinator agents write: `Merge branch 'feat/<id>'`, `Merge remote-tracking
 *   branch 'origin/feat/<id>'`, `Merge origin/feat/<id> into …`, `Merge pull request #N from
 *   owner/feat/<id>`, `Merge <id>: …` and the app's own `Merge task <id>`.
 *
 * Tasks with evidence whose file does not say `completed` are adopted (set to `completed`); so is
 * every task whose file says `done` (read as `completed`, but not the canonical word). Commits that
 * only mention a task in free text are not evidence: wraith's agents wrote free text on their
 * commits, and only merge subjects name branches reliably (see `shared/taskgraphs/wraith`).
 */

import { taskOfPull } from '../merge/task-pulls.js';
import type { MergedPull } from '../merge/types.js';
import type { BranchIndex } from '../tasks/branch-names.js';
import type { TaskGraph } from '../tasks/graph.js';

/** One commit reachable from the base (as `GET /repos/{o}/{r}/commits` lists them). */
export interface ReachableCommit {
  readonly sha: string;
  /** The first line of the message. */
  readonly subject: string;
}

/** A branch under a task prefix. */
export interface TaskBranchRef {
  readonly name: string;
  readonly sha: string;
}

export type Evidence =
  | { readonly kind: 'branch'; readonly branch: string; readonly sha: string }
  | { readonly kind: 'pull'; readonly number: number; readonly title: string; readonly url: string }
  | { readonly kind: 'commit'; readonly sha: string; readonly subject: string };

/** What git knows, as the adapter read it. */
export interface AdoptionFacts {
  readonly baseSha: string;
  /** Branches under the task prefixes. */
  readonly branches: readonly TaskBranchRef[];
  /** SHAs of the branches whose head is reachable from the base (listed, or by compare). */
  readonly reachable: ReadonlySet<string>;
  /** Commits reachable from the base, newest first (possibly only the newest N). */
  readonly commits: readonly ReachableCommit[];
  /** Merged PRs into the base (every page). */
  readonly merged: readonly MergedPull[];
}

/** One task the adoption sets to `completed`. */
export interface AdoptedTask {
  readonly taskId: string;
  readonly path: string;
  /** The status word the file has now (`pending`, `done`, …). */
  readonly was: string;
  readonly evidence: readonly Evidence[];
}

export interface AdoptionProposal {
  /** Tasks to set to `completed`, sorted by id. */
  readonly tasks: readonly AdoptedTask[];
  /** Task branches whose head is in the base (merged), sorted by name: deleted after the PR merges. */
  readonly mergedBranches: readonly TaskBranchRef[];
  /** Tasks with evidence that already say `completed` (nothing to change), sorted. */
  readonly alreadyCompleted: readonly string[];
}

/**
 * The branch a merge subject names (`origin/` and other remote names stripped by the caller's
 * lookup), or the task id it names directly. Forms: see the module header.
 */
export function namedInSubject(subject: string): { branch?: string; taskId?: string } | null {
  const s = subject.trim();
  const quoted = /^Merge (?:remote-tracking )?branch '([^']+)'/.exec(s);
  if (quoted) return { branch: quoted[1] as string };
  const pull = /^Merge pull request #\d+ from [^/\s]+\/(\S+)/.exec(s);
  if (pull) return { branch: pull[1] as string };
  const task = /^Merge task (\S+?)(?::|\s|$)/.exec(s);
  if (task) return { taskId: task[1] as string };
  const bare = /^Merge (\S+?)(?::|\s|$)/.exec(s);
  if (bare) return { branch: bare[1] as string, taskId: bare[1] as string };
  return null;
}

/**
 * The task a commit subject names, if any: its branch (with or without a remote name such as
 * `origin/`) through `index`, else an id of the graph written after `Merge ` or `Merge task `.
 */
export function taskOfSubject(subject: string, graph: TaskGraph, index: BranchIndex): string | null {
  const named = namedInSubject(subject);
  if (!named) return null;
  if (named.branch !== undefined) {
    for (const candidate of withoutRemote(named.branch)) {
      const match = index.lookup(candidate);
      if (match.kind === 'task') return match.taskId;
    }
  }
  if (named.taskId !== undefined && graph.tasks.has(named.taskId)) return named.taskId;
  return null;
}

function withoutRemote(branch: string): string[] {
  const slash = branch.indexOf('/');
  return slash > 0 ? [branch, branch.slice(slash + 1)] : [branch];
}

/**
 * The evidence per task and the proposal: which tasks to set to `completed`, which merged branches
 * to delete. Pure and deterministic (sorted output).
 */
export function proposeAdoption(input: {
  graph: TaskGraph;
  index: BranchIndex;
  paths: ReadonlyMap<string, string>;
  facts: AdoptionFacts;
}): AdoptionProposal {
  const { graph, index, facts } = input;
  const evidence = new Map<string, Evidence[]>();
  const add = (taskId: string, item: Evidence) => {
    const list = evidence.get(taskId) ?? [];
    list.push(item);
    evidence.set(taskId, list);
  };
  const subjectOf = new Map(facts.commits.map((c) => [c.sha, c.subject]));

  for (const commit of facts.commits) {
    const taskId = taskOfSubject(commit.subject, graph, index);
    if (taskId) add(taskId, { kind: 'commit', sha: commit.sha, subject: commit.subject });
  }
  for (const pull of facts.merged) {
    const match = taskOfPull(pull, graph, index);
    if (match.kind === 'task')
      add(match.taskId, { kind: 'pull', number: pull.number, title: pull.title, url: pull.url });
  }
  const mergedBranches: TaskBranchRef[] = [];
  for (const branch of facts.branches) {
    const match = index.lookup(branch.name);
    if (match.kind !== 'task' || !facts.reachable.has(branch.sha) || branch.sha === facts.baseSha) continue;
    const subject = subjectOf.get(branch.sha);
    const other = subject === undefined ? null : taskOfSubject(subject, graph, index);
    if (other !== null && other !== match.taskId) continue;
    mergedBranches.push(branch);
    add(match.taskId, { kind: 'branch', branch: branch.name, sha: branch.sha });
  }

  const tasks: AdoptedTask[] = [];
  const alreadyCompleted: string[] = [];
  for (const id of graph.ids) {
    const task = graph.tasks.get(id);
    const path = input.paths.get(id);
    if (!task || !path) continue;
    const found = evidence.get(id) ?? [];
    const was = task.statusAlias ?? task.status;
    if (was === 'completed') {
      if (found.length > 0) alreadyCompleted.push(id);
      continue;
    }
    if (found.length > 0 || task.status === 'completed')
      tasks.push({ taskId: id, path, was, evidence: found });
  }
  mergedBranches.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { tasks, mergedBranches, alreadyCompleted };
}
