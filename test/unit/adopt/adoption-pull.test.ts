/**
 * The adoption PR's content (issue 14, item 3): it edits only the `status:` line of exactly the
 * adopted tasks, carries its record in a marker the app reads back, lists the branches it deletes,
 * and proposes a config that parses back to the defaults. While it is open, its tasks are not
 * pending, but aggregates that depend on them are not completed on the base before it merges.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { repoConfigJsonSchema } from '../../../src/config/json-schema.js';
import { onboardingConfig } from '../../../src/config/onboarding.js';
import { parseRepoConfig } from '../../../src/config/repo-config.js';
import {
  adoptionMarker,
  adoptionPull,
  parseAdoptionRecord,
} from '../../../src/domain/adopt/adoption-pull.js';
import type { AdoptionProposal } from '../../../src/domain/adopt/evidence.js';
import { withAdoption } from '../../../src/domain/adopt/overlay.js';
import { autoCompletions } from '../../../src/domain/merge/status-plan.js';
import { loadYaml } from '../../../src/domain/tasks/yaml.js';
import { taskFile } from '../../helpers/task-files.js';

const A = taskFile({ id: 'a', status: 'pending' });
const B = taskFile({ id: 'b', status: 'done', deps: ['a'] });
const texts = new Map([A, B].map((f) => [f.path, f.text]));
const proposal: AdoptionProposal = {
  tasks: [
    {
      taskId: 'a',
      path: A.path,
      was: 'pending',
      evidence: [{ kind: 'commit', sha: '1'.repeat(40), subject: 'Merge origin/feat/a | x' }],
    },
    { taskId: 'b', path: B.path, was: 'done', evidence: [] },
  ],
  mergedBranches: [{ name: 'feat/a', sha: '2'.repeat(40) }],
  alreadyCompleted: ['c'],
};
const input = {
  proposal,
  texts,
  onboardingConfig: null,
  configPath: '.github/coordinator.yml',
  baseBranch: 'main',
  repoUrl: 'https://github.com/acme/r',
  deleteBranches: true,
};

describe('adoptionPull', () => {
  it('changes only the status line of each adopted task', () => {
    const pull = adoptionPull(input);
    expect(pull?.files.map((f) => f.path)).toEqual([A.path, B.path]);
    for (const file of pull?.files ?? []) {
      const before = (texts.get(file.path) as string).split('\n');
      const after = file.text.split('\n');
      const changed = after.filter((line, i) => line !== before[i]);
      expect(changed).toEqual(['status: completed']);
    }
  });

  it('records its tasks and branches in a marker that round-trips, and shows the evidence', () => {
    const pull = adoptionPull(input);
    expect(parseAdoptionRecord(pull?.body)).toEqual({
      tasks: ['a', 'b'],
      branches: [{ name: 'feat/a', sha: '2'.repeat(40) }],
      config: false,
    });
    expect(pull?.title).toBe('Adopt the task graph: 2 tasks already merged into main');
    expect(pull?.body).toContain(
      '| `a` | `pending` | commit [`1111111`](https://github.com/acme/r/commit/1111111111111111111111111111111111111111): Merge origin/feat/a \\| x |',
    );
    expect(pull?.body).toContain('`status: done` is read as `completed`');
    expect(pull?.body).toContain('- `feat/a` at `2222222`');
    expect(pull?.body).toContain('Already `completed` and merged (nothing to change): `c`');
  });

  it('keeps the branches when merge.delete_branch is off, and proposes a config when there is none', () => {
    const pull = adoptionPull({ ...input, deleteBranches: false, onboardingConfig: 'x: 1\n' });
    expect(pull?.record).toEqual({ tasks: ['a', 'b'], branches: [], config: true });
    expect(pull?.files.at(-1)).toEqual({ path: '.github/coordinator.yml', text: 'x: 1\n' });
    expect(pull?.body).toContain('### Configuration');
  });

  it.each([
    ['nothing to adopt and a config exists', null, null],
    ['only the config is missing', 'x: 1\n', 'Configure Taskgraph Coordinator'],
  ])('%s', (_what, config, title) => {
    const pull = adoptionPull({
      ...input,
      proposal: { tasks: [], mergedBranches: [], alreadyCompleted: [] },
      onboardingConfig: config,
    });
    expect(pull?.title ?? null).toBe(title);
  });

  it.each([
    ['no marker', 'Just a PR'],
    ['broken JSON', '<!-- taskgraph-coordinator:adopt {nope} -->'],
    ['wrong shape', '<!-- taskgraph-coordinator:adopt {"tasks":"a"} -->'],
  ])('parseAdoptionRecord: %s → null', (_what, body) => {
    expect(parseAdoptionRecord(body)).toBeNull();
  });

  it('a branch name with --> cannot end the marker comment', () => {
    const record = { tasks: ['a'], branches: [{ name: 'feat/a-->b', sha: '3'.repeat(40) }], config: false };
    const marker = adoptionMarker(record);
    expect(marker.indexOf('-->')).toBe(marker.length - 3);
    expect(parseAdoptionRecord(`x\n${marker}\ny`)).toEqual(record);
  });
});

describe('onboardingConfig', () => {
  it('parses back to exactly the defaults and is valid against the JSON Schema', () => {
    const text = onboardingConfig();
    const parsed = loadYaml(text);
    const result = parseRepoConfig(parsed);
    const defaults = parseRepoConfig(null);
    expect(result).toEqual(defaults);
    const validate = new Ajv2020({ strict: false }).compile(repoConfigJsonSchema());
    expect(validate(parsed), JSON.stringify(validate.errors)).toBe(true);
  });

  it('explains every key with a comment above it', () => {
    const lines = onboardingConfig().split('\n');
    const keys = lines.filter((l) => /^ {2}[a-z_]+:/.test(l));
    expect(keys.length).toBeGreaterThan(15);
    for (const key of keys) expect(lines[lines.indexOf(key) - 1], key).toMatch(/^ {2}# /);
  });
});

describe('while the adoption PR is open', () => {
  const files = [
    taskFile({ id: 'a' }),
    taskFile({ id: 'b', deps: ['a'] }),
    taskFile({ id: 'm', deps: ['a'], extra: 'level: planning' }),
    taskFile({ id: 'n', deps: ['m'], extra: 'level: planning' }),
  ];
  const paths = new Map(files.map((f) => [f.path.slice(6, -3), f.path]));
  const loaded = withAdoption({
    texts: new Map(files.map((f) => [f.path, f.text])),
    paths,
    taskIds: ['a', 'missing'],
    prefixes: ['feat/'],
  });

  it('its tasks read as completed, so their dependents are ready', () => {
    expect(loaded.graph.tasks.get('a')?.status).toBe('completed');
    expect(loaded.graph.tasks.get('b')?.status).toBe('pending');
    expect(loaded.errors).toEqual([]);
  });

  it.each([
    ['open (provisional)', new Set(['a']), []],
    ['merged', new Set<string>(), ['m', 'n']],
  ])('aggregates on top of them complete only once it merged: %s', (_what, provisional, expected) => {
    const edits = autoCompletions({
      graph: loaded.graph,
      generations: loaded.generations,
      levels: ['planning'],
      paths,
      provisional,
    });
    expect(edits.map((e) => e.taskId)).toEqual(expected);
  });
});
