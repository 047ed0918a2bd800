/**
 * Schema of `.github/coordinator.yml`, the per-repo configuration (read with Probot's
 * `context.config`, so org-level defaults in the owner's `.github` repo and `_extends` work).
 * Every key has a default; unknown keys are rejected so a typo never silently does nothing.
 * `npm run schema` exports this as JSON Schema for editors.
 */
import { z } from 'zod';

/** A duration: minutes as a number, or a string with a unit (`90s`, `45m`, `2h`). */
const duration = z
  .union([
    z.number().positive(),
    z.string().regex(/^\d+(?:\.\d+)?\s*(?:ms|s|m|h)$/, 'use a number of minutes or 90s / 45m / 2h'),
  ])
  .transform((value) => durationMs(value));

const tasks = z
  .strictObject({
    /** Directory holding the task files (`**\/*.md`), relative to the repo root. */
    dir: z
      .string()
      .min(1)
      .default('tasks')
      .describe('Directory holding the task files, relative to the repo root.'),
  })
  .prefault({});

const branches = z
  .strictObject({
    /** Branch prefixes that mark task branches; a branch is `<prefix><normalized task id>`. */
    prefixes: z
      .array(z.string().min(1))
      .min(1)
      .default(['feat/'])
      .describe('Task branch prefixes: a task branch is <prefix><normalized task id>.'),
    /** Base branch task PRs merge into; default: the repository's default branch. */
    base: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe("Base branch; null means the repository's default branch."),
  })
  .prefault({});

const merge = z
  .strictObject({
    /** `staging`: test base + PR + status commit on coordinator/staging, then fast-forward. `direct`: merge the PR through the API. */
    strategy: z
      .enum(['staging', 'direct'])
      .default('staging')
      .describe(
        'staging (test the merge result before the base moves) or direct (merge through the pulls API).',
      ),
    /** What makes a task PR complete: `ready` (not a draft) or `label` (`coordinator: merge`). */
    trigger: z
      .enum(['ready', 'label'])
      .default('ready')
      .describe('ready: a non-draft PR is complete; label: it also needs the `coordinator: merge` label.'),
    /**
     * Check names that must pass on a PR head and on the merge result, beside those the base
     * branch's protection and rulesets require (those are always waited for).
     */
    required_checks: z
      .array(z.string().min(1))
      .nullable()
      .default(null)
      .describe(
        "Checks that must pass on the PR and on the merge result, in addition to those the base branch's protection and rulesets require; null: only those (and, when nothing is required, the checks that ran on the PR).",
      ),
    /** How long to wait for required checks to appear on the staging head (default 60 minutes). */
    checks_timeout: duration
      .prefault(60)
      .describe(
        'How long required checks may take to appear on the merge result: minutes, or 90s / 45m / 2h.',
      ),
    /** Delete the task branch once its PR is merged. */
    delete_branch: z.boolean().default(true).describe('Delete the task branch after its PR merges.'),
    /** Most PRs one staging batch holds (the merge train's cars; 1 tests one PR per CI run). */
    batch_size: z
      .int()
      .min(1)
      .max(50)
      .default(8)
      .describe(
        'Most task PRs tested together in one staging batch; a red batch is bisected until the failing PR is found. 1: one PR per CI run.',
      ),
    /** Batches staged speculatively on top of the one under test (0: one batch at a time). */
    parallel: z
      .int()
      .min(0)
      .max(8)
      .default(2)
      .describe(
        'Further batches tested on top of the batch under test, on coordinator/staging-2, -3, … (your CI must run on coordinator/staging*); 0: only coordinator/staging.',
      ),
    /** Whether a PR's own checks must pass before it may enter a batch. */
    wait_for_pr_checks: z
      .boolean()
      .default(true)
      .describe(
        'true: a PR enters a batch once its own required checks passed; false: once it is ready, and the staging run is its test (one CI run per generation instead of two).',
      ),
    /** How many times a red batch of one PR is re-run before the PR is ejected (flaky CI). */
    retries: z
      .int()
      .min(0)
      .max(5)
      .default(1)
      .describe(
        'How many times a red batch of a single PR is re-run before the PR leaves the queue (flaky CI).',
      ),
    /** Merge method of the `direct` strategy. */
    method: z
      .enum(['merge', 'squash', 'rebase'])
      .default('merge')
      .describe('Merge method of the direct strategy.'),
  })
  .prefault({});

const pullRequests = z
  .strictObject({
    /** Open a draft PR when a task branch is pushed and has no open PR. */
    open_draft: z
      .boolean()
      .default(true)
      .describe('Open a draft PR when a task branch is pushed without one.'),
    /** How old a branch's head commit must be before the app opens its draft PR (default 2 minutes). */
    draft_after: duration
      .prefault('2m')
      .describe(
        'How long after its last push a task branch without a PR gets a draft PR (agents usually open their own): minutes, or 90s / 45m / 2h.',
      ),
  })
  .prefault({});

const status = z
  .strictObject({
    /** Task levels that complete by themselves once all their dependencies are completed. */
    auto_complete_levels: z
      .array(z.enum(['planning', 'decomposition', 'implementation', 'review', 'research']))
      .default(['planning'])
      .describe('Task levels that complete on their own once every dependency is completed.'),
  })
  .prefault({});

const tagFilter = z
  .strictObject({
    match: z.array(z.string().min(1)).optional().describe('At least one of these must be present.'),
    ignore: z.array(z.string().min(1)).optional().describe('None of these may be present.'),
  })
  .optional();

const channelKey = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'channel keys are letters, digits, _ . -');

const route = z.strictObject({
  /** Event names or globs (`task.*`). */
  events: z
    .array(z.string().min(1))
    .min(1)
    .describe('Event names or globs such as task.* (task.ready, merge.conflict, custom, ...).'),
  tags: tagFilter.describe('Filter on the task frontmatter `tags`.'),
  labels: tagFilter.describe('Filter on the PR labels.'),
  min_severity: z
    .enum(['info', 'warning', 'error'])
    .optional()
    .describe('Only events at least this severe (info < warning < error).'),
  channel: channelKey.describe('Channel key; the server maps keys to Teams Workflows URLs.'),
});

const dashboard = z
  .strictObject({
    /** Keep one issue per repository that shows the graph's progress (Renovate's dependency dashboard). */
    enabled: z
      .boolean()
      .default(true)
      .describe(
        "Keep one issue with the graph's progress: counts, generations, critical path, a Mermaid graph.",
      ),
    title: z
      .string()
      .min(1)
      .max(200)
      .default('Task graph dashboard')
      .describe('Title of the dashboard issue.'),
  })
  .prefault({});

const agents = z
  .strictObject({
    /**
     * Send a `repository_dispatch` event `task-ready` when a task becomes ready, so a workflow can
     * start an agent on it (needs `contents: write`, which the app has).
     */
    dispatch: z
      .boolean()
      .default(false)
      .describe(
        'Send a repository_dispatch event task-ready (client_payload: task, file, branch, level, depends_on) once per task when it becomes ready, so a workflow can start its agent.',
      ),
  })
  .prefault({});

const notifications = z
  .strictObject({
    /** Channel for events no route matches (and for unknown channel keys). */
    default_channel: channelKey
      .default('general')
      .describe('Channel for events that no route matches, and for unknown channel keys.'),
    /** Ordered routes; every matching route delivers. */
    routes: z
      .array(route)
      .default([])
      .describe('Ordered routes: every route that matches delivers; no match goes to default_channel.'),
    /** A task PR with no activity for this long raises `task.stalled` once (default 4 hours). */
    stall_after: duration
      .prefault('4h')
      .describe('A task PR with no activity for this long raises task.stalled: minutes, or 90s / 45m / 2h.'),
  })
  .prefault({});

/** The whole file. */
export const repoConfigSchema = z
  .strictObject({
    /**
     * Another file this one extends, as Probot's config plugin reads it: `repo`, `owner/repo` or
     * `owner/repo:path/file.yml` (`.github` is the owner's org-wide defaults). The plugin removes it
     * before the files are deep-merged, so the merged config never holds it.
     */
    _extends: z
      .string()
      .regex(/^(?:[a-z\d](?:[a-z\d]|-(?=[a-z\d])){0,38}\/)?[-_.\w\d]+(?::[-_./\w\d]+\.ya?ml)?$/i)
      .optional()
      .describe(
        'A config this file extends (deep-merged under it): repo, owner/repo or owner/repo:path.yml; .github holds org-wide defaults.',
      ),
    tasks,
    branches,
    merge,
    pull_requests: pullRequests,
    status,
    notifications,
    dashboard,
    agents,
    /** Plan and log, but write nothing to GitHub. */
    dry_run: z.boolean().default(false).describe('Plan and log every action, but write nothing to GitHub.'),
  })
  .describe('Taskgraph Coordinator configuration (.github/coordinator.yml)');

/** The configuration after defaults; durations (`merge.checks_timeout`, `notifications.stall_after`) are in ms. */
export type RepoConfig = z.output<typeof repoConfigSchema>;

/** One problem in the config file, for the `Task graph` check. */
export interface ConfigProblem {
  /** Dotted key path, e.g. `merge.strategy` (`(root)` for the file itself). */
  readonly key: string;
  readonly message: string;
}

export type ConfigResult = { ok: true; config: RepoConfig } | { ok: false; problems: ConfigProblem[] };

/** Name of the config file under `.github/`. */
export const CONFIG_FILE = 'coordinator.yml';

/**
 * Validates a parsed config (null or undefined: no file, all defaults).
 *
 * @returns the config with defaults, or every problem with its key path.
 */
export function parseRepoConfig(raw: unknown): ConfigResult {
  const result = repoConfigSchema.safeParse(raw ?? {});
  if (result.success) return { ok: true, config: result.data };
  const problems = result.error.issues.flatMap((issue): ConfigProblem[] => {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ key: base ? `${base}.${key}` : key, message: 'unknown key' }));
    }
    return [{ key: base || '(root)', message: issue.message }];
  });
  return { ok: false, problems };
}

/** The defaults: what a repo without `.github/coordinator.yml` gets. */
export function defaultRepoConfig(): RepoConfig {
  const result = parseRepoConfig({});
  if (!result.ok) throw new Error('the default config does not validate');
  return result.config;
}

function durationMs(value: number | string): number {
  if (typeof value === 'number') return Math.round(value * 60_000);
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/.exec(value) as RegExpExecArray;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(match[1]) * unit);
}
