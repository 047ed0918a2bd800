/**
 * Git writes through the Git Data API: one commit for many file edits, and ref moves with
 * compare-and-swap (`force: false` fails with 422 "Update is not a fast forward" when the ref moved;
 * docs: "Update a reference"). Octokit encodes `heads/main` in the path as `heads%2Fmain`.
 */
import type { Octokit, RepoRef } from './octokit.js';

/**
 * Commits `files` on top of `parentSha` without touching a ref.
 *
 * @param files full new texts by path (an empty list makes a commit with the parent's tree).
 * @returns the new commit's SHA. @throws octokit errors.
 */
export async function commitFiles(
  octokit: Octokit,
  repo: RepoRef,
  args: { parentSha: string; files: readonly { path: string; text: string }[]; message: string },
): Promise<string> {
  const parent = await octokit.rest.git.getCommit({ ...repo, commit_sha: args.parentSha });
  let treeSha = parent.data.tree.sha;
  if (args.files.length > 0) {
    const tree = await octokit.rest.git.createTree({
      ...repo,
      base_tree: treeSha,
      tree: args.files.map((f) => ({
        path: f.path,
        mode: '100644' as const,
        type: 'blob' as const,
        content: f.text,
      })),
    });
    treeSha = tree.data.sha;
  }
  const commit = await octokit.rest.git.createCommit({
    ...repo,
    message: args.message,
    tree: treeSha,
    parents: [args.parentSha],
  });
  return commit.data.sha;
}

/** Moves `heads/<branch>` to `sha`; with `force: false` only as a fast-forward (CAS). */
export async function moveBranch(
  octokit: Octokit,
  repo: RepoRef,
  branch: string,
  sha: string,
  force: boolean,
): Promise<void> {
  await octokit.rest.git.updateRef({ ...repo, ref: `heads/${branch}`, sha, force });
}

/** Points `branch` at `sha`, creating it when missing (the staging branch is the app's own). */
export async function resetBranch(
  octokit: Octokit,
  repo: RepoRef,
  branch: string,
  sha: string,
): Promise<void> {
  try {
    await octokit.rest.git.updateRef({ ...repo, ref: `heads/${branch}`, sha, force: true });
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== 422 && status !== 404) throw error;
    await octokit.rest.git.createRef({ ...repo, ref: `refs/heads/${branch}`, sha });
  }
}
