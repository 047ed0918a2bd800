/**
 * What follows a merge is derived from the snapshot, never remembered: the `Merge queue` runs of
 * promoted PRs (and their `Merge order` runs left waiting), merged branches to delete, events
 * keyed to be announced once, and failure reports to resume. Pure.
 */
import { describe, expect, it } from 'vitest';
import { followUp } from '../../../src/domain/merge/follow-up.js';
import type { OwnCheckRun, RepoSnapshot } from '../../../src/domain/merge/types.js';
import { BranchIndex } from '../../../src/domain/tasks/branch-names.js';
import { pull, type SnapshotInput, sha, snapshotOf } from '../../helpers/snapshots.js';

const run = (fields: Partial<OwnCheckRun>): OwnCheckRun => ({
  id: 44,
  name: 'Merge queue',
  headSha: sha('1'),
  status: 'in_progress',
  conclusion: null,
  title: 'Testing the merge result on coordinator/staging',
  summary: '',
  externalId: null,
  ...fields,
});

function derive(input: SnapshotInput & { promoted?: RepoSnapshot['promoted'] }) {
  const snapshot = { ...snapshotOf(input), ...(input.promoted ? { promoted: input.promoted } : {}) };
  return followUp(snapshot, new BranchIndex(snapshot.loaded.graph.ids, ['feat/']));
}

const merged = (number: number, id: string, fields: Record<string, unknown> = {}) => ({
  number,
  title: `Implement ${id}`,
  body: '',
  headRef: `feat/${id}`,
  url: `https://github.com/o/r/pull/${number}`,
  headSha: sha(String(number)),
  fromFork: false,
  ...fields,
});

describe('followUp', () => {
  const tasks = [
    { id: 'a', status: 'completed' },
    { id: 'b', deps: ['a'] },
    { id: 'c', deps: ['b'] },
  ];
  const entry = { number: 1, taskId: 'a', headSha: sha('1') };

  it('completes the Merge queue run of a promoted PR, once', () => {
    const pending = derive({
      tasks,
      promoted: [{ entry, commitSha: sha('s'), queueRun: run({}), orderRun: null }],
    });
    expect(
      pending.checkRuns.map((c) => `${c.headSha.slice(0, 1)} ${c.conclusion}: ${c.title} (#${c.existingId})`),
    ).toEqual(['1 success: Merged (#44)']);
    const missing = derive({
      tasks,
      promoted: [{ entry, commitSha: sha('s'), queueRun: null, orderRun: null }],
    });
    expect(missing.checkRuns[0]?.existingId).toBeNull();
    const done = derive({
      tasks,
      promoted: [
        {
          entry,
          commitSha: sha('s'),
          queueRun: run({ status: 'completed', conclusion: 'success', title: 'Merged' }),
          orderRun: null,
        },
      ],
    });
    expect(done.checkRuns).toEqual([]);
  });

  it.each<[string, OwnCheckRun | null, string[]]>([
    [
      'a Merge order run left waiting is completed as Merged',
      run({ id: 45, name: 'Merge order', title: 'Waiting for an approving review' }),
      ['Merge order 1 success: Merged (#45)'],
    ],
    [
      'a completed Merge order run is left as it is',
      run({ id: 45, name: 'Merge order', status: 'completed', conclusion: 'success', title: 'Ready' }),
      [],
    ],
    ['no Merge order run: none is created', null, []],
  ])('%s', (_name, orderRun, expected) => {
    const queueRun = run({ status: 'completed', conclusion: 'success', title: 'Merged' });
    const derived = derive({ tasks, promoted: [{ entry, commitSha: sha('s'), queueRun, orderRun }] });
    expect(
      derived.checkRuns.map(
        (c) => `${c.name} ${c.headSha.slice(0, 1)} ${c.conclusion}: ${c.title} (#${c.existingId})`,
      ),
    ).toEqual(expected);
  });

  it.each<[string, Partial<SnapshotInput>, Record<string, unknown>, string[]]>([
    ['the branch still at the merged head is deleted', {}, {}, ['feat/a']],
    [
      'a branch an agent pushed to since is kept',
      { branches: [{ name: 'feat/a', sha: sha('9'), committedAtMs: null }] },
      {},
      [],
    ],
    ["a fork's branch is never the app's to delete", {}, { fromFork: true }, []],
    [
      'merge.delete_branch: false keeps it',
      {
        config: (c) => {
          c.merge.delete_branch = false;
        },
      },
      {},
      [],
    ],
  ])('%s', (_name, input, fields, expected) => {
    const out = derive({
      tasks,
      branches: [{ name: 'feat/a', sha: sha('1'), committedAtMs: null }],
      ...input,
      merged: [merged(1, 'a', fields)],
    });
    expect(out.deleteBranches.map((b) => b.name)).toEqual(expected);
  });

  it('derives merges, ready tasks, completed generations and the completed graph as keyed events', () => {
    const midway = derive({ tasks, merged: [merged(1, 'a')] });
    expect(midway.events.map((e) => e.key)).toEqual([
      `task.merged:a:${sha('1')}`,
      'task.ready:b',
      'generation.completed:1',
    ]);
    const all = derive({
      tasks: [
        { id: 'a', status: 'completed' },
        { id: 'b', status: 'completed', deps: ['a'] },
      ],
      merged: [merged(2, 'b'), merged(7, 'docs-only', { headRef: 'docs/readme' })],
    });
    expect(all.events.map((e) => e.key)).toEqual([
      `task.merged:b:${sha('2')}`,
      'generation.completed:1',
      'generation.completed:2',
      'graph.completed:o/r:2',
    ]);
  });

  it('announces a recorded failure and owes its comment until the record says it is written', () => {
    const failed = (externalId: string) =>
      pull(3, 'b', {
        ownChecks: {
          'Merge queue': run({
            headSha: sha('3'),
            status: 'completed',
            conclusion: 'failure',
            title: 'Conflict with main',
            summary: 'Merge main.',
            externalId,
          }),
        },
      });
    const owed = derive({ tasks, pulls: [failed('tgc1;failed=conflict')] });
    expect(owed.events.filter((e) => e.type === 'merge.conflict').map((e) => e.key)).toEqual([
      `merge.conflict:#3:${sha('3')}`,
    ]);
    expect(owed.comments).toEqual([
      {
        pull: 3,
        headSha: sha('3'),
        body: `**Conflict with main** (task \`b\`, head 3333333)\n\nMerge main.\n\n<!-- taskgraph-coordinator:failure:${sha('3')} -->`,
        runId: 44,
        externalId: 'tgc1;failed=conflict;commented=1',
      },
    ]);
    const written = derive({ tasks, pulls: [failed('tgc1;failed=conflict;commented=1')] });
    expect(written.comments).toEqual([]);
    expect(written.events.some((e) => e.type === 'merge.conflict')).toBe(true);
    const rules = derive({ tasks, pulls: [failed('tgc1;blocked=rules')] });
    expect([rules.comments, rules.events.filter((e) => e.type.startsWith('merge.'))]).toEqual([[], []]);
  });
});
