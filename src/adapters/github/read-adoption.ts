/**
 * Reads what git knows about merged tasks, for adoption (`domain/adopt/evidence.ts`):
 * - the task branches: `GET /repos/{o}/{r}/git/matching-refs/heads/<prefix>` per prefix;
 * - the commits reachable from the base, newest first: `GET /repos/{o}/{r}/commits?sha=<base>`
 *   (docs "List commits": every parent is followed), at most `MAX_COMMITS`;
 * - every merged PR into the base: `GET /repos/{o}/{r}/pulls?state=closed&base=<base>`, all pages;
 * - for a task branch whose head is not among those commits (older history), `GET .../compare/
 *   {base}...{sha}`: status `behind` or `identical` means the head is reachable from the base
 *   (docs "Compare two commits").
 */
import type { AdoptionFacts, ReachableCommit } from '../../domain/adopt/evidence.js';
import type { Octokit, RepoRef } from './octokit.js';
import { readTaskBranches } from './read-snapshot.js';
import { mergedPullOf } from './read-staging.js';

/** Most commits of the base's history read (ten pages of 100). */
export const MAX_COMMITS = 1000;

/** Most compare requests for branches older than the commits read. */
export const MAX_COMPARES = 50;

/**
 * @param input.baseSha the base head the facts are read at.
 * @returns the facts; requests: one per prefix, ⌈commits/100⌉, ⌈closed PRs/100⌉, and one compare
 *   per task branch older than the newest `MAX_COMMITS` commits. @throws octokit errors.
 */
export async function readAdoptionFacts(input: {
  octokit: Octokit;
  repo: RepoRef;
  baseBranch: string;
  baseSha: string;
  prefixes: readonly string[];
}): Promise<AdoptionFacts> {
  const { octokit, repo, baseSha } = input;
  const [branches, commits, closed] = await Promise.all([
    readTaskBranches(octokit, repo, input.prefixes).then((list) =>
      list.map(({ name, sha }) => ({ name, sha })),
    ),
    readCommits(octokit, repo, baseSha),
    octokit.paginate(octokit.rest.pulls.list, {
      ...repo,
      state: 'closed',
      base: input.baseBranch,
      per_page: 100,
    }),
  ]);
  const listed = new Set(commits.map((c) => c.sha));
  const reachable = new Set<string>();
  const older = branches.filter((b) => !listed.has(b.sha)).slice(0, MAX_COMPARES);
  for (const b of branches) if (listed.has(b.sha)) reachable.add(b.sha);
  for (const b of older) {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
      ...repo,
      basehead: `${baseSha}...${b.sha}`,
      per_page: 1,
    });
    if (data.status === 'behind' || data.status === 'identical') reachable.add(b.sha);
  }
  return {
    baseSha,
    branches,
    reachable,
    commits,
    merged: closed.filter((p) => p.merged_at !== null).map((p) => mergedPullOf(repo, p)),
  };
}

async function readCommits(octokit: Octokit, repo: RepoRef, sha: string): Promise<ReachableCommit[]> {
  const out: ReachableCommit[] = [];
  for await (const page of octokit.paginate.iterator(octokit.rest.repos.listCommits, {
    ...repo,
    sha,
    per_page: 100,
  })) {
    for (const c of page.data) out.push({ sha: c.sha, subject: c.commit.message.split('\n', 1)[0] ?? '' });
    if (out.length >= MAX_COMMITS) break;
  }
  return out.slice(0, MAX_COMMITS);
}
