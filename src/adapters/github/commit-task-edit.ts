/**
 * One task file edit committed straight onto the base branch (block, unblock, complete), with
 * compare-and-swap: read the head, edit, commit, fast-forward with `force: false`; when the branch
 * moved meanwhile (422), read again and redo the edit, up to `attempts` times.
 */
import type { RepoConfig } from '../../config/repo-config.js';
import type { BlobCache } from './blob-cache.js';
import { classifyGitHubError } from './errors.js';
import type { Octokit, RepoRef } from './octokit.js';
import { type BaseState, readBase } from './read-snapshot.js';
import { commitFiles, moveBranch } from './write-git.js';

export type TaskEditResult =
  | { readonly kind: 'committed'; readonly sha: string; readonly base: BaseState }
  | { readonly kind: 'unchanged'; readonly base: BaseState }
  | { readonly kind: 'refused'; readonly reason: string };

/**
 * Applies `edit` to the task's file on the base branch.
 *
 * @param edit new text from the current text and the base state; return a string to refuse.
 * @throws octokit errors, and an Error after `attempts` lost races.
 */
export async function commitTaskEdit(args: {
  octokit: Octokit;
  repo: RepoRef;
  config: RepoConfig;
  blobs: BlobCache;
  taskId: string;
  message: string;
  edit: (text: string, base: BaseState) => { text: string } | { refuse: string };
  attempts?: number;
  /** The base state already read (used for the first attempt). */
  base?: BaseState;
}): Promise<TaskEditResult> {
  const attempts = args.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    const base = attempt === 1 && args.base ? args.base : await readBase(args);
    const path = base.taskPaths.get(args.taskId);
    const text = path === undefined ? undefined : base.taskTexts.get(path);
    if (path === undefined || text === undefined)
      return { kind: 'refused', reason: `there is no task \`${args.taskId}\` on \`${base.baseBranch}\`` };
    const edited = args.edit(text, base);
    if ('refuse' in edited) return { kind: 'refused', reason: edited.refuse };
    if (edited.text === text) return { kind: 'unchanged', base };
    const sha = await commitFiles(args.octokit, args.repo, {
      parentSha: base.baseSha,
      files: [{ path, text: edited.text }],
      message: args.message,
    });
    try {
      await moveBranch(args.octokit, args.repo, base.baseBranch, sha, false);
      return { kind: 'committed', sha, base };
    } catch (error) {
      if (classifyGitHubError(error) !== 'not-fast-forward' || attempt >= attempts) throw error;
    }
  }
}
