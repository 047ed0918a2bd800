/**
 * The adoption adapters against GitHub's documented answers (nock): what is read (commit pages, every
 * merged PR, a compare only for branches older than the commits read) and what is written (one
 * commit on the base head, the app's branch force-moved or created, the PR opened or updated only
 * when its body changed; after the merge, branches deleted only while they are where they were).
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobCache } from '../../../src/adapters/github/blob-cache.js';
import { readAdoptionFacts } from '../../../src/adapters/github/read-adoption.js';
import {
  deleteAdoptedBranches,
  findAdoptionPulls,
  writeAdoptionPull,
} from '../../../src/adapters/github/write-adoption.js';
import { parseRepoConfig } from '../../../src/config/repo-config.js';
import { adoptRepository } from '../../../src/coordinator/adoption.js';
import { adoptionMarker } from '../../../src/domain/adopt/adoption-pull.js';
import { loadTaskGraph } from '../../../src/domain/tasks/load-graph.js';
import { testOctokit } from '../../helpers/octokit.js';

const API = 'https://api.github.com';
const R = '/repos/acme/widgets';
const repo = { owner: 'acme', repo: 'widgets' };
const client = testOctokit;
const sha = (c: string) => c.repeat(40);
const commit = (s: string, message: string) => ({ sha: s, commit: { message }, parents: [] });
const pull = (n: number, head: string, merged: boolean, extra: Record<string, unknown> = {}) => ({
  number: n,
  title: `PR ${n}`,
  body: '',
  state: 'closed',
  html_url: `https://github.com/acme/widgets/pull/${n}`,
  merged_at: merged ? '2026-06-02T10:00:00Z' : null,
  head: { ref: head, sha: sha('e'), repo: { full_name: 'acme/widgets' } },
  ...extra,
});

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending, 'every mocked request was made').toEqual([]);
});

describe('readAdoptionFacts', () => {
  it('reads every page, and compares only a branch older than the commits it read', async () => {
    const next = (page: number) => ({
      link: `<${API}${R}/commits?sha=${sha('a')}&per_page=100&page=${page}>; rel="next"`,
    });
    nock(API)
      .get(`${R}/git/matching-refs/heads%2Ffeat%2F`)
      .query(true)
      .reply(200, [
        { ref: 'refs/heads/feat/a', object: { sha: sha('1') } },
        { ref: 'refs/heads/feat/old', object: { sha: sha('2') } },
        { ref: 'refs/heads/feat/wip', object: { sha: sha('3') } },
      ])
      .get(`${R}/commits`)
      .query({ sha: sha('a'), per_page: '100' })
      .reply(200, [commit(sha('a'), 'Merge origin/feat/a into main\n\nbody')], next(2))
      .get(`${R}/commits`)
      .query({ sha: sha('a'), per_page: '100', page: '2' })
      .reply(200, [commit(sha('1'), 'implement a')])
      .get(`${R}/pulls`)
      .query({ state: 'closed', base: 'main', per_page: '100' })
      .reply(200, [pull(5, 'feat/b', true), pull(6, 'feat/c', false)])
      // docs "Compare two commits": behind = the head is an ancestor of the base
      .get(`${R}/compare/${sha('a')}...${sha('2')}`)
      .query(true)
      .reply(200, { status: 'behind', ahead_by: 0, behind_by: 40, commits: [], files: [] })
      .get(`${R}/compare/${sha('a')}...${sha('3')}`)
      .query(true)
      .reply(200, { status: 'diverged', ahead_by: 2, behind_by: 3, commits: [], files: [] });
    const facts = await readAdoptionFacts({
      octokit: client(),
      repo,
      baseBranch: 'main',
      baseSha: sha('a'),
      prefixes: ['feat/'],
    });
    expect(facts.commits).toEqual([
      { sha: sha('a'), subject: 'Merge origin/feat/a into main' },
      { sha: sha('1'), subject: 'implement a' },
    ]);
    expect([...facts.reachable].sort()).toEqual([sha('1'), sha('2')]);
    expect(facts.merged.map((p) => [p.number, p.headRef])).toEqual([[5, 'feat/b']]);
  });
});

describe('writeAdoptionPull', () => {
  const proposed = {
    title: 'Adopt the task graph: 1 task already merged into main',
    body: `${adoptionMarker({ tasks: ['a'], branches: [], config: false })}\nbody`,
    files: [{ path: 'tasks/a.md', text: '---\nid: a\nstatus: completed\n---\n' }],
    record: { tasks: ['a'], branches: [], config: false },
  };

  it('opens it: one commit on the base head, the branch created when missing, the PR', async () => {
    const created: unknown[] = [];
    nock(API)
      .get(`${R}/git/commits/${sha('a')}`)
      .reply(200, { sha: sha('a'), tree: { sha: sha('t') }, parents: [] })
      .post(`${R}/git/trees`, (b) => b.base_tree === sha('t') && b.tree[0].path === 'tasks/a.md')
      .reply(201, { sha: sha('u') })
      .post(`${R}/git/commits`, (b) => b.tree === sha('u') && b.parents[0] === sha('a'))
      .reply(201, { sha: sha('c') })
      .patch(`${R}/git/refs/heads%2Fcoordinator%2Fadopt`, (b) => b.force === true)
      .reply(422, { message: 'Reference does not exist' })
      .post(`${R}/git/refs`, (b) => b.ref === 'refs/heads/coordinator/adopt' && b.sha === sha('c'))
      .reply(201, {})
      .post(`${R}/pulls`, (b) => {
        created.push(b);
        return true;
      })
      .reply(201, { number: 7, html_url: 'https://github.com/acme/widgets/pull/7' });
    const written = await writeAdoptionPull(client(), repo, {
      baseBranch: 'main',
      baseSha: sha('a'),
      pull: proposed,
      open: null,
    });
    expect(written).toEqual({ kind: 'opened', number: 7, url: 'https://github.com/acme/widgets/pull/7' });
    expect(created).toEqual([
      { head: 'coordinator/adopt', base: 'main', title: proposed.title, body: proposed.body },
    ]);
  });

  it('leaves an open PR with the same body alone (no request at all)', async () => {
    const open = {
      number: 7,
      url: 'u',
      state: 'open' as const,
      merged: false,
      title: proposed.title,
      body: proposed.body,
      record: proposed.record,
    };
    expect(
      await writeAdoptionPull(client(), repo, {
        baseBranch: 'main',
        baseSha: sha('a'),
        pull: proposed,
        open,
      }),
    ).toEqual({
      kind: 'unchanged',
      number: 7,
      url: 'u',
    });
  });

  it('finds only same-repository adoption PRs, newest first, with their records', async () => {
    nock(API)
      .get(`${R}/pulls`)
      .query({ state: 'all', head: 'acme:coordinator/adopt', per_page: '100' })
      .reply(200, [
        pull(3, 'coordinator/adopt', false, { body: proposed.body }),
        pull(9, 'coordinator/adopt', false, { state: 'open', body: proposed.body }),
        pull(4, 'coordinator/adopt', true, {
          head: { ref: 'coordinator/adopt', sha: sha('e'), repo: { full_name: 'evil/widgets' } },
        }),
      ]);
    const found = await findAdoptionPulls(client(), repo);
    expect(found.map((p) => [p.number, p.state, p.merged, p.record?.tasks])).toEqual([
      [9, 'open', false, ['a']],
      [3, 'closed', false, ['a']],
    ]);
  });
});

describe('deleteAdoptedBranches', () => {
  it('deletes a branch only while it is at the recorded SHA, then the adoption branch', async () => {
    const deleted: string[] = [];
    nock(API)
      .get(`${R}/git/ref/heads%2Ffeat%2Fa`)
      .reply(200, { object: { sha: sha('1') } })
      .delete(`${R}/git/refs/heads%2Ffeat%2Fa`)
      .reply(204, () => {
        deleted.push('feat/a');
        return '';
      })
      .get(`${R}/git/ref/heads%2Ffeat%2Fmoved`)
      .reply(200, { object: { sha: sha('9') } })
      .get(`${R}/git/ref/heads%2Ffeat%2Fgone`)
      .reply(404, { message: 'Not Found' })
      .get(`${R}/git/ref/heads%2Fcoordinator%2Fadopt`)
      .reply(200, { object: { sha: sha('c') } })
      .delete(`${R}/git/refs/heads%2Fcoordinator%2Fadopt`)
      .reply(204, () => {
        deleted.push('coordinator/adopt');
        return '';
      });
    const result = await deleteAdoptedBranches(client(), repo, {
      tasks: ['a'],
      branches: [
        { name: 'feat/a', sha: sha('1') },
        { name: 'feat/moved', sha: sha('2') },
        { name: 'feat/gone', sha: sha('3') },
      ],
      config: false,
    });
    expect(result).toEqual(['feat/a']);
    expect(deleted).toEqual(['feat/a', 'coordinator/adopt']);
  });
});

const defaults = () => {
  const result = parseRepoConfig(null);
  if (!result.ok) throw new Error('the defaults do not parse');
  return result.config;
};

describe('adoptRepository', () => {
  const loaded = loadTaskGraph([
    { path: 'tasks/a.md', text: '---\nid: a\nname: A\nstatus: completed\n---\n' },
  ]);
  const base = {
    repoUrl: 'https://github.com/acme/widgets',
    baseBranch: 'main',
    baseSha: sha('a'),
    loaded,
    taskTexts: new Map([['tasks/a.md', '---\nid: a\nname: A\nstatus: completed\n---\n']]),
    taskPaths: new Map([['a', 'tasks/a.md']]),
    codeownersSha: null,
  };
  const deps = { blobs: new BlobCache(), log: { info: () => undefined }, now: () => 0 };
  const reads = (adoptionPulls: unknown[], configStatus: number) =>
    nock(API)
      .get(`${R}/git/matching-refs/heads%2Ffeat%2F`)
      .query(true)
      .reply(200, [])
      .get(`${R}/commits`)
      .query(true)
      .reply(200, [])
      .get(`${R}/pulls`)
      .query({ state: 'closed', base: 'main', per_page: '100' })
      .reply(200, [])
      .get(`${R}/contents/.github%2Fcoordinator.yml`)
      .query({ ref: sha('a') })
      .reply(configStatus, configStatus === 200 ? { type: 'file', content: '' } : { message: 'Not Found' })
      .get(`${R}/pulls`)
      .query({ state: 'all', head: 'acme:coordinator/adopt', per_page: '100' })
      .reply(200, adoptionPulls);

  it('a closed, unmerged adoption PR is a decline: the first-sight scan proposes nothing', async () => {
    reads([pull(3, 'coordinator/adopt', false)], 404);
    const outcome = await adoptRepository(deps, client(), repo, defaults(), {
      force: false,
      base,
    });
    expect(outcome).toEqual({ kind: 'declined', number: 3, url: 'https://github.com/acme/widgets/pull/3' });
  });

  it('closes the open adoption PR, with one comment, once nothing is left to adopt', async () => {
    const comments: string[] = [];
    reads([pull(5, 'coordinator/adopt', false, { state: 'open' })], 200)
      .post(`${R}/issues/5/comments`, (b) => {
        comments.push(b.body);
        return true;
      })
      .reply(201, {})
      .patch(`${R}/pulls/5`, (b) => b.state === 'closed')
      .reply(200, {});
    const outcome = await adoptRepository(deps, client(), repo, defaults(), {
      force: true,
      base,
    });
    expect(outcome).toEqual({ kind: 'nothing', closed: 5 });
    expect(comments).toHaveLength(1);
    expect(comments[0]).toMatch(/^Nothing is left to adopt/);
  });
});
