/**
 * The app's Octokit retries a request GitHub answered with a secondary rate limit after its
 * `retry-after`, at most twice, instead of failing the whole reconcile on one hit.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SECONDARY_LIMIT_RETRIES, tunedOctokit } from '../../../src/adapters/github/tuned-octokit.js';

const LIMITED = {
  message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
};

describe('tunedOctokit', () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());
  const octokit = () => {
    const Octokit = tunedOctokit({ writeIntervalMs: 0, retryBaseMs: 0 });
    const warnings: string[] = [];
    const client = new Octokit({
      auth: 'ghs_test',
      // 1 ms per second of retry-after, so the test does not wait on the clock
      throttle: { retryAfterBaseValue: 1 },
      log: { warn: (m: string) => warnings.push(m), info: () => {}, debug: () => {}, error: () => {} },
    } as never);
    return { client, warnings };
  };

  it('waits retry-after and retries a secondary rate limit, then succeeds', async () => {
    nock('https://api.github.com')
      .get('/repos/o/r')
      .reply(403, LIMITED, { 'retry-after': '2' })
      .get('/repos/o/r')
      .reply(200, { name: 'r' });
    const { client, warnings } = octokit();
    expect((await client.rest.repos.get({ owner: 'o', repo: 'r' })).data).toEqual({ name: 'r' });
    expect(warnings).toEqual(['secondary rate limit on GET /repos/{owner}/{repo}: retrying in 2 s']);
  });

  it('spaces requests that notify people (comments) by notificationIntervalMs, not the plugin default 3 s', async () => {
    const at: number[] = [];
    nock('https://api.github.com')
      .post('/repos/o/r/issues/1/comments')
      .times(2)
      .reply(() => {
        at.push(Date.now());
        return [201, { id: at.length }];
      });
    const Octokit = tunedOctokit({ writeIntervalMs: 0, retryBaseMs: 0, notificationIntervalMs: 150 });
    const client = new Octokit({ auth: 'ghs_test' } as never);
    const started = Date.now();
    await client.rest.issues.createComment({ owner: 'o', repo: 'r', issue_number: 1, body: 'a' });
    await client.rest.issues.createComment({ owner: 'o', repo: 'r', issue_number: 1, body: 'b' });
    expect(at).toHaveLength(2);
    // a lower bound only (a loaded machine is slower, never faster), and far below the default 3 s
    expect((at[1] as number) - (at[0] as number)).toBeGreaterThanOrEqual(140);
    expect(Date.now() - started).toBeLessThan(2_900);
  });

  it(`gives up after ${SECONDARY_LIMIT_RETRIES} retries with the 403 (the reconcile then backs off)`, async () => {
    nock('https://api.github.com')
      .get('/repos/o/r')
      .times(SECONDARY_LIMIT_RETRIES + 1)
      .reply(403, LIMITED, { 'retry-after': '1' });
    const { client, warnings } = octokit();
    await expect(client.rest.repos.get({ owner: 'o', repo: 'r' })).rejects.toMatchObject({ status: 403 });
    expect(warnings.at(-1)).toBe('secondary rate limit on GET /repos/{owner}/{repo}: giving up');
    expect(nock.pendingMocks()).toEqual([]);
  });
});
