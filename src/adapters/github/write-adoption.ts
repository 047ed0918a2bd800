/**
 * Writes of the adoption PR (`coordinator/adopt`, see `domain/adopt/adoption-pull.ts`): finding it
 * (`GET /repos/{o}/{r}/pulls?head=<owner>:coordinator/adopt&state=all`, docs "List pull requests":
 * `head` filters by `user:ref-name`), committing its files on the base head and force-moving the
 * branch (the branch is the app's own), opening or updating it, closing it when nothing is left to
 * adopt, and, after it merged, deleting the merged task branches its marker lists.
 */
import {
  ADOPT_BRANCH,
  type AdoptionPull,
  type AdoptionRecord,
  parseAdoptionRecord,
} from '../../domain/adopt/adoption-pull.js';
import type { Octokit, RepoRef } from './octokit.js';
import { commitFiles, resetBranch } from './write-git.js';

/** An adoption PR as the app finds it. */
export interface FoundAdoption {
  readonly number: number;
  readonly url: string;
  readonly state: 'open' | 'closed';
  readonly merged: boolean;
  readonly title: string;
  readonly body: string;
  readonly record: AdoptionRecord | null;
}

/** The app's adoption PRs, newest first (same-repository heads only). @throws octokit errors. */
export async function findAdoptionPulls(octokit: Octokit, repo: RepoRef): Promise<FoundAdoption[]> {
  const pulls = await octokit.paginate(octokit.rest.pulls.list, {
    ...repo,
    state: 'all',
    head: `${repo.owner}:${ADOPT_BRANCH}`,
    per_page: 100,
  });
  const fullName = `${repo.owner}/${repo.repo}`.toLowerCase();
  return pulls
    .filter((p) => p.head.ref === ADOPT_BRANCH && (p.head.repo?.full_name ?? '').toLowerCase() === fullName)
    .sort((a, b) => b.number - a.number)
    .map((p) => ({
      number: p.number,
      url: p.html_url,
      state: p.state === 'open' ? 'open' : 'closed',
      merged: p.merged_at !== null,
      title: p.title,
      body: p.body ?? '',
      record: parseAdoptionRecord(p.body),
    }));
}

export type AdoptionWrite =
  | { readonly kind: 'opened' | 'updated'; readonly number: number; readonly url: string }
  | { readonly kind: 'unchanged'; readonly number: number; readonly url: string };

/**
 * Opens the adoption PR, or updates the open one when its body (which records every change)
 * differs: one commit of `pull.files` on `baseSha`, `coordinator/adopt` force-moved to it.
 * @throws octokit errors (403 without `contents`/`pull_requests: write`, 422 from GitHub).
 */
export async function writeAdoptionPull(
  octokit: Octokit,
  repo: RepoRef,
  args: { baseBranch: string; baseSha: string; pull: AdoptionPull; open: FoundAdoption | null },
): Promise<AdoptionWrite> {
  const { pull, open } = args;
  if (open && open.body === pull.body && open.title === pull.title)
    return { kind: 'unchanged', number: open.number, url: open.url };
  const sha = await commitFiles(octokit, repo, {
    parentSha: args.baseSha,
    files: pull.files,
    message: `${pull.title}\n\nProposed by Taskgraph Coordinator from the evidence in git; see the pull request.`,
  });
  await resetBranch(octokit, repo, ADOPT_BRANCH, sha);
  if (open) {
    await octokit.rest.pulls.update({
      ...repo,
      pull_number: open.number,
      title: pull.title,
      body: pull.body,
    });
    return { kind: 'updated', number: open.number, url: open.url };
  }
  const { data } = await octokit.rest.pulls.create({
    ...repo,
    head: ADOPT_BRANCH,
    base: args.baseBranch,
    title: pull.title,
    body: pull.body,
  });
  return { kind: 'opened', number: data.number, url: data.html_url };
}

/** Closes an adoption PR with one comment saying why (`POST .../comments`, `PATCH .../pulls/N`). */
export async function closeAdoptionPull(
  octokit: Octokit,
  repo: RepoRef,
  number: number,
  reason: string,
): Promise<void> {
  await octokit.rest.issues.createComment({ ...repo, issue_number: number, body: reason });
  await octokit.rest.pulls.update({ ...repo, pull_number: number, state: 'closed' });
}

/**
 * After the adoption PR merged: deletes each listed branch that still points at its recorded SHA
 * (`GET .../git/ref/heads/<b>`, `DELETE .../git/refs/heads/<b>`; a 404 means it is gone already),
 * and the `coordinator/adopt` branch.
 * @returns the branches deleted. @throws octokit errors other than 404 and 422.
 */
export async function deleteAdoptedBranches(
  octokit: Octokit,
  repo: RepoRef,
  record: AdoptionRecord,
): Promise<string[]> {
  const deleted: string[] = [];
  for (const branch of [...record.branches, { name: ADOPT_BRANCH, sha: null }]) {
    try {
      const { data } = await octokit.rest.git.getRef({ ...repo, ref: `heads/${branch.name}` });
      if (branch.sha !== null && data.object.sha !== branch.sha) continue;
      await octokit.rest.git.deleteRef({ ...repo, ref: `heads/${branch.name}` });
      if (branch.sha !== null) deleted.push(branch.name);
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status !== 404 && status !== 422) throw error;
    }
  }
  return deleted;
}
