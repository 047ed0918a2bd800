/**
 * readSnapshot's round trips (nock): the reads that need only the base branch's name (its rules,
 * the open and the recently merged PRs) are sent before the base head's tree has answered, and a
 * new task PR head's checks and parents are sent before its files have answered. Each such read
 * used to wait for the one before it: on GitHub a round trip is tens to hundreds of ms, and a
 * reconcile between "PR ready" and the staging push is on every task's path to the base.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobCache } from '../../../src/adapters/github/blob-cache.js';
import { PermissionCache } from '../../../src/adapters/github/permissions.js';
import { readSnapshot, startFirstReads } from '../../../src/adapters/github/read-snapshot.js';
import { parseRepoConfig, type RepoConfig } from '../../../src/config/repo-config.js';
import { BASE, HEAD, R, repo, TASK_A, TASK_B } from '../../helpers/github-mocks.js';
import { testOctokit } from '../../helpers/octokit.js';
import { API, b64 } from '../../helpers/probot.js';

const DELAY_MS = 150;

function config(): RepoConfig {
  const result = parseRepoConfig({ merge: { required_checks: ['ci'] } });
  if (!result.ok) throw new Error('bad config');
  return result.config;
}

const pullA = {
  number: 7,
  title: 'Implement A',
  body: '',
  draft: false,
  labels: [],
  created_at: '2026-06-02T10:00:00Z',
  updated_at: '2026-06-02T10:00:00Z',
  html_url: 'https://github.com/acme/widgets/pull/7',
  user: { login: 'agent' },
  head: { ref: 'feat/a', sha: HEAD, repo: { full_name: 'acme/widgets' } },
};

/** The reads that need only a base branch's name: its head, its rules, its open and merged PRs. */
function branchReads(scope: nock.Scope, branch: string, head: string, open: unknown[]): nock.Scope {
  return scope
    .get(`${R}/git/ref/heads%2F${branch}`)
    .reply(200, { object: { sha: head } })
    .get(`${R}/branches/${branch}/protection`)
    .reply(404, { message: 'Branch not protected' })
    .get(`${R}/rules/branches/${branch}`)
    .query(true)
    .reply(200, [])
    .get(`${R}/pulls`)
    .query((q) => q.base === branch && q.state === 'open')
    .reply(200, open)
    .get(`${R}/pulls`)
    .query((q) => q.base === branch && q.state === 'closed')
    .reply(200, []);
}

describe('readSnapshot', () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());

  it('sends the base-name reads and a new head’s checks without waiting for the tree or the files', async () => {
    const sent = new Map<string, number>();
    const answered = new Map<string, number>();
    const at = (name: string) => () => {
      sent.set(name, Date.now());
      return true;
    };
    const later = (name: string, body: unknown) => (_uri: string) => {
      sent.set(name, Date.now());
      return new Promise((resolve) =>
        setTimeout(() => {
          answered.set(name, Date.now());
          resolve(body);
        }, DELAY_MS),
      ).then((b) => [200, b] as [number, unknown]);
    };
    const api = nock(API)
      .get(R)
      .reply(200, { default_branch: 'main', html_url: 'https://github.com/acme/widgets' })
      .get(`${R}/git/ref/heads%2Fmain`)
      .reply(200, { object: { sha: BASE } })
      .get(`${R}/git/trees/${BASE}`)
      .query({ recursive: 'true' })
      .reply(
        later('tree', {
          tree: [
            { path: 'tasks/a.md', type: 'blob', sha: '2'.repeat(40) },
            { path: 'tasks/sub/b.md', type: 'blob', sha: '3'.repeat(40) },
          ],
        }),
      )
      .get(`${R}/git/blobs/${'2'.repeat(40)}`)
      .reply(200, { content: b64(TASK_A), encoding: 'base64' })
      .get(`${R}/git/blobs/${'3'.repeat(40)}`)
      .reply(200, { content: b64(TASK_B), encoding: 'base64' })
      .get(`${R}/branches/main/protection`)
      .reply(404, { message: 'Branch not protected' })
      .get(`${R}/rules/branches/main`)
      .query((q) => at('rules')() && q.per_page === '100')
      .reply(200, [])
      .get(`${R}/pulls`)
      .query((q) => q.state === 'open' && at('open pulls')())
      .reply(200, [pullA])
      .get(`${R}/pulls`)
      .query((q) => q.state === 'closed' && at('merged pulls')())
      .reply(200, [])
      .get(`${R}/git/matching-refs/heads%2Ffeat%2F`)
      .query({ per_page: 100 })
      .reply(200, [])
      .get(`${R}/git/matching-refs/heads%2Fcoordinator%2F`)
      .reply(200, [])
      .get(`${R}/commits/${BASE}/check-runs`)
      .query({ app_id: 1, per_page: 100 })
      .reply(200, { total_count: 0, check_runs: [] })
      .get(`${R}/commits`)
      .query({ sha: BASE, per_page: 100 })
      .reply(200, [])
      .get(`${R}/pulls/7/files`)
      .query({ per_page: 100 })
      .reply(later('files', [{ filename: 'src/a.ts', status: 'added', sha: '4'.repeat(40) }]))
      .get(`${R}/git/commits/${HEAD}`)
      .reply(() => {
        sent.set('parents', Date.now());
        return [200, { sha: HEAD, parents: [{ sha: BASE }], message: 'work' }];
      })
      .get(`${R}/commits/${HEAD}/check-runs`)
      .query((q) => q.per_page === '100' && q.app_id === undefined && at('pr checks')())
      .reply(200, {
        total_count: 1,
        check_runs: [{ id: 1, name: 'ci', status: 'completed', conclusion: 'success', app: { id: 99 } }],
      })
      .get(`${R}/commits/${HEAD}/status`)
      .query({ per_page: 100 })
      .reply(200, { state: 'success', statuses: [] });

    const { snapshot } = await readSnapshot({
      octokit: testOctokit(),
      repo,
      config: config(),
      app: { id: 1, slug: 'taskgraph-coordinator' },
      blobs: new BlobCache(),
      permissions: new PermissionCache(),
      settled: new Set<string>(),
      nowMs: Date.now(),
    });

    expect(api.pendingMocks()).toEqual([]);
    expect(snapshot.pulls.map((p) => [p.number, p.changedFiles])).toEqual([[7, ['src/a.ts']]]);
    const treeAnswered = answered.get('tree') as number;
    for (const name of ['rules', 'open pulls', 'merged pulls'])
      expect({ name, before: (sent.get(name) as number) < treeAnswered }).toEqual({ name, before: true });
    const filesAnswered = answered.get('files') as number;
    for (const name of ['pr checks', 'parents'])
      expect({ name, before: (sent.get(name) as number) < filesAnswered }).toEqual({ name, before: true });
  });

  it('a config that names another base reads that branch, not the default branch the first reads guessed', async () => {
    const RELEASE = '9'.repeat(40);
    const prefetched = nock(API)
      .get(R)
      .reply(200, { default_branch: 'main', html_url: 'https://github.com/acme/widgets' })
      .get(`${R}/git/matching-refs/heads%2Fcoordinator%2F`)
      .reply(200, []);
    // the first reads, for the default branch (started before the config is known)
    branchReads(prefetched, 'main', BASE, [pullA]);
    const release = branchReads(nock(API), 'release', RELEASE, [])
      .get(`${R}/git/trees/${RELEASE}`)
      .query({ recursive: 'true' })
      .reply(200, { tree: [] })
      .get(`${R}/git/matching-refs/heads%2Ffeat%2F`)
      .query({ per_page: 100 })
      .reply(200, [])
      .get(`${R}/commits/${RELEASE}/check-runs`)
      .query(true)
      .reply(200, { total_count: 0, check_runs: [] })
      .get(`${R}/commits`)
      .query(true)
      .reply(200, []);
    const parsed = parseRepoConfig({ branches: { base: 'release' }, merge: { required_checks: ['ci'] } });
    if (!parsed.ok) throw new Error('bad config');
    const octokit = testOctokit();
    const { snapshot } = await readSnapshot({
      octokit,
      repo,
      config: parsed.config,
      app: { id: 1, slug: 'taskgraph-coordinator' },
      blobs: new BlobCache(),
      permissions: new PermissionCache(),
      settled: new Set<string>(),
      nowMs: Date.now(),
      first: startFirstReads(octokit, repo),
    });
    expect([snapshot.baseBranch, snapshot.baseSha, snapshot.pulls]).toEqual(['release', RELEASE, []]);
    expect([...prefetched.pendingMocks(), ...release.pendingMocks()]).toEqual([]);
  });
});
