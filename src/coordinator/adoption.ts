/**
 * Adoption of a repository that already ran a coordinator agent (or none): on the first reconcile
 * of a repository with a task graph, and on `/coordinator adopt`, the app rebuilds from git what was
 * really merged and proposes the difference as one PR, `coordinator/adopt`, which is also the
 * onboarding PR (a commented `.github/coordinator.yml` when the repository has none). Nothing is
 * written to the base branch without that review. After the PR merged, the merged task branches it
 * listed are deleted (each only while it still points where it did).
 */
import type { BlobCache } from '../adapters/github/blob-cache.js';
import type { Octokit, RepoRef } from '../adapters/github/octokit.js';
import { readAdoptionFacts } from '../adapters/github/read-adoption.js';
import { type BaseState, type ReadSnapshot, readBase } from '../adapters/github/read-snapshot.js';
import type { SettledSet } from '../adapters/github/read-staging.js';
import {
  closeAdoptionPull,
  deleteAdoptedBranches,
  findAdoptionPulls,
  writeAdoptionPull,
} from '../adapters/github/write-adoption.js';
import type { OutboxStore } from '../adapters/store/outbox-store.js';
import { onboardingConfig } from '../config/onboarding.js';
import type { RepoConfig } from '../config/repo-config.js';
import { ADOPT_BRANCH, adoptionPull, parseAdoptionRecord } from '../domain/adopt/adoption-pull.js';
import { proposeAdoption } from '../domain/adopt/evidence.js';
import type { RepoSnapshot } from '../domain/merge/types.js';
import { BranchIndex } from '../domain/tasks/branch-names.js';

/** The repository's own config file (the onboarding PR proposes it when missing). */
export const CONFIG_PATH = '.github/coordinator.yml';

/** Journal key recording that a repository's first adoption scan ran. */
export const ADOPTION_SCANNED = 'adoption.scanned';

export interface AdoptionDeps {
  readonly blobs: BlobCache;
  readonly log: { info(obj: object, msg: string): void };
  readonly now: () => number;
}

export type AdoptionOutcome =
  | { readonly kind: 'no-graph' }
  | { readonly kind: 'nothing'; readonly closed?: number }
  | { readonly kind: 'declined'; readonly number: number; readonly url: string }
  | {
      readonly kind: 'opened' | 'updated' | 'unchanged';
      readonly number: number;
      readonly url: string;
      readonly tasks: readonly string[];
      readonly branches: number;
      readonly config: boolean;
    };

/**
 * Scans the repository and opens, updates or closes the adoption PR.
 * @param options.force false (the automatic first scan): a closed, unmerged adoption PR means the
 *   repository declined and nothing is proposed again; true (`/coordinator adopt`): propose anyway.
 * @throws octokit errors (403 without `contents: write` / `pull_requests: write`), TaskEditError.
 */
export async function adoptRepository(
  deps: AdoptionDeps,
  octokit: Octokit,
  repo: RepoRef,
  config: RepoConfig,
  options: { force: boolean; base?: BaseState },
): Promise<AdoptionOutcome> {
  const base = options.base ?? (await readBase({ octokit, repo, config, blobs: deps.blobs }));
  if (base.loaded.graph.ids.length === 0) return { kind: 'no-graph' };
  const [facts, hasConfig, found] = await Promise.all([
    readAdoptionFacts({
      octokit,
      repo,
      baseBranch: base.baseBranch,
      baseSha: base.baseSha,
      prefixes: config.branches.prefixes,
    }),
    fileExists(octokit, repo, CONFIG_PATH, base.baseSha),
    findAdoptionPulls(octokit, repo),
  ]);
  const open = found.find((p) => p.state === 'open') ?? null;
  const declined = found.find((p) => p.state === 'closed' && !p.merged);
  if (!options.force && !open && declined)
    return { kind: 'declined', number: declined.number, url: declined.url };
  const index = new BranchIndex(base.loaded.graph.ids, config.branches.prefixes);
  const proposal = proposeAdoption({ graph: base.loaded.graph, index, paths: base.taskPaths, facts });
  const pull = adoptionPull({
    proposal,
    texts: base.taskTexts,
    onboardingConfig: hasConfig ? null : onboardingConfig(),
    configPath: CONFIG_PATH,
    baseBranch: base.baseBranch,
    repoUrl: base.repoUrl,
    deleteBranches: config.merge.delete_branch,
  });
  const name = `${repo.owner}/${repo.repo}`;
  if (!pull) {
    if (!open) return { kind: 'nothing' };
    await closeAdoptionPull(
      octokit,
      repo,
      open.number,
      'Nothing is left to adopt: the task files now agree with git, and the repository has its configuration. Closing.',
    );
    deps.log.info({ repo: name, pull: open.number }, 'adoption PR closed: nothing left to adopt');
    return { kind: 'nothing', closed: open.number };
  }
  const written = await writeAdoptionPull(octokit, repo, {
    baseBranch: base.baseBranch,
    baseSha: base.baseSha,
    pull,
    open,
  });
  if (written.kind !== 'unchanged')
    deps.log.info(
      { repo: name, pull: written.number, tasks: pull.record.tasks.length, done: written.kind },
      'adoption PR written',
    );
  return {
    ...written,
    tasks: pull.record.tasks,
    branches: pull.record.branches.length,
    config: pull.record.config,
  };
}

/**
 * Runs the automatic scan once per repository: when the journal has not recorded it yet. The caller
 * records `ADOPTION_SCANNED` once the reconcile's own events are journaled (so the notifier still
 * sees a first sight).
 * @param read the snapshot the reconcile read: its base is reused unless an adoption PR is open
 *   (then the snapshot's graph is the overlaid one, and the base is read again).
 * @returns the outcome, `failed` with the error (logged with the fix; the reconcile retries after a
 *   backoff), or null when the scan ran before.
 */
export async function adoptOnFirstSight(
  deps: AdoptionDeps & {
    readonly journal?: Pick<OutboxStore, 'unannounced'>;
    readonly log: { error(obj: object, msg: string): void };
  },
  octokit: Octokit,
  repo: RepoRef,
  config: RepoConfig,
  read: ReadSnapshot,
): Promise<AdoptionOutcome | { readonly kind: 'failed'; readonly error: unknown } | null> {
  if (!deps.journal) return null;
  const name = `${repo.owner}/${repo.repo}`;
  if ((await deps.journal.unannounced(name, [ADOPTION_SCANNED])).length === 0) return null;
  const { snapshot } = read;
  const base: BaseState | undefined = snapshot.adoption
    ? undefined
    : {
        repoUrl: snapshot.repoUrl,
        baseBranch: snapshot.baseBranch,
        baseSha: snapshot.baseSha,
        loaded: snapshot.loaded,
        taskTexts: read.taskTexts,
        taskPaths: snapshot.taskPaths,
        codeownersSha: null,
      };
  try {
    return await adoptRepository(deps, octokit, repo, config, { force: false, ...(base ? { base } : {}) });
  } catch (error) {
    deps.log.error(
      { repo: name, err: error },
      'adoption scan failed; retried after a backoff (the app needs contents: write and pull_requests: write to open coordinator/adopt)',
    );
    return { kind: 'failed', error };
  }
}

/**
 * After an adoption PR merged (it is among the recently merged PRs): deletes the branches its marker
 * lists, once per PR (`settled` remembers it).
 * @returns the branches deleted, or the error (logged with the fix; the reconcile retries it).
 */
export async function cleanUpAfterAdoption(
  deps: {
    readonly settled: SettledSet;
    readonly log: { info(o: object, m: string): void; error(o: object, m: string): void };
  },
  octokit: Octokit,
  repo: RepoRef,
  snapshot: Pick<RepoSnapshot, 'recentlyMerged'>,
): Promise<{ deleted: string[]; error?: unknown }> {
  const name = `${repo.owner}/${repo.repo}`;
  const deleted: string[] = [];
  try {
    for (const pull of snapshot.recentlyMerged) {
      if (pull.headRef !== ADOPT_BRANCH || pull.fromFork) continue;
      const key = `adopt:${name}#${pull.number}`;
      if (deps.settled.has(key)) continue;
      const record = parseAdoptionRecord(pull.body);
      if (record) deleted.push(...(await deleteAdoptedBranches(octokit, repo, record)));
      deps.settled.add(key);
    }
    if (deleted.length > 0) deps.log.info({ repo: name, branches: deleted }, 'merged task branches deleted');
    return { deleted };
  } catch (error) {
    deps.log.error(
      { repo: name, err: error },
      'cannot delete the merged task branches the adoption PR listed (the app needs contents: write)',
    );
    return { deleted, error };
  }
}

async function fileExists(octokit: Octokit, repo: RepoRef, path: string, ref: string): Promise<boolean> {
  try {
    await octokit.rest.repos.getContent({ ...repo, path, ref });
    return true;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return false;
    throw error;
  }
}
