/**
 * The app's caches stay within their bounds however much is read: the ETag and blob caches in
 * bytes (they hold bodies), the permission cache in entries and time.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobCache } from '../../../src/adapters/github/blob-cache.js';
import {
  ConditionalCache,
  withConditionalRequests,
} from '../../../src/adapters/github/conditional-requests.js';
import { PermissionCache } from '../../../src/adapters/github/permissions.js';
import { testOctokit } from '../../helpers/octokit.js';

const API = 'https://api.github.com';
const repo = { owner: 'acme', repo: 'widgets' };
const client = testOctokit;

beforeEach(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('ConditionalCache bound', () => {
  it('holds at most its bytes of bodies after 200 distinct 20 KB answers', async () => {
    const maxBytes = 256 * 1024;
    const cache = new ConditionalCache(maxBytes);
    const octokit = withConditionalRequests(client(), cache);
    const body = { text: 'x'.repeat(20_000) };
    nock(API)
      .persist()
      .get(/\/repos\/acme\/widgets\/issues\/\d+$/)
      .reply(200, body, { etag: '"e"' });
    for (let n = 1; n <= 200; n++)
      await octokit.request('GET /repos/{owner}/{repo}/issues/{n}', { ...repo, n });
    expect(cache.bytes).toBeLessThanOrEqual(maxBytes);
    // Still useful: the most recent answers are there, the oldest went first.
    expect(cache.get(`${API}/repos/acme/widgets/issues/200`)).toBeDefined();
    expect(cache.get(`${API}/repos/acme/widgets/issues/1`)).toBeUndefined();
  });

  it('does not keep an answer bigger than the whole bound', () => {
    const cache = new ConditionalCache(1_000);
    cache.set('big', { etag: '"1"', response: { data: 'y'.repeat(5_000) } });
    expect(cache.get('big')).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });
});

describe('BlobCache bound', () => {
  it('keeps at most its bytes of blob text and derived answers', async () => {
    const cache = new BlobCache({ textBytes: 100_000, derivedBytes: 50_000 });
    const text = 'é'.repeat(5_000); // 10,000 bytes of UTF-8
    nock(API)
      .persist()
      .get(/\/repos\/acme\/widgets\/git\/blobs\/\w+$/)
      .reply(200, { content: Buffer.from(text).toString('base64'), encoding: 'base64' });
    for (let n = 0; n < 50; n++) expect(await cache.text(client(), repo, `sha${n}`)).toBe(text);
    expect(cache.bytes.texts).toBeLessThanOrEqual(100_000);
    expect(cache.bytes.texts).toBeGreaterThan(50_000);
    for (let n = 0; n < 50; n++) await cache.immutable(`files:${n}`, async () => ['a'.repeat(5_000)]);
    expect(cache.bytes.derived).toBeLessThanOrEqual(50_000);
    // The newest blob is served without a request; the oldest was evicted and is read again.
    const misses = cache.misses;
    await cache.text(client(), repo, 'sha49');
    expect(cache.misses).toBe(misses);
    await cache.text(client(), repo, 'sha0');
    expect(cache.misses).toBe(misses + 1);
  });
});

describe('PermissionCache bound', () => {
  it('keeps at most max answers and forgets them after the TTL', async () => {
    const clock = { now: 0 };
    const cache = new PermissionCache({ ttlMs: 60_000, max: 5, now: () => clock.now });
    const scope = nock(API)
      .persist()
      .get(/\/repos\/acme\/widgets\/collaborators\/[^/]+\/permission$/)
      .reply(200, { permission: 'write' });
    for (let n = 0; n < 20; n++) await cache.permission(client(), repo, `user${n}`);
    expect(cache.size).toBe(5);
    clock.now = 61_000;
    let asked = 0;
    scope.on('request', () => asked++);
    await cache.permission(client(), repo, 'user19');
    expect(asked).toBe(1);
  });
});
