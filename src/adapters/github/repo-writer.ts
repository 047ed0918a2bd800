/**
 * Git writes of one repository with closed results (Bulldozer's `Merger`): every operation that
 * GitHub may answer with a conflict, a lost race or a refusal returns that as a value, so the
 * executor is a sequence of decisions and tests read effects as lines. Transient failures (5xx,
 * rate limits) and bugs are still thrown: the reconcile retries those with backoff.
 *
 * Status codes (docs.github.com/en/rest and ../shared/PLATFORM-NOTES.md): `POST /merges` 201 merged,
 * 204 nothing to merge, 409 conflict; `PATCH /git/refs` with `force: false` 422 "Update is not a fast
 * forward"; `PUT /pulls/{n}/merge` 405 not mergeable, 409 head moved; branch rules refuse with 422
 * (405 on a PR merge), app permissions with 403.
 */
import { classifyGitHubError, refusalOf } from './errors.js';
import type { Octokit, RepoRef } from './octokit.js';

export interface Refused {
  readonly kind: 'refused';
  readonly status: number;
  readonly message: string;
}

export type MergeResult =
  /** `treeSha`: the merge commit's tree, when GitHub's answer carries it (`commit.tree.sha`). */
  | { readonly kind: 'merged'; readonly sha: string; readonly treeSha?: string }
  | { readonly kind: 'noop' }
  | { readonly kind: 'conflict' }
  | Refused;
export type MoveResult = { readonly kind: 'moved' } | { readonly kind: 'lost-race' } | Refused;
export type PullMergeResult =
  | { readonly kind: 'merged' }
  | { readonly kind: 'head-moved' }
  | { readonly kind: 'not-mergeable'; readonly message: string }
  | Refused;

/** A 409 or 405 is an answer, not a glitch: @octokit/plugin-retry would retry them (~14 s), since they are not in its doNotRetry list. */
const NO_RETRY = { request: { retries: 0 } } as const;

export class RepoWriter {
  readonly #octokit: Octokit;
  readonly #repo: RepoRef;

  constructor(octokit: Octokit, repo: RepoRef) {
    this.#octokit = octokit;
    this.#repo = repo;
  }

  /** Merges `head` (a SHA) into `branch` server-side (`POST /merges`). */
  async mergeInto(branch: string, head: string, message: string): Promise<MergeResult> {
    try {
      const merged = await this.#octokit.rest.repos.merge({
        ...this.#repo,
        base: branch,
        head,
        commit_message: message,
        ...NO_RETRY,
      });
      if (merged.status !== 201) return { kind: 'noop' };
      // The answer is the merge commit (REST "Commit": `commit.tree.sha`), so a commit on top of it
      // needs no read of its tree. Source: GitHub REST docs, "Merge a branch" (201 response).
      const treeSha = (merged.data as { commit?: { tree?: { sha?: string } } }).commit?.tree?.sha;
      return { kind: 'merged', sha: merged.data.sha, ...(treeSha ? { treeSha } : {}) };
    } catch (error) {
      const kind = classifyGitHubError(error);
      if (kind === 'conflict') return { kind: 'conflict' };
      return this.#refusedOr(error);
    }
  }

  /** Moves `heads/<branch>` to `sha`; with `force: false` only as a fast-forward (compare-and-swap). */
  async move(branch: string, sha: string, force: boolean): Promise<MoveResult> {
    try {
      await this.#octokit.rest.git.updateRef({
        ...this.#repo,
        ref: `heads/${branch}`,
        sha,
        force,
        ...NO_RETRY,
      });
      return { kind: 'moved' };
    } catch (error) {
      const kind = classifyGitHubError(error);
      if (kind === 'not-fast-forward' || kind === 'not-found') return { kind: 'lost-race' };
      return this.#refusedOr(error);
    }
  }

  /**
   * Points `branch` at `sha`, creating it when missing (the app's own branches). With `exists:
   * false` (the snapshot saw no such branch) it is created first, and moved with a force update
   * only when it turns out to exist (422 "Reference already exists"): one request instead of a 422
   * and a create. Source: GitHub REST docs, "Update a reference" (422 when the ref does not exist)
   * and "Create a reference" (422 when it exists).
   */
  async reset(branch: string, sha: string, exists = true): Promise<MoveResult> {
    if (!exists) {
      try {
        await this.#octokit.rest.git.createRef({ ...this.#repo, ref: `refs/heads/${branch}`, sha });
        return { kind: 'moved' };
      } catch (error) {
        if (classifyGitHubError(error) === 'refused') return this.#refusedOr(error);
        if ((error as { status?: number }).status !== 422) throw error;
      }
    }
    try {
      await this.#octokit.rest.git.updateRef({
        ...this.#repo,
        ref: `heads/${branch}`,
        sha,
        force: true,
        ...NO_RETRY,
      });
      return { kind: 'moved' };
    } catch (error) {
      const kind = classifyGitHubError(error);
      if (kind === 'refused') return this.#refusedOr(error);
      const status = (error as { status?: number }).status;
      if (status !== 422 && status !== 404) throw error; // 422 "Reference does not exist"
    }
    try {
      await this.#octokit.rest.git.createRef({ ...this.#repo, ref: `refs/heads/${branch}`, sha });
      return { kind: 'moved' };
    } catch (error) {
      if (classifyGitHubError(error) === 'refused') return this.#refusedOr(error);
      if ((error as { status?: number }).status === 422) return { kind: 'lost-race' };
      throw error;
    }
  }

  /**
   * Commits `files` on top of `parentSha` without moving a ref (Git Data API: tree with `base_tree`,
   * then commit). @returns the new commit's SHA. @throws octokit errors.
   */
  async commit(args: {
    parentSha: string;
    files: readonly { path: string; text: string }[];
    message: string;
    /** A second parent: the commit then merges that history (its tree is still parent + files). */
    mergedSha?: string;
    /** The parent's tree, when known (a merge's answer carries it): saves reading the parent. */
    parentTreeSha?: string;
  }): Promise<string> {
    const octokit = this.#octokit;
    let treeSha =
      args.parentTreeSha ??
      (await octokit.rest.git.getCommit({ ...this.#repo, commit_sha: args.parentSha })).data.tree.sha;
    if (args.files.length > 0) {
      const tree = await octokit.rest.git.createTree({
        ...this.#repo,
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
      ...this.#repo,
      message: args.message,
      tree: treeSha,
      parents: args.mergedSha ? [args.parentSha, args.mergedSha] : [args.parentSha],
    });
    return commit.data.sha;
  }

  /** Merges a PR through the pulls API with its expected head SHA. */
  async mergePull(args: {
    number: number;
    sha: string;
    method: 'merge' | 'squash' | 'rebase';
    title: string;
  }): Promise<PullMergeResult> {
    try {
      await this.#octokit.rest.pulls.merge({
        ...this.#repo,
        pull_number: args.number,
        sha: args.sha,
        merge_method: args.method,
        commit_title: args.title,
        ...NO_RETRY,
      });
      return { kind: 'merged' };
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 409) return { kind: 'head-moved' };
      if (status === 405) return { kind: 'not-mergeable', message: refusalOf(error).message };
      return this.#refusedOr(error);
    }
  }

  /** Updates a PR branch from its base (`PUT .../update-branch`, asynchronous: 202). */
  async updateBranch(number: number, expectedHeadSha: string): Promise<MoveResult> {
    try {
      await this.#octokit.rest.pulls.updateBranch({
        ...this.#repo,
        pull_number: number,
        expected_head_sha: expectedHeadSha,
      });
      return { kind: 'moved' };
    } catch (error) {
      const e = error as { status?: number; message?: string };
      if (e.status === 422 && /expected_head_sha/i.test(`${e.message} ${JSON.stringify(refusalOf(error))}`))
        return { kind: 'lost-race' };
      return this.#refusedOr(error);
    }
  }

  /** Deletes a branch; a branch already gone (404, 422) is fine. @throws other octokit errors. */
  async deleteBranch(branch: string): Promise<void> {
    try {
      await this.#octokit.rest.git.deleteRef({ ...this.#repo, ref: `heads/${branch}` });
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status !== 404 && status !== 422) throw error;
    }
  }

  #refusedOr(error: unknown): Refused {
    if (classifyGitHubError(error) !== 'refused') throw error;
    return { kind: 'refused', ...refusalOf(error) };
  }
}
