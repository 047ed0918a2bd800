/**
 * "Re-run" on the app's failing `Merge queue` check (`check_run.rerequested`, sent to the app that
 * owns the run): a retry of that head for people who may write to the repository, judged from the
 * requests the app makes (nock).
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { adapt, BASE, example, HEAD, mockSnapshotReads, mockToken, R } from '../helpers/github-mocks.js';
import { API, strictNock, testApp } from '../helpers/probot.js';

/** A `check_run.rerequested` payload for run 44 on HEAD, by `sender`. */
function rerequested(fields: { name?: string; appId?: number; conclusion?: string; sender?: string } = {}) {
  const base = structuredClone(example('check_run', 'rerequested') ?? example('check_run')) as Record<
    string,
    unknown
  >;
  const run = base.check_run as Record<string, unknown>;
  Object.assign(run, {
    id: 44,
    name: fields.name ?? 'Merge queue',
    head_sha: HEAD,
    conclusion: fields.conclusion ?? 'failure',
    external_id: `tgc1;failed=checks-failed;commented=1;limit=1;retries=1;seen=${BASE}`,
    output: { title: 'Checks failed on the merge result: ci', summary: '' },
    app: { id: fields.appId ?? 1, slug: 'taskgraph-coordinator' },
  });
  return adapt(
    { ...base, action: 'rerequested' },
    { sender: { login: fields.sender ?? 'ana', type: 'User' } },
  ) as never;
}

describe('a rerequested Merge queue run', () => {
  strictNock();

  it('by a writer clears the failure and its bisection record, then reconciles the repository', async () => {
    const app = await testApp();
    const patched: Record<string, unknown>[] = [];
    // The installation token (cold start) serves the retry and the reconcile it pokes.
    mockSnapshotReads(nock(API))
      .get(`${R}/collaborators/ana/permission`)
      .reply(200, { permission: 'write', role_name: 'write', user: { login: 'ana' } })
      .patch(`${R}/check-runs/44`, (body) => patched.push(body) > 0)
      .reply(200, {})
      .post(`${R}/check-runs`)
      .reply(201, { id: 10 });
    await app.probot.receive({ id: 'r1', name: 'check_run', payload: rerequested() });
    await app.handle.idle();
    expect(patched).toEqual([
      {
        status: 'completed',
        conclusion: 'neutral',
        external_id: 'tgc1',
        output: {
          title: 'Retry requested by @ana',
          summary:
            'The earlier failure (Checks failed on the merge result: ci) is cleared; this head rejoins the queue.',
        },
      },
    ]);
    expect(app.specErrors).toEqual([]);
  });

  it('by someone who may only read changes nothing', async () => {
    const app = await testApp();
    mockToken(nock(API))
      .get(`${R}/collaborators/eve/permission`)
      .reply(200, { permission: 'read', role_name: 'read', user: { login: 'eve' } });
    await app.probot.receive({ id: 'r2', name: 'check_run', payload: rerequested({ sender: 'eve' }) });
    await app.handle.idle();
  });

  it('on a run that did not fail changes nothing', async () => {
    const app = await testApp();
    await app.probot.receive({
      id: 'r3',
      name: 'check_run',
      payload: rerequested({ conclusion: 'success' }),
    });
    await app.handle.idle();
  });

  it("of another app's run is not the app's business", async () => {
    const app = await testApp();
    await app.probot.receive({ id: 'r4', name: 'check_run', payload: rerequested({ appId: 99 }) });
    await app.handle.idle();
  });

  it("on another of the app's runs (Task graph) is a fresh reconcile", async () => {
    const app = await testApp();
    mockSnapshotReads(nock(API)).post(`${R}/check-runs`).reply(201, { id: 10 });
    await app.probot.receive({ id: 'r5', name: 'check_run', payload: rerequested({ name: 'Task graph' }) });
    await app.handle.idle();
    expect(app.specErrors).toEqual([]);
  });
});
