/** Builders of planner snapshots for table tests: explicit fields, no hidden behaviour. */
import { defaultRepoConfig, type RepoConfig } from '../../src/config/repo-config.js';
import {
  type OwnCheckRun,
  type PullState,
  type RepoSnapshot,
  STAGING_BRANCH,
  type StagingState,
} from '../../src/domain/merge/types.js';
import { loadTaskGraph } from '../../src/domain/tasks/load-graph.js';
import type { SourceFile } from '../../src/domain/tasks/types.js';
import { type TaskSpec, taskFile } from './task-files.js';

export const BASE_SHA = 'b'.repeat(40);
export const sha = (seed: string) => seed.repeat(40).slice(0, 40);

/** A ready, non-draft task PR on `feat/<id>` with no checks, opened at a fixed time. */
export function pull(number: number, id: string, fields: Partial<PullState> = {}): PullState {
  return {
    number,
    title: `Implement ${id}`,
    body: '',
    headRef: `feat/${id}`,
    headSha: sha(String(number % 10)),
    draft: false,
    labels: [],
    createdAt: `2026-06-02T10:${String(number).padStart(2, '0')}:00Z`,
    updatedAt: `2026-06-02T10:${String(number).padStart(2, '0')}:00Z`,
    url: `https://github.com/o/r/pull/${number}`,
    changedFiles: [`src/${id}.ts`],
    taskFileChanges: [],
    checks: [],
    ownChecks: {},
    mergeableState: 'clean',
    ...fields,
  };
}

export interface SnapshotInput {
  tasks?: TaskSpec[];
  files?: SourceFile[];
  pulls?: PullState[];
  /** Staging branches (`branch` defaults to `coordinator/staging`). */
  staging?: StagingInput | readonly StagingInput[] | null;
  config?: (config: RepoConfig) => void;
  required?: string[];
  merged?: RepoSnapshot['recentlyMerged'];
  baseChecks?: Record<string, OwnCheckRun>;
  nowMs?: number;
  branches?: RepoSnapshot['taskBranches'];
  rules?: RepoSnapshot['rules'];
  pendingStatus?: RepoSnapshot['pendingStatus'];
}

/** A staging branch for a snapshot; without `branch` it is `coordinator/staging`. */
export type StagingInput = Omit<StagingState, 'branch'> & { branch?: string };

export function snapshotOf(input: SnapshotInput): RepoSnapshot {
  const files = input.files ?? (input.tasks ?? []).map(taskFile);
  const loaded = loadTaskGraph(files);
  const config = defaultRepoConfig();
  input.config?.(config);
  const taskPaths = new Map([...loaded.graph.tasks.values()].map((t) => [t.id, t.file]));
  return {
    owner: 'o',
    repo: 'r',
    repoUrl: 'https://github.com/o/r',
    taskBranches: input.branches ?? [],
    baseBranch: 'main',
    baseSha: BASE_SHA,
    config,
    loaded,
    taskPaths,
    requiredChecks: input.required ?? ['ci'],
    pulls: input.pulls ?? [],
    recentlyMerged: input.merged ?? [],
    staging: (input.staging ? [input.staging].flat() : []).map((s) => ({ branch: STAGING_BRANCH, ...s })),
    baseChecks: input.baseChecks ?? {},
    nowMs: input.nowMs ?? Date.parse('2026-06-02T12:00:00Z'),
    app: { id: 1, slug: 'taskgraph-coordinator' },
    ...(input.rules ? { rules: input.rules } : {}),
    ...(input.pendingStatus !== undefined ? { pendingStatus: input.pendingStatus } : {}),
  };
}

/** Checks that pass on a head. */
export const green = [{ name: 'ci', outcome: 'success' as const }];
