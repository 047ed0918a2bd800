/**
 * One task file edit of a command (block, unblock, complete), written the way the base branch's
 * rules allow:
 * - `direct`: committed straight onto the base with compare-and-swap: read the head, edit, commit,
 *   fast-forward with `force: false`; when the branch moved meanwhile (422), read again and redo the
 *   edit, up to `attempts` times;
 * - `staging` (the rules require checks the app cannot skip, or a batch is under test on the base,
 *   which a commit on the base would send back to be rebuilt and tested again): committed onto
 *   `coordinator/status`, on top of the edits already waiting there (fast-forward, so a concurrent
 *   edit is never lost); it rides with the next batch, or lands on its own once the train is empty;
 * - `refused` never gets here: the command says which setting to change.
 * Edits are judged against the base's statuses overlaid with the ones waiting on `coordinator/status`.
 */
import { statusBranchMessage } from '../../domain/merge/batch-trailers.js';
import type { PendingStatus } from '../../domain/merge/types.js';
import type { TaskStatus } from '../../domain/tasks/types.js';
import type { BlobCache } from './blob-cache.js';
import type { Octokit, RepoRef } from './octokit.js';
import { type BaseInput, type BaseState, fileAt, readBase } from './read-base.js';
import { readAppBranches, readPendingStatus, STATUS_BRANCH } from './read-staging.js';
import { RepoWriter } from './repo-writer.js';

export type TaskEditResult =
  | { readonly kind: 'committed'; readonly sha: string; readonly base: BaseState }
  | { readonly kind: 'queued'; readonly sha: string; readonly base: BaseState }
  | { readonly kind: 'unchanged'; readonly base: BaseState }
  | { readonly kind: 'refused'; readonly reason: string };

/** What an edit sees: the base, and each task's status with waiting edits applied. */
export interface EditContext {
  readonly base: BaseState;
  readonly statusOf: (taskId: string) => TaskStatus | undefined;
}

/**
 * Applies `edit` to the task's file.
 *
 * @param edit new text from the current text; return `{ refuse }` to refuse.
 * @param status the status the edit sets (listed on `coordinator/status` while it waits).
 * @throws octokit errors, and an Error after `attempts` lost races.
 */
export async function commitTaskEdit(
  args: BaseInput & {
    octokit: Octokit;
    repo: RepoRef;
    blobs: BlobCache;
    taskId: string;
    status: TaskStatus;
    message: string;
    /**
     * Where the edit goes. Given the app's branches (`coordinator/…` heads) and the base head, so it
     * can send the edit to `coordinator/status` while a batch is under test on the base.
     */
    route: (branches: ReadonlyMap<string, string>, baseSha: string) => Promise<'direct' | 'staging'>;
    edit: (text: string, context: EditContext) => { text: string } | { refuse: string };
    attempts?: number;
    /** The base state already read (used for the first attempt). */
    base?: BaseState;
  },
): Promise<TaskEditResult> {
  const attempts = args.attempts ?? 3;
  const writer = new RepoWriter(args.octokit, args.repo);
  for (let attempt = 1; ; attempt++) {
    const base = attempt === 1 && args.base ? args.base : await readBase(args);
    const path = base.taskPaths.get(args.taskId);
    const baseText = path === undefined ? undefined : base.taskTexts.get(path);
    if (path === undefined || baseText === undefined)
      return { kind: 'refused', reason: `there is no task \`${args.taskId}\` on \`${base.baseBranch}\`` };
    const branches = await readAppBranches(args.octokit, args.repo);
    const pending = await readPendingStatus({ ...args, baseSha: base.baseSha, branches });
    const context: EditContext = { base, statusOf: statusOverlay(base, pending) };
    const text = pending ? await fileAt(args.octokit, args.repo, path, pending.sha) : baseText;
    const edited = args.edit(text, context);
    if ('refuse' in edited) return { kind: 'refused', reason: edited.refuse };
    if (edited.text === text) return { kind: 'unchanged', base };
    const route = await args.route(branches, base.baseSha);
    const parentSha = route === 'staging' && pending ? pending.sha : base.baseSha;
    const message =
      route === 'staging'
        ? statusBranchMessage(
            args.message.split('\n')[0] ?? '',
            [...(pending?.edits ?? []), { taskId: args.taskId, status: args.status }],
            args.message.split('\n').slice(1).join('\n').trim(),
          )
        : args.message;
    const sha = await writer.commit({ parentSha, files: [{ path, text: edited.text }], message });
    const moved =
      route === 'direct'
        ? await writer.move(base.baseBranch, sha, false)
        : pending
          ? await writer.move(STATUS_BRANCH, sha, false)
          : await writer.reset(STATUS_BRANCH, sha);
    if (moved.kind === 'moved') return { kind: route === 'direct' ? 'committed' : 'queued', sha, base };
    if (moved.kind === 'refused')
      return {
        kind: 'refused',
        reason: `GitHub refused the commit (${moved.status}): ${moved.message.trim().split('\n').filter(Boolean).join(' ')}`,
      };
    if (attempt >= attempts)
      throw new Error(
        `${args.taskId}: lost ${attempts} races for ${route === 'direct' ? base.baseBranch : STATUS_BRANCH}`,
      );
  }
}

/** Statuses of the base with the edits waiting on `coordinator/status` applied. */
export function statusOverlay(
  base: BaseState,
  pending: PendingStatus | null,
): (taskId: string) => TaskStatus | undefined {
  const waiting = new Map((pending?.edits ?? []).map((e) => [e.taskId, e.status]));
  return (taskId) => waiting.get(taskId) ?? base.loaded.graph.tasks.get(taskId)?.status;
}
