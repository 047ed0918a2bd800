/**
 * What the app keeps in branches of its own, read back each reconcile: the batches on the staging
 * branches of the train (each head commit's trailers, checks and the app's own runs), the status
 * edits waiting on `coordinator/status` (its head's trailers, and `GET .../compare/{base}...{head}`
 * to know whether the base already holds them), the recently merged PRs (drift repair, follow-up),
 * and the PRs of batches in the base's recent history (follow-up).
 */
import { parseBatchCommit, parseStatusEdits } from '../../domain/merge/batch-trailers.js';
import {
  CHECK_NAMES,
  isStagingBranch,
  type MergedPull,
  type PendingStatus,
  type PromotedEntry,
  type StagingState,
} from '../../domain/merge/types.js';
import type { BlobCache } from './blob-cache.js';
import { classifyGitHubError } from './errors.js';
import type { Octokit, RepoRef } from './octokit.js';
import { checkState, ownChecks } from './read-pulls.js';

/** The branch where status edits wait for a staging run (branch rules require checks). */
export const STATUS_BRANCH = 'coordinator/status';

/** The sha of `heads/<branch>`, or null when the branch does not exist. @throws other octokit errors. */
export async function branchSha(octokit: Octokit, repo: RepoRef, branch: string): Promise<string | null> {
  try {
    return (await octokit.rest.git.getRef({ ...repo, ref: `heads/${branch}` })).data.object.sha;
  } catch (error) {
    if (classifyGitHubError(error) === 'not-found') return null;
    throw error;
  }
}

/**
 * Every branch under `coordinator/` with its head (`GET .../git/matching-refs/heads/coordinator/`:
 * one request, usually a 304, for all staging branches and `coordinator/status`).
 */
export async function readAppBranches(octokit: Octokit, repo: RepoRef): Promise<Map<string, string>> {
  const { data } = await octokit.rest.git.listMatchingRefs({
    ...repo,
    ref: 'heads/coordinator/',
  });
  return new Map(data.map((ref) => [ref.ref.replace(/^refs\/heads\//, ''), ref.object.sha]));
}

/** A commit's message (`GET .../git/commits/{sha}`), cached: a commit never changes. */
async function commitMessage(
  octokit: Octokit,
  repo: RepoRef,
  blobs: BlobCache,
  sha: string,
): Promise<string> {
  return blobs.immutable(
    `commit:${repo.owner}/${repo.repo}@${sha}:message`,
    async () => (await octokit.rest.git.getCommit({ ...repo, commit_sha: sha })).data.message,
  );
}

/**
 * Whether a batch of the merge train is under test on the base head: a staging branch whose batch
 * commit (its `Coordinator-Base` trailer) was built on `baseSha`. One `GET .../git/commits/{sha}`
 * per staging branch not at the base head, cached (a commit never changes).
 * @throws octokit errors.
 */
export async function batchUnderTest(input: {
  octokit: Octokit;
  repo: RepoRef;
  blobs: BlobCache;
  branches: ReadonlyMap<string, string>;
  baseSha: string;
}): Promise<boolean> {
  const { octokit, repo } = input;
  for (const [name, sha] of input.branches) {
    if (!isStagingBranch(name) || sha === input.baseSha) continue;
    const message = await commitMessage(octokit, repo, input.blobs, sha);
    if (parseBatchCommit(message)?.baseSha === input.baseSha) return true;
  }
  return false;
}

/** The staging branches of the train and their batches (see `domain/merge/train.ts`). */
export async function readStaging(input: {
  octokit: Octokit;
  repo: RepoRef;
  appId: number;
  blobs: BlobCache;
  branches: ReadonlyMap<string, string>;
}): Promise<StagingState[]> {
  const { octokit, repo } = input;
  const staging = [...input.branches].filter(([name]) => isStagingBranch(name));
  return Promise.all(
    staging.map(async ([branch, sha]) => {
      const commit = await input.blobs.immutable(`commit:${repo.owner}/${repo.repo}@${sha}`, async () => {
        const { data } = await octokit.rest.git.getCommit({ ...repo, commit_sha: sha });
        return { message: data.message, date: data.committer.date };
      });
      const batch = parseBatchCommit(commit.message);
      const state = batch ? await checkState(input, sha) : { checks: [], own: {} };
      return {
        branch,
        sha,
        batch,
        committedAtMs: Date.parse(commit.date),
        checks: state.checks,
        ownChecks: state.own,
      };
    }),
  );
}

/** Edits waiting on `coordinator/status`, or null (no branch, or the base already contains its head). */
export async function readPendingStatus(input: {
  octokit: Octokit;
  repo: RepoRef;
  baseSha: string;
  blobs: BlobCache;
  branches: ReadonlyMap<string, string>;
}): Promise<PendingStatus | null> {
  const { octokit, repo } = input;
  const sha = input.branches.get(STATUS_BRANCH);
  if (!sha) return null;
  const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
    ...repo,
    basehead: `${input.baseSha}...${sha}`,
    per_page: 1,
  });
  if (data.status === 'identical' || data.status === 'behind') return null;
  const message = await commitMessage(octokit, repo, input.blobs, sha);
  return { sha, edits: parseStatusEdits(message) };
}

/** The last 30 closed PRs into the base that GitHub marked merged, with the head it merged. */
export async function readRecentlyMerged(
  octokit: Octokit,
  repo: RepoRef,
  baseBranch: string,
): Promise<MergedPull[]> {
  const closed = await octokit.rest.pulls.list({
    ...repo,
    state: 'closed',
    base: baseBranch,
    sort: 'updated',
    direction: 'desc',
    per_page: 30,
  });
  return closed.data.filter((p) => p.merged_at !== null).map((p) => mergedPullOf(repo, p));
}

/** A closed PR of `GET /repos/{o}/{r}/pulls` as a `MergedPull` (the caller checks `merged_at`). */
export function mergedPullOf(
  repo: RepoRef,
  p: {
    number: number;
    title: string;
    body: string | null;
    html_url: string;
    head: { ref: string; sha: string; repo: { full_name: string } | null };
  },
): MergedPull {
  return {
    number: p.number,
    title: p.title,
    body: p.body ?? '',
    headRef: p.head.ref,
    url: p.html_url,
    headSha: p.head.sha,
    fromFork: (p.head.repo?.full_name ?? '').toLowerCase() !== `${repo.owner}/${repo.repo}`.toLowerCase(),
  };
}

/** How many of the base's latest commits are searched for promoted batches (`GET .../commits`, one page). */
export const HISTORY_DEPTH = 100;

/**
 * PRs of the batches in the base's recent history (`GET .../commits?sha=<base>`, their messages'
 * trailers) whose follow-up is not known to be done, each with the app's `Merge queue` and `Merge
 * order` runs on its head. An entry whose `Merge queue` run is completed as "Merged" and whose
 * `Merge order` run is not in progress is remembered in `settled` and not read again.
 */
export async function readPromoted(input: {
  octokit: Octokit;
  repo: RepoRef;
  appId: number;
  baseSha: string;
  settled: SettledSet;
}): Promise<PromotedEntry[]> {
  const { octokit, repo } = input;
  const { data } = await octokit.rest.repos.listCommits({
    ...repo,
    sha: input.baseSha,
    per_page: HISTORY_DEPTH,
  });
  const out: PromotedEntry[] = [];
  for (const commit of data) {
    const batch = parseBatchCommit(commit.commit.message);
    for (const entry of batch?.entries ?? []) {
      const key = `${repo.owner}/${repo.repo}#${entry.number}@${entry.headSha}`;
      if (input.settled.has(key)) continue;
      const own = await ownChecks(input, entry.headSha);
      const queueRun = own[CHECK_NAMES.queue] ?? null;
      const orderRun = own[CHECK_NAMES.order] ?? null;
      if (
        queueRun?.status === 'completed' &&
        queueRun.conclusion === 'success' &&
        (orderRun === null || orderRun.status === 'completed')
      )
        input.settled.add(key);
      out.push({ entry, commitSha: commit.sha, queueRun, orderRun });
    }
  }
  return out;
}

/** Follow-ups known to be done (bounded; a restart forgets them and reads them once again). */
export interface SettledSet {
  has(key: string): boolean;
  add(key: string): void;
}
