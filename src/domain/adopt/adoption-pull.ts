/**
 * The adoption pull request (`coordinator/adopt`), which is also the onboarding PR (Renovate's
 * pattern): its files (task files set to `completed`, and `.github/coordinator.yml` when the
 * repository has none), its title and body (the evidence per task, the branches to delete, what the
 * app will do once it merges), and the marker in the body that the app reads back while the PR is
 * open (those tasks are not pending meanwhile) and after it merged (which branches to delete).
 */
import { setStatus } from '../tasks/status-edit.js';
import type { AdoptionProposal, Evidence, TaskBranchRef } from './evidence.js';

/** The branch of the adoption PR. */
export const ADOPT_BRANCH = 'coordinator/adopt';

const MARKER = /<!-- taskgraph-coordinator:adopt (\{.*?\}) -->/s;

/** What the marker records. */
export interface AdoptionRecord {
  /** Task ids the PR sets to `completed`. */
  readonly tasks: readonly string[];
  /** Merged task branches to delete once the PR merges (deleted only while still at `sha`). */
  readonly branches: readonly TaskBranchRef[];
  /** Whether the PR adds `.github/coordinator.yml`. */
  readonly config: boolean;
}

/** The marker line for `record` (JSON with `<`, `>` escaped, so it cannot end the comment). */
export function adoptionMarker(record: AdoptionRecord): string {
  const json = JSON.stringify(record).replace(/</g, '\\u003c').replace(/>/g, '\\u003e');
  return `<!-- taskgraph-coordinator:adopt ${json} -->`;
}

/** The record in a PR body, or null when it has none (or a broken one). */
export function parseAdoptionRecord(body: string | null | undefined): AdoptionRecord | null {
  const match = MARKER.exec(body ?? '');
  if (!match) return null;
  try {
    const value = JSON.parse(match[1] as string) as Partial<AdoptionRecord>;
    if (!Array.isArray(value.tasks) || !Array.isArray(value.branches)) return null;
    return {
      tasks: value.tasks.filter((t): t is string => typeof t === 'string'),
      branches: value.branches.filter(
        (b): b is TaskBranchRef => typeof b?.name === 'string' && typeof b?.sha === 'string',
      ),
      config: value.config === true,
    };
  } catch {
    return null;
  }
}

export interface AdoptionPull {
  readonly title: string;
  readonly body: string;
  /** Full new texts by path. */
  readonly files: readonly { readonly path: string; readonly text: string }[];
  readonly record: AdoptionRecord;
}

/**
 * Builds the PR, or null when there is nothing to propose (no task to adopt, and a config file
 * exists).
 * @param input.texts the base's text of every task file, by path.
 * @param input.onboardingConfig the commented default `.github/coordinator.yml`, when the repository
 *   has none (null: it has one).
 * @throws TaskEditError when a task file cannot be edited (no frontmatter).
 */
export function adoptionPull(input: {
  proposal: AdoptionProposal;
  texts: ReadonlyMap<string, string>;
  onboardingConfig: string | null;
  configPath: string;
  baseBranch: string;
  repoUrl: string;
  deleteBranches: boolean;
}): AdoptionPull | null {
  const { proposal } = input;
  if (proposal.tasks.length === 0 && input.onboardingConfig === null) return null;
  const files = proposal.tasks.map((t) => ({
    path: t.path,
    text: setStatus(input.texts.get(t.path) ?? '', 'completed'),
  }));
  if (input.onboardingConfig !== null) files.push({ path: input.configPath, text: input.onboardingConfig });
  const branches = input.deleteBranches ? proposal.mergedBranches : [];
  const record: AdoptionRecord = {
    tasks: proposal.tasks.map((t) => t.taskId),
    branches,
    config: input.onboardingConfig !== null,
  };
  const n = proposal.tasks.length;
  const title =
    n > 0
      ? `Adopt the task graph: ${n} task${n === 1 ? '' : 's'} already merged into ${input.baseBranch}`
      : 'Configure Taskgraph Coordinator';
  return { title, body: body(input, record), files, record };
}

function body(input: Parameters<typeof adoptionPull>[0], record: AdoptionRecord): string {
  const { proposal, repoUrl, baseBranch } = input;
  const out = [adoptionMarker(record), '## Taskgraph Coordinator: adopting this repository', ''];
  if (proposal.tasks.length > 0) {
    out.push(
      `Git shows that ${proposal.tasks.length} task${proposal.tasks.length === 1 ? '' : 's'} reached \`${baseBranch}\` although ${proposal.tasks.length === 1 ? 'its file does' : 'their files do'} not say \`completed\`. This PR sets exactly ${proposal.tasks.length === 1 ? 'that task' : 'those tasks'} to \`completed\` and changes nothing else in them. Nothing is written to \`${baseBranch}\` until it is reviewed and merged.`,
      '',
      '| Task | File says | Evidence |',
      '|---|---|---|',
      ...proposal.tasks.map(
        (t) =>
          `| \`${t.taskId}\` | \`${t.was}\` | ${t.evidence.map((e) => evidenceText(e, repoUrl)).join('<br>') || `\`status: ${t.was}\` is read as \`completed\`; the file says it so`} |`,
      ),
      '',
      'While this PR is open the app does not treat these tasks as pending: their dependents are ready, and no agent is told to start them. Aggregates that depend on them complete after the merge. Close the PR to decline: the app then reads the files as they are (comment `/coordinator adopt` on any PR to propose it again).',
      '',
    );
  }
  if (proposal.alreadyCompleted.length > 0)
    out.push(
      `Already \`completed\` and merged (nothing to change): ${proposal.alreadyCompleted.map((id) => `\`${id}\``).join(', ')}.`,
      '',
    );
  if (record.branches.length > 0)
    out.push(
      `### Merged task branches to delete once this PR merges (${record.branches.length})`,
      '',
      'Each is deleted only if it still points at the commit below (a branch that moved since is kept).',
      '',
      ...record.branches.map((b) => `- \`${b.name}\` at \`${b.sha.slice(0, 7)}\``),
      '',
    );
  if (record.config)
    out.push(
      `### Configuration`,
      '',
      `The repository has no \`${input.configPath}\`. This PR adds one with every default written out and explained; edit it here or later. The app already runs on these defaults.`,
      '',
    );
  out.push(
    '### Once this PR merges, the app will',
    '',
    `- merge each task PR into \`${baseBranch}\` in dependency order, in batches tested on \`coordinator/staging\` first, and set its task to \`completed\` in the same push;`,
    '- keep one dashboard issue with the graph, the queue and what every task waits for;',
    '- tell agents (and Teams, when configured) when a task becomes ready;',
    record.branches.length > 0
      ? '- delete the merged task branches listed above.'
      : '- delete each task branch after its PR merges (`merge.delete_branch`).',
    '',
  );
  return out.join('\n');
}

function evidenceText(e: Evidence, repoUrl: string): string {
  switch (e.kind) {
    case 'branch':
      return `branch \`${e.branch}\` (at [\`${e.sha.slice(0, 7)}\`](${repoUrl}/commit/${e.sha})) is in the base's history`;
    case 'pull':
      return `PR [#${e.number}](${e.url}) merged: ${escapeCell(e.title)}`;
    case 'commit':
      return `commit [\`${e.sha.slice(0, 7)}\`](${repoUrl}/commit/${e.sha}): ${escapeCell(e.subject)}`;
  }
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
