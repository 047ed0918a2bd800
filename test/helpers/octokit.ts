/** A plain Octokit for adapter tests against nock: no throttling, no retries (a test sees every answer). */
import { ProbotOctokit } from 'probot';
import type { Octokit } from '../../src/adapters/github/octokit.js';

export function testOctokit(): Octokit {
  return new ProbotOctokit({
    auth: { token: 't' },
    throttle: { enabled: false },
    retry: { enabled: false },
  } as never) as unknown as Octokit;
}
