/**
 * readPromoted (nock): the PRs of the batches in the base's history, with the app's `Merge queue`
 * and `Merge order` runs on their heads. An entry is settled (not read again) only once both need
 * nothing more: a `Merge order` run still in progress after the promotion keeps it in the reads,
 * so the follow-up that completes it is derived again until it is written.
 */
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readPromoted } from '../../../src/adapters/github/read-staging.js';
import { batchCommitMessage } from '../../../src/domain/merge/batch-trailers.js';
import { BASE, HEAD, R, repo } from '../../helpers/github-mocks.js';
import { testOctokit } from '../../helpers/octokit.js';
import { API } from '../../helpers/probot.js';

const APP_ID = 1;
const STATUS_COMMIT = '5'.repeat(40);
const entry = { number: 7, headSha: HEAD, taskId: 'a' };

const run = (id: number, name: string, status: string, conclusion: string | null) => ({
  id,
  name,
  head_sha: HEAD,
  status,
  conclusion,
  app: { id: APP_ID },
  output: { title: status === 'completed' ? 'Merged' : 'Waiting', summary: '' },
  external_id: null,
});

function history(runs: unknown[]): nock.Scope {
  return nock(API)
    .get(`${R}/commits`)
    .query({ sha: BASE, per_page: 100 })
    .reply(200, [{ sha: STATUS_COMMIT, commit: { message: batchCommitMessage(BASE, [entry]) } }])
    .get(`${R}/commits/${HEAD}/check-runs`)
    .query({ app_id: APP_ID, per_page: 100 })
    .reply(200, { total_count: runs.length, check_runs: runs });
}

describe('readPromoted', () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => nock.cleanAll());

  it.each<[string, unknown[], string | null, boolean]>([
    [
      'queue merged, order completed: settled',
      [run(1, 'Merge queue', 'completed', 'success'), run(2, 'Merge order', 'completed', 'success')],
      'completed',
      true,
    ],
    ['queue merged, no order run: settled', [run(1, 'Merge queue', 'completed', 'success')], null, true],
    [
      'queue merged, order still in progress: read again',
      [run(1, 'Merge queue', 'completed', 'success'), run(2, 'Merge order', 'in_progress', null)],
      'in_progress',
      false,
    ],
    [
      'queue in progress: read again',
      [run(1, 'Merge queue', 'in_progress', null), run(2, 'Merge order', 'completed', 'success')],
      'completed',
      false,
    ],
  ])('%s', async (_name, runs, orderStatus, settles) => {
    const api = history(runs);
    const settled = new Set<string>();
    const promoted = await readPromoted({
      octokit: testOctokit(),
      repo,
      appId: APP_ID,
      baseSha: BASE,
      settled,
    });
    expect(api.pendingMocks()).toEqual([]);
    expect(promoted.map((p) => [p.entry.number, p.commitSha, p.orderRun?.status ?? null])).toEqual([
      [7, STATUS_COMMIT, orderStatus],
    ]);
    expect(settled.has(`${repo.owner}/${repo.repo}#7@${HEAD}`)).toBe(settles);
  });
});
