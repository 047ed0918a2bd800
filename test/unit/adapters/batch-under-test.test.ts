/**
 * Whether a batch of the merge train is under test on the base head (a command's status edit then
 * waits on coordinator/status instead of a commit on the base that would send the batch back):
 * read from the staging branches' batch commits, with nock.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobCache } from '../../../src/adapters/github/blob-cache.js';
import { batchUnderTest } from '../../../src/adapters/github/read-staging.js';
import { batchCommitMessage } from '../../../src/domain/merge/batch-trailers.js';
import { testOctokit } from '../../helpers/octokit.js';

const API = 'https://api.github.com';
const R = '/repos/acme/widgets';
const repo = { owner: 'acme', repo: 'widgets' };
const sha = (c: string) => c.repeat(40);
const BASE = sha('b');
const client = testOctokit;
const batchOn = (base: string) => batchCommitMessage(base, [{ number: 1, taskId: 'a', headSha: sha('1') }]);

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  expect(nock.pendingMocks()).toEqual([]);
  nock.cleanAll();
});

describe('batchUnderTest', () => {
  it.each<[string, [string, string][], Record<string, string>, boolean]>([
    ['no staging branch: nothing under test', [['coordinator/status', sha('s')]], {}, false],
    [
      'a staging branch at the base head is a promoted batch, not one under test (not even read)',
      [['coordinator/staging', BASE]],
      {},
      false,
    ],
    [
      'a batch built on the base head is under test',
      [['coordinator/staging', sha('c')]],
      { [sha('c')]: batchOn(BASE) },
      true,
    ],
    [
      'a batch built on an older base is not (the base moved past it)',
      [['coordinator/staging-2', sha('c')]],
      { [sha('c')]: batchOn(sha('0')) },
      false,
    ],
    [
      'a staging branch whose head is not a batch commit is not',
      [['coordinator/staging', sha('c')]],
      { [sha('c')]: 'Merge task a (#1)' },
      false,
    ],
  ])('%s', async (_intent, branches, commits, expected) => {
    const api = nock(API);
    for (const [s, message] of Object.entries(commits))
      api.get(`${R}/git/commits/${s}`).reply(200, { sha: s, message });
    const answer = await batchUnderTest({
      octokit: client(),
      repo,
      blobs: new BlobCache(),
      branches: new Map(branches),
      baseSha: BASE,
    });
    expect(answer).toBe(expected);
  });
});
