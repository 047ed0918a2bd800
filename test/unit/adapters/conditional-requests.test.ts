import nock from 'nock';
import { ProbotOctokit } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConditionalCache,
  withConditionalRequests,
} from '../../../src/adapters/github/conditional-requests.js';
import type { Octokit } from '../../../src/adapters/github/octokit.js';

const API = 'https://api.github.com';
const client = (cache: ConditionalCache) =>
  withConditionalRequests(
    new ProbotOctokit({
      auth: { token: 't' },
      throttle: { enabled: false },
      retry: { enabled: false },
    } as never) as unknown as Octokit,
    cache,
  );

describe('conditional requests', () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toEqual([]);
    nock.cleanAll();
  });

  it('sends the ETag back and answers a 304 from the cache (a free read on GitHub)', async () => {
    const cache = new ConditionalCache();
    const octokit = client(cache);
    nock(API)
      .get('/repos/acme/widgets/commits/abc/status')
      .reply(200, { state: 'success', statuses: [] }, { etag: '"v1"' });
    nock(API, { reqheaders: { 'if-none-match': '"v1"' } })
      .get('/repos/acme/widgets/commits/abc/status')
      .reply(304, '');
    const first = await octokit.rest.repos.getCombinedStatusForRef({
      owner: 'acme',
      repo: 'widgets',
      ref: 'abc',
    });
    const second = await octokit.rest.repos.getCombinedStatusForRef({
      owner: 'acme',
      repo: 'widgets',
      ref: 'abc',
    });
    expect(second.data).toEqual(first.data);
    expect(cache.hits).toBe(1);
  });

  it('takes a changed answer and its new ETag', async () => {
    const cache = new ConditionalCache();
    const octokit = client(cache);
    nock(API).get('/repos/acme/widgets').reply(200, { default_branch: 'main' }, { etag: '"v1"' });
    nock(API, { reqheaders: { 'if-none-match': '"v1"' } })
      .get('/repos/acme/widgets')
      .reply(200, { default_branch: 'trunk' }, { etag: '"v2"' });
    nock(API, { reqheaders: { 'if-none-match': '"v2"' } })
      .get('/repos/acme/widgets')
      .reply(304, '');
    await octokit.rest.repos.get({ owner: 'acme', repo: 'widgets' });
    expect((await octokit.rest.repos.get({ owner: 'acme', repo: 'widgets' })).data.default_branch).toBe(
      'trunk',
    );
    expect((await octokit.rest.repos.get({ owner: 'acme', repo: 'widgets' })).data.default_branch).toBe(
      'trunk',
    );
  });

  it('keys by the whole URL, query included, and leaves writes alone', async () => {
    const cache = new ConditionalCache();
    const octokit = client(cache);
    nock(API)
      .get('/repos/acme/widgets/pulls')
      .query({ state: 'open' })
      .reply(200, [{ number: 1 }], { etag: '"o"' });
    nock(API)
      .get('/repos/acme/widgets/pulls')
      .query({ state: 'closed' })
      .reply(200, [{ number: 2 }], { etag: '"c"' });
    nock(API, { badheaders: ['if-none-match'] })
      .post('/repos/acme/widgets/check-runs')
      .reply(201, { id: 1 });
    await octokit.rest.pulls.list({ owner: 'acme', repo: 'widgets', state: 'open' });
    const closed = await octokit.rest.pulls.list({ owner: 'acme', repo: 'widgets', state: 'closed' });
    expect(closed.data).toEqual([{ number: 2 }]);
    await octokit.rest.checks.create({ owner: 'acme', repo: 'widgets', name: 'x', head_sha: 'abc' });
  });

  it('survives octokit.paginate, which rewrites the response it is given', async () => {
    const cache = new ConditionalCache();
    const octokit = client(cache);
    const body = { total_count: 1, check_runs: [{ id: 7, name: 'ci' }] };
    nock(API)
      .get('/repos/acme/widgets/commits/abc/check-runs')
      .query({ per_page: 100 })
      .reply(200, body, { etag: '"r"' });
    nock(API, { reqheaders: { 'if-none-match': '"r"' } })
      .get('/repos/acme/widgets/commits/abc/check-runs')
      .query({ per_page: 100 })
      .times(2)
      .reply(304, '');
    for (let i = 0; i < 3; i++) {
      const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
        owner: 'acme',
        repo: 'widgets',
        ref: 'abc',
        per_page: 100,
      });
      expect(runs).toEqual([{ id: 7, name: 'ci' }]);
    }
    expect(cache.hits).toBe(2);
  });

  it('forgets the least recently used URL beyond its bound in bytes', () => {
    // Each entry: key (1) + etag (1) + JSON body (3: "A") = 5 bytes; room for two.
    const cache = new ConditionalCache(10);
    cache.set('a', { etag: '1', response: 'A' });
    cache.set('b', { etag: '2', response: 'B' });
    cache.get('a');
    cache.set('c', { etag: '3', response: 'C' });
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.response).toBe('A');
    expect(cache.bytes).toBe(10);
  });
});
