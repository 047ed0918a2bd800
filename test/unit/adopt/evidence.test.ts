/**
 * Adoption evidence (issue 14, item 3): which commit subjects name a task, and the proposal on real
 * data: wraith's tasks with a history seeded the way wraith's coordinator agent merged (direct
 * commits, `Merge origin/feat/...`, a local branch merge, fast-forwards, 12 stale branches), its
 * facts read with plain git, not through the app.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { seedDriftedRepo } from '../../../sim/drifted-repo.js';
import {
  type AdoptionFacts,
  namedInSubject,
  proposeAdoption,
  taskOfSubject,
} from '../../../src/domain/adopt/evidence.js';
import { BranchIndex } from '../../../src/domain/tasks/branch-names.js';
import { loadTaskGraph } from '../../../src/domain/tasks/load-graph.js';
import { graphOf, WRAITH_DIR } from '../../helpers/task-files.js';

describe('namedInSubject', () => {
  it.each([
    ["Merge branch 'feat/server/serve-loop'", { branch: 'feat/server/serve-loop' }],
    ["Merge branch 'feat/a' into main", { branch: 'feat/a' }],
    ["Merge branch 'feat/a' of https://github.com/o/r", { branch: 'feat/a' }],
    ["Merge remote-tracking branch 'origin/feat/a'", { branch: 'origin/feat/a' }],
    [
      'Merge origin/feat/transport/tls-transport into transport/trait-and-types',
      { branch: 'origin/feat/transport/tls-transport', taskId: 'origin/feat/transport/tls-transport' },
    ],
    ['Merge pull request #12 from acme/feat/a', { branch: 'feat/a' }],
    ['Merge setup/project-init: scaffold', { branch: 'setup/project-init', taskId: 'setup/project-init' }],
    ['Merge task core/x (#7)', { taskId: 'core/x' }],
    ['implement handler', null],
    ['docs: client/port-forwarding is next', null],
    ['Merged a thing', null],
  ])('%s', (subject, expected) => {
    expect(namedInSubject(subject)).toEqual(expected);
  });
});

describe('taskOfSubject', () => {
  const { graph } = graphOf({ id: 'core/a' }, { id: 'core/b' }, { id: 'main' });
  const index = new BranchIndex(graph.ids, ['feat/']);
  it.each([
    ['Merge origin/feat/core/a into main', 'core/a'],
    ["Merge branch 'feat/core/b'", 'core/b'],
    ["Merge remote-tracking branch 'upstream/feat/core/b'", 'core/b'],
    ['Merge core/a: done', 'core/a'],
    ['Merge task core/b (#3)', 'core/b'],
    // A branch that is no task branch, even when a task is named like it, and unknown ids.
    ["Merge branch 'main' into feat/core/a", null],
    ['Merge core/zzz: nope', null],
    ['Merge pull request #4 from acme/fix/typo', null],
  ])('%s → %s', (subject, expected) => {
    expect(taskOfSubject(subject, graph, index)).toBe(expected);
  });
});

/** The facts of a working repository, read with git itself. */
function gitFacts(dir: string): AdoptionFacts {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
  const baseSha = git('rev-parse', 'main');
  const commits = git('log', '--format=%H %s', 'main')
    .split('\n')
    .map((line) => ({ sha: line.slice(0, 40), subject: line.slice(41) }));
  const branches = git('for-each-ref', '--format=%(refname:short) %(objectname)', 'refs/heads/feat/')
    .split('\n')
    .map((line) => {
      const [name, sha] = line.split(' ');
      return { name: name as string, sha: sha as string };
    });
  const listed = new Set(commits.map((c) => c.sha));
  return {
    baseSha,
    branches,
    reachable: new Set(branches.filter((b) => listed.has(b.sha)).map((b) => b.sha)),
    commits,
    merged: [],
  };
}

function loadDir(dir: string) {
  const files = execFileSync('git', ['ls-files', 'tasks'], { cwd: dir, encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((p) => ({ path: p, text: readFileSync(path.join(dir, p), 'utf8') }));
  return loadTaskGraph(files, { prefixes: ['feat/'] });
}

describe('proposeAdoption', () => {
  it('finds exactly the merged tasks and stale branches of a wraith-like history', () => {
    const seeded = seedDriftedRepo(path.join(WRAITH_DIR, '01-decomposed-all-pending/tasks'));
    const loaded = loadDir(seeded.dir);
    const index = new BranchIndex(loaded.graph.ids, ['feat/']);
    const paths = new Map([...loaded.graph.tasks.values()].map((t) => [t.id, t.file]));
    const proposal = proposeAdoption({ graph: loaded.graph, index, paths, facts: gitFacts(seeded.dir) });
    expect(proposal.tasks.map((t) => t.taskId)).toEqual(seeded.merged);
    expect(proposal.mergedBranches.map((b) => b.name)).toEqual(seeded.staleBranches);
    expect(proposal.mergedBranches).toHaveLength(12);
    const kinds = Object.fromEntries(
      proposal.tasks.map((t) => [t.taskId, t.evidence.map((e) => e.kind).sort()]),
    );
    expect(kinds).toMatchObject({
      'setup/project-init': ['commit'], // "Merge setup/project-init: …" straight on main
      'auth/error-types': ['commit'], // "Merge branch 'feat/auth/error-types'", branch deleted
      'napi/project-setup': ['branch'], // fast-forward, branch left behind
      'transport/tls-transport': ['branch', 'commit'],
    });
    expect(proposal.tasks.find((t) => t.taskId === seeded.doneTask)?.was).toBe('done');
    expect(proposal.tasks.every((t) => t.path === `tasks/${t.taskId}.md`)).toBe(true);
  });

  it('adopts a `done` task without evidence, and lists completed tasks with evidence apart', () => {
    const loaded = graphOf({ id: 'a', status: 'done' }, { id: 'b', status: 'completed' }, { id: 'c' });
    const index = new BranchIndex(loaded.graph.ids, ['feat/']);
    const paths = new Map(loaded.graph.ids.map((id) => [id, `tasks/${id}.md`]));
    const proposal = proposeAdoption({
      graph: loaded.graph,
      index,
      paths,
      facts: {
        baseSha: 'f'.repeat(40),
        branches: [],
        reachable: new Set(),
        commits: [{ sha: '1'.repeat(40), subject: 'Merge origin/feat/b into main' }],
        merged: [
          { number: 9, title: 'C', body: '', headRef: 'feat/c', url: 'https://x/pull/9' },
          { number: 8, title: 'Not a task', body: '', headRef: 'fix/typo', url: 'https://x/pull/8' },
        ],
      },
    });
    expect(proposal.tasks.map((t) => [t.taskId, t.was, t.evidence.map((e) => e.kind)])).toEqual([
      ['a', 'done', []],
      ['c', 'pending', ['pull']],
    ]);
    expect(proposal.alreadyCompleted).toEqual(['b']);
  });

  it.each([
    ['the base head itself (created, never committed)', 'base', null, false],
    ['a commit that merged another task', 'other', 'Merge origin/feat/b into main', false],
    ['its own merge commit', 'own', 'Merge origin/feat/a into main', true],
    ['a plain commit in the base (fast-forward)', 'plain', 'implement a', true],
  ])('a reachable branch at %s counts: %s', (_what, at, subject, counts) => {
    const loaded = graphOf({ id: 'a' }, { id: 'b', status: 'completed' });
    const index = new BranchIndex(loaded.graph.ids, ['feat/']);
    const baseSha = 'b'.repeat(40);
    const sha = at === 'base' ? baseSha : at.padEnd(40, '0');
    const proposal = proposeAdoption({
      graph: loaded.graph,
      index,
      paths: new Map([
        ['a', 'tasks/a.md'],
        ['b', 'tasks/b.md'],
      ]),
      facts: {
        baseSha,
        branches: [{ name: 'feat/a', sha }],
        reachable: new Set([sha]),
        commits: subject ? [{ sha, subject }] : [],
        merged: [],
      },
    });
    expect(proposal.mergedBranches.length > 0).toBe(counts);
    expect(proposal.tasks.some((t) => t.taskId === 'a')).toBe(
      counts || subject === 'Merge origin/feat/a into main',
    );
  });

  it('a branch that is ahead of the base (not reachable) is no evidence', () => {
    const loaded = graphOf({ id: 'a' });
    const index = new BranchIndex(loaded.graph.ids, ['feat/']);
    const proposal = proposeAdoption({
      graph: loaded.graph,
      index,
      paths: new Map([['a', 'tasks/a.md']]),
      facts: {
        baseSha: 'b'.repeat(40),
        branches: [{ name: 'feat/a', sha: 'c'.repeat(40) }],
        reachable: new Set(),
        commits: [],
        merged: [],
      },
    });
    expect(proposal).toEqual({ tasks: [], mergedBranches: [], alreadyCompleted: [] });
  });
});
