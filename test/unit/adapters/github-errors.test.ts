import { describe, expect, it } from 'vitest';
import { classifyGitHubError, retryAfterMs } from '../../../src/adapters/github/errors.js';

/** Error shapes as octokit's RequestError carries them, with bodies as GitHub returns them. */
const http = (status: number, data: unknown = {}, headers: Record<string, string> = {}) =>
  Object.assign(
    new Error(typeof data === 'object' && data && 'message' in data ? String(data.message) : 'HttpError'),
    {
      status,
      response: { data, headers },
    },
  );

describe('classifyGitHubError', () => {
  it.each([
    ['502 from the load balancer', http(502), 'retry'],
    ['500', http(500, { message: 'Server Error' }), 'retry'],
    [
      '429 secondary rate limit',
      http(429, { message: 'You have exceeded a secondary rate limit' }, { 'retry-after': '30' }),
      'retry',
    ],
    [
      '403 secondary rate limit with retry-after',
      http(403, { message: 'You have exceeded a secondary rate limit.' }, { 'retry-after': '60' }),
      'retry',
    ],
    [
      '403 primary rate limit',
      http(403, { message: 'API rate limit exceeded for installation ID 1.' }),
      'retry',
    ],
    ['409 merge conflict (POST /merges)', http(409, { message: 'Merge conflict' }), 'conflict'],
    [
      '409 head moved (PUT /pulls/{n}/merge)',
      http(409, { message: 'Head branch was modified. Review and try the merge again.' }),
      'conflict',
    ],
    [
      '422 not a fast forward (PATCH /git/refs)',
      http(422, { message: 'Update is not a fast forward' }),
      'not-fast-forward',
    ],
    [
      '422 other validation',
      http(422, { message: 'Validation Failed', errors: [{ code: 'invalid' }] }),
      'permanent',
    ],
    ['404', http(404, { message: 'Not Found' }), 'not-found'],
    ['403 permission', http(403, { message: 'Resource not accessible by integration' }), 'refused'],
    [
      '403 workflows permission',
      http(403, {
        message:
          'refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission',
      }),
      'refused',
    ],
    ['405 not mergeable', http(405, { message: 'Pull Request is not mergeable' }), 'refused'],
    [
      '422 classic protection',
      http(422, {
        message:
          'Protected branch update failed for refs/heads/main.\n\nRequired status check "ci" is expected.',
      }),
      'refused',
    ],
    [
      '422 ruleset',
      http(422, {
        message: 'Repository rule violations found\n\nChanges must be made through a pull request.\n',
      }),
      'refused',
    ],
    ['network error', new Error('fetch failed'), 'retry'],
    ['a plain bug', new TypeError('x is undefined'), 'permanent'],
    ['not an error at all', undefined, 'permanent'],
  ])('%s -> %s', (_intent, error, expected) => {
    expect(classifyGitHubError(error)).toBe(expected);
  });

  it.each([
    ['retry-after seconds', http(429, {}, { 'retry-after': '30' }), 30_000],
    ['a secondary limit without retry-after waits a minute', http(403, {}), 60_000],
    ['otherwise the fallback', http(502), 1_000],
  ])('retryAfterMs: %s', (_intent, error, expected) => {
    expect(retryAfterMs(error)).toBe(expected);
  });
});
