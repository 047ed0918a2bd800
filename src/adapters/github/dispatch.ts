import type { TaskReadyPayload } from '../../domain/merge/dispatch.js';
import { DISPATCH_EVENT } from '../../domain/merge/dispatch.js';
import type { Octokit, RepoRef } from './octokit.js';

/**
 * Sends one `task-ready` repository_dispatch event (`POST /repos/{owner}/{repo}/dispatches`,
 * 204). GitHub starts every workflow of the default branch that listens to
 * `repository_dispatch: types: [task-ready]`. Source: GitHub REST docs, "Create a repository
 * dispatch event" (needs `contents: write`; 404 without access, 422 for a bad payload).
 * @throws the octokit error of any other answer.
 */
export async function dispatchTaskReady(
  octokit: Octokit,
  repo: RepoRef,
  payload: TaskReadyPayload,
): Promise<void> {
  await octokit.rest.repos.createDispatchEvent({
    ...repo,
    event_type: DISPATCH_EVENT,
    client_payload: { ...payload, depends_on: [...payload.depends_on] },
  });
}
