/**
 * Reads the base branch head and its task files: `GET /repos/{o}/{r}` (default branch, web
 * address), `GET .../git/ref/heads/{base}`, the recursive tree of the head, and the blobs of task
 * files not cached yet. What comment commands need without the whole snapshot.
 */
import type { RepoConfig } from '../../config/repo-config.js';
import { CODEOWNERS_FILES } from '../../domain/rules/review-gate.js';
import { type LoadedGraph, loadTaskGraph } from '../../domain/tasks/load-graph.js';
import type { BlobCache } from './blob-cache.js';
import type { Octokit, RepoRef } from './octokit.js';

/** The base branch and its task graph. */
export interface BaseState {
  readonly repoUrl: string;
  readonly baseBranch: string;
  readonly baseSha: string;
  readonly loaded: LoadedGraph;
  /** Text of every task file at the base head, by path. */
  readonly taskTexts: ReadonlyMap<string, string>;
  readonly taskPaths: ReadonlyMap<string, string>;
  /** Blob SHA of the CODEOWNERS file GitHub would use (`.github/`, root, `docs/`), or null. */
  readonly codeownersSha: string | null;
}

export interface BaseInput {
  readonly octokit: Octokit;
  readonly repo: RepoRef;
  readonly config: RepoConfig;
  readonly blobs: BlobCache;
  /** `GET /repos/{o}/{r}` already under way (a snapshot starts it with its other first reads). */
  readonly repository?: Promise<RepositoryData>;
  /** The base branch's head SHA already under way (read for the branch the base turns out to be). */
  readonly headSha?: Promise<string>;
}

/** What `GET /repos/{o}/{r}` answers, as far as the base read needs it. */
export type RepositoryData = Awaited<ReturnType<Octokit['rest']['repos']['get']>>['data'];

/** `GET /repos/{o}/{r}` (a 304 almost always: conditional requests). @throws octokit errors. */
export async function readRepository(octokit: Octokit, repo: RepoRef): Promise<RepositoryData> {
  return (await octokit.rest.repos.get({ ...repo })).data;
}

/** `GET .../git/ref/heads/{branch}`: the branch's head SHA. @throws octokit errors (404: no such branch). */
export async function branchHead(octokit: Octokit, repo: RepoRef, branch: string): Promise<string> {
  return (await octokit.rest.git.getRef({ ...repo, ref: `heads/${branch}` })).data.object.sha;
}

/** The base branch: the config's `branches.base`, else the repository's default branch. */
export function baseBranchOf(config: RepoConfig, repository: Pick<RepositoryData, 'default_branch'>): string {
  return config.branches.base ?? repository.default_branch;
}

/** Reads the base state. @throws octokit errors. */
export async function readBase(input: BaseInput): Promise<BaseState> {
  const { octokit, repo, config } = input;
  const repository = await (input.repository ?? readRepository(octokit, repo));
  const baseBranch = baseBranchOf(config, repository);
  const baseSha = await (input.headSha ?? branchHead(octokit, repo, baseBranch));
  const dir = tasksPrefix(config);
  const tree = await octokit.rest.git.getTree({ ...repo, tree_sha: baseSha, recursive: 'true' });
  const entries = tree.data.tree.filter(
    (e) => e.type === 'blob' && e.path?.startsWith(dir) && e.path.endsWith('.md') && e.sha,
  );
  const files = await Promise.all(
    entries.map(async (e) => ({
      path: e.path as string,
      text: await input.blobs.text(octokit, repo, e.sha as string),
    })),
  );
  const loaded = loadTaskGraph(files, { prefixes: config.branches.prefixes });
  const taskPaths = new Map([...loaded.graph.tasks.values()].map((t) => [t.id, t.file]));
  const codeowners = CODEOWNERS_FILES.map((p) =>
    tree.data.tree.find((e) => e.path === p && e.type === 'blob'),
  ).find(Boolean);
  return {
    repoUrl: repository.html_url,
    baseBranch,
    baseSha,
    loaded,
    taskTexts: new Map(files.map((f) => [f.path, f.text])),
    taskPaths,
    codeownersSha: codeowners?.sha ?? null,
  };
}

/** The text of a file at a commit (`GET .../contents/{path}?ref=`). @throws octokit errors. */
export async function fileAt(octokit: Octokit, repo: RepoRef, path: string, ref: string): Promise<string> {
  const { data } = await octokit.rest.repos.getContent({ ...repo, path, ref });
  if (Array.isArray(data) || data.type !== 'file') throw new Error(`${path} is not a file at ${ref}`);
  return Buffer.from(data.content, 'base64').toString('utf8');
}

/** `tasks.dir` as a path prefix with one trailing slash (`./tasks/` and `tasks` both give `tasks/`). */
export function tasksPrefix(config: RepoConfig): string {
  return `${config.tasks.dir.replace(/^\.?\/+|\/+$/g, '')}/`;
}
