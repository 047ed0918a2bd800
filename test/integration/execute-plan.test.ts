/**
 * The executor against nock: each merge-affecting action makes exactly the expected calls, lost races
 * become "reconcile again", and failures reach the PR as a Merge queue check plus one comment.
 */
import nock from 'nock';
import { ProbotOctokit } from 'probot';
import { describe, expect, it } from 'vitest';
import type { Octokit } from '../../src/adapters/github/octokit.js';
import type { ReadSnapshot } from '../../src/adapters/github/read-snapshot.js';
import { executePlan } from '../../src/coordinator/execute-plan.js';
import type { MergeAction } from '../../src/domain/merge/types.js';
import { API, strictNock } from '../helpers/probot.js';
import { BASE_SHA, pull, sha, snapshotOf } from '../helpers/snapshots.js';

const R = '/repos/o/r';
const repo = { owner: 'o', repo: 'r' };
const octokit = () =>
  new ProbotOctokit({
    auth: { token: 'ghs_test' },
    throttle: { enabled: false },
    retry: { enabled: false },
  }) as unknown as Octokit;
const TEXT = '---\nid: a\nname: A\nstatus: pending\n---\n';

function read(config?: Parameters<typeof snapshotOf>[0]['config']): ReadSnapshot {
  const snapshot = snapshotOf({ tasks: [{ id: 'a' }], pulls: [pull(1, 'a')], config });
  return { snapshot, taskTexts: new Map([['tasks/a.md', TEXT]]) };
}
const entry = { number: 1, taskId: 'a', headSha: sha('1') };
const startBatch = (entries: (typeof entry)[], fields: Partial<MergeAction> = {}): MergeAction => ({
  kind: 'start-batch',
  branch: 'coordinator/staging',
  baseSha: BASE_SHA,
  onBase: true,
  entries,
  statusEdits: [],
  statusInputs: { lowerCompleted: [], lowerEdited: [], extra: [] },
  reason: 'r',
  ...(fields as object),
});
/** A PR of a follow-on batch. */
const second = { number: 2, taskId: 'b', headSha: sha('2') };
const promote = {
  kind: 'promote',
  branch: 'coordinator/staging',
  stagingSha: sha('s'),
  entries: [entry],
  reason: 'green',
} as const;
const run = (action: MergeAction, config?: Parameters<typeof snapshotOf>[0]['config']) =>
  executePlan({
    octokit: octokit(),
    repo,
    read: read(config),
    plan: { checkRuns: [], draftPulls: [], events: [], actionEvents: [], action },
  });

describe('executePlan', () => {
  strictNock();

  it('reports a merge conflict on the PR with a failing Merge queue check and one comment', async () => {
    const bodies: Record<string, unknown>[] = [];
    const keep = (body: Record<string, unknown>) => bodies.push(body) > 0;
    nock(API)
      .patch(`${R}/git/refs/heads%2Fcoordinator%2Fbuild`, { sha: BASE_SHA, force: true })
      .reply(200, {})
      .post(`${R}/merges`, { base: 'coordinator/build', head: sha('1'), commit_message: 'Merge task a (#1)' })
      .reply(409, { message: 'Merge conflict' })
      .post(`${R}/check-runs`, keep)
      .reply(201, { id: 3 })
      .post(`${R}/issues/1/comments`, keep)
      .reply(201, { id: 4 });
    const result = await run(startBatch([entry]));
    expect(result).toEqual({
      outcome: 'no PR of the batch could be staged (0 held back, 1 reported)',
      reconcileAgain: true,
      deferred: true,
      events: [
        {
          type: 'merge.conflict',
          key: `merge.conflict:#1:${entry.headSha}`,
          taskId: 'a',
          pull: 1,
          message: '#1 (a) conflicts with main; the agent must merge main into its branch',
        },
      ],
    });
    expect(bodies[0]).toMatchObject({
      name: 'Merge queue',
      head_sha: sha('1'),
      status: 'completed',
      conclusion: 'failure',
      output: { title: 'Conflict with main' },
    });
    expect(String(bodies[1]?.body)).toContain('git merge origin/main');
  });

  it('a PR that conflicts on top of a car is probed on the base alone, and a conflict there is reported at once', async () => {
    const bodies: Record<string, unknown>[] = [];
    const keep = (body: Record<string, unknown>) => bodies.push(body) > 0;
    const car = sha('c');
    nock(API)
      .patch(`${R}/git/refs/heads%2Fcoordinator%2Fbuild`, { sha: car, force: true })
      .reply(200, {})
      .post(`${R}/merges`, { base: 'coordinator/build', head: sha('1'), commit_message: 'Merge task a (#1)' })
      .reply(409, { message: 'Merge conflict' })
      // the probe: the base head alone
      .patch(`${R}/git/refs/heads%2Fcoordinator%2Fbuild`, { sha: BASE_SHA, force: true })
      .reply(200, {})
      .post(`${R}/merges`, { base: 'coordinator/build', head: sha('1'), commit_message: 'Merge task a (#1)' })
      .reply(409, { message: 'Merge conflict' })
      .post(`${R}/check-runs`, keep)
      .reply(201, { id: 3 })
      .post(`${R}/issues/1/comments`, keep)
      .reply(201, { id: 4 });
    const result = await run(
      startBatch([entry], { baseSha: car, onBase: false, branch: 'coordinator/staging-2' }),
    );
    expect(result).toMatchObject({
      outcome: 'no PR of the batch could be staged (0 held back, 1 reported)',
      events: [{ type: 'merge.conflict', pull: 1 }],
    });
    expect(bodies[0]).toMatchObject({
      head_sha: sha('1'),
      conclusion: 'failure',
      output: { title: 'Conflict with main' },
    });
    expect(bodies[0]?.external_id).not.toContain('held=');
  });

  it('a PR that conflicts on top of a car but merges onto the base alone is held back, not reported', async () => {
    const bodies: Record<string, unknown>[] = [];
    const car = sha('c');
    nock(API)
      .patch(`${R}/git/refs/heads%2Fcoordinator%2Fbuild`, { sha: car, force: true })
      .reply(200, {})
      .post(`${R}/merges`)
      .reply(409, { message: 'Merge conflict' })
      .patch(`${R}/git/refs/heads%2Fcoordinator%2Fbuild`, { sha: BASE_SHA, force: true })
      .reply(200, {})
      .post(`${R}/merges`)
      .reply(201, { sha: sha('p') })
      .post(`${R}/check-runs`, (b) => bodies.push(b) > 0)
      .reply(201, { id: 3 });
    const result = await run(
      startBatch([entry], { baseSha: car, onBase: false, branch: 'coordinator/staging-2' }),
    );
    expect(result).toEqual({
      outcome: 'no PR of the batch could be staged (1 held back, 0 reported)',
      reconcileAgain: false,
      events: [],
    });
    expect(bodies.map((b) => [b.status, b.external_id])).toEqual([['in_progress', `tgc1;held=${car}`]]);
  });

  it('promotes with one compare-and-swap fast-forward and nothing else (the follow-up is derived afterwards)', async () => {
    nock(API)
      .patch(`${R}/git/refs/heads%2Fmain`, { sha: sha('s'), force: false })
      .reply(200, {});
    const result = await run(promote);
    expect(result).toEqual({
      outcome: 'promoted coordinator/staging to main: green',
      reconcileAgain: true,
      deferred: true,
    });
  });

  it('deletes a merged branch only if it still points at the merged head, after the action', async () => {
    nock(API)
      .get(`${R}/git/ref/heads%2Ffeat%2Fa`)
      .reply(200, { object: { sha: sha('1') } })
      .delete(`${R}/git/refs/heads%2Ffeat%2Fa`)
      .reply(204)
      // an agent pushed new work to feat/b since: it stays
      .get(`${R}/git/ref/heads%2Ffeat%2Fb`)
      .reply(200, { object: { sha: sha('9') } });
    const result = await executePlan({
      octokit: octokit(),
      repo,
      read: read(),
      plan: {
        checkRuns: [],
        draftPulls: [],
        events: [],
        actionEvents: [],
        action: { kind: 'wait', reason: 'nothing to merge' },
        deleteBranches: [
          { name: 'feat/a', sha: sha('1') },
          { name: 'feat/b', sha: sha('2') },
        ],
      },
    });
    expect(result.sideEffectsFailed).toBeUndefined();
  });

  it('resumes a failure comment once: skips writing it when the PR has it, and records it on the run', async () => {
    const marker = `<!-- taskgraph-coordinator:failure:${sha('1')} -->`;
    const updates: Record<string, unknown>[] = [];
    nock(API)
      .get(`${R}/issues/1/comments`)
      .query({ per_page: 100 })
      .reply(200, [{ id: 1, body: `**Conflict with main**\n\n${marker}` }])
      .patch(`${R}/check-runs/44`, (b) => updates.push(b) > 0)
      .reply(200, {})
      .get(`${R}/issues/2/comments`)
      .query({ per_page: 100 })
      .reply(200, [])
      .post(`${R}/issues/2/comments`, (b) => String(b.body).includes('<!-- taskgraph-coordinator:failure:'))
      .reply(201, { id: 2 })
      .patch(`${R}/check-runs/45`, (b) => updates.push(b) > 0)
      .reply(200, {});
    const owed = (pull: number, runId: number) => ({
      pull,
      headSha: sha(String(pull)),
      body: `**Conflict with main**\n\n<!-- taskgraph-coordinator:failure:${sha(String(pull))} -->`,
      runId,
      externalId: 'tgc1;failed=conflict;commented=1',
    });
    await executePlan({
      octokit: octokit(),
      repo,
      read: read(),
      plan: {
        checkRuns: [],
        draftPulls: [],
        events: [],
        actionEvents: [],
        action: { kind: 'wait', reason: 'x' },
        comments: [owed(1, 44), owed(2, 45)],
      },
    });
    expect(updates).toEqual([
      { external_id: 'tgc1;failed=conflict;commented=1' },
      { external_id: 'tgc1;failed=conflict;commented=1' },
    ]);
  });

  it('a failed side effect (a check run GitHub answers 502) never stops the action', async () => {
    nock(API)
      .post(`${R}/check-runs`)
      .reply(502, { message: 'Server Error' })
      .patch(`${R}/git/refs/heads%2Fmain`, { sha: sha('s'), force: false })
      .reply(200, {});
    const run = {
      name: 'Merge queue',
      headSha: sha('1'),
      status: 'completed' as const,
      conclusion: 'success' as const,
      title: 'Ready',
      summary: '',
      annotations: [],
      existingId: null,
    };
    const result = await executePlan({
      octokit: octokit(),
      repo,
      read: read(),
      plan: {
        checkRuns: [run],
        draftPulls: [],
        events: [],
        actionEvents: [],
        action: promote,
      },
    });
    expect(result).toMatchObject({
      reconcileAgain: true,
      sideEffectsFailed: [`check Merge queue on ${sha('1').slice(0, 7)}`],
    });
  });

  const orderRun = {
    name: 'Merge order',
    headSha: sha('1'),
    status: 'completed' as const,
    conclusion: 'success' as const,
    title: 'Ready',
    summary: '',
    annotations: [],
    existingId: null,
  };
  const withDerived = (action: MergeAction, superseded?: () => boolean) =>
    executePlan({
      ...(superseded ? { superseded } : {}),
      octokit: octokit(),
      repo,
      read: read(),
      plan: {
        checkRuns: [orderRun],
        draftPulls: [],
        events: [],
        actionEvents: [],
        action,
        deleteBranches: [{ name: 'feat/a', sha: sha('1') }],
      },
    });

  it('after an action that changed state, the derived writes are left to the next reconcile (at once)', async () => {
    nock(API).patch(`${R}/git/refs/heads%2Fmain`).reply(200, {});
    expect(await withDerived(promote)).toEqual({
      outcome: 'promoted coordinator/staging to main: green',
      reconcileAgain: true,
      deferred: true,
    });
  });

  it("a direct merge writes the merged head's Merge order run before the merge (a merged PR is not planned again)", async () => {
    const order: string[] = [];
    nock(API)
      .post(`${R}/check-runs`, (b) => b.name === 'Merge order' && b.head_sha === sha('1'))
      .reply(201, () => {
        order.push('Merge order');
        return { id: 5 };
      })
      .put(`${R}/pulls/1/merge`)
      .reply(200, () => {
        order.push('merge');
        return { merged: true };
      })
      .delete(`${R}/git/refs/heads%2Ffeat%2Fa`)
      .reply(204);
    expect(await withDerived({ kind: 'merge-pull', entry, method: 'merge', reason: 'ready' })).toMatchObject({
      reconcileAgain: true,
      deferred: true,
    });
    expect(order).toEqual(['Merge order', 'merge']);
  });

  it('a reconcile with nothing to do writes them', async () => {
    nock(API)
      .post(`${R}/check-runs`, (b) => b.name === 'Merge order' && b.head_sha === sha('1'))
      .reply(201, { id: 5 })
      .get(`${R}/git/ref/heads%2Ffeat%2Fa`)
      .reply(200, { object: { sha: sha('1') } })
      .delete(`${R}/git/refs/heads%2Ffeat%2Fa`)
      .reply(204);
    expect(await withDerived({ kind: 'wait', reason: 'nothing' } as unknown as MergeAction)).toEqual({
      outcome: 'wait: nothing',
      reconcileAgain: false,
    });
  });

  it('a reconcile with nothing to do that a newer event superseded leaves them to the next one (at once)', async () => {
    let asked = 0;
    const superseded = () => ++asked > 0;
    expect(
      await withDerived({ kind: 'wait', reason: 'nothing' } as unknown as MergeAction, superseded),
    ).toEqual({
      outcome: 'wait: nothing; yielded to a newer event',
      reconcileAgain: true,
      yielded: true,
      deferred: true,
    });
    expect(asked).toBe(1);
  });

  it('so does an action that lost its race', async () => {
    nock(API)
      .patch(`${R}/git/refs/heads%2Fmain`)
      .reply(422, { message: 'Update is not a fast forward' })
      .post(`${R}/check-runs`)
      .reply(201, { id: 5 })
      .get(`${R}/git/ref/heads%2Ffeat%2Fa`)
      .reply(200, { object: { sha: sha('1') } })
      .delete(`${R}/git/refs/heads%2Ffeat%2Fa`)
      .reply(204);
    expect(await withDerived(promote)).toMatchObject({ actionTookEffect: false });
  });

  it('reports a merge GitHub refuses (no workflows permission) on that PR, and reconciles again for the next', async () => {
    const bodies: Record<string, unknown>[] = [];
    const keep = (body: Record<string, unknown>) => bodies.push(body) > 0;
    nock(API)
      .patch(`${R}/git/refs/heads%2Fcoordinator%2Fbuild`, { sha: BASE_SHA, force: true })
      .reply(200, {})
      .post(`${R}/merges`)
      .reply(403, {
        message:
          'refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission',
      })
      .post(`${R}/check-runs`, keep)
      .reply(201, { id: 3 })
      // A comment GitHub refuses never stops the queue: the check already says what happened.
      .post(`${R}/issues/1/comments`)
      .reply(403, { message: 'Resource not accessible by integration' });
    const result = await run(startBatch([entry]));
    expect(result).toMatchObject({
      reconcileAgain: true,
      events: [{ type: 'merge.refused', key: `merge.refused:#1:${entry.headSha}`, pull: 1 }],
    });
    expect(bodies[0]).toMatchObject({
      name: 'Merge queue',
      head_sha: entry.headSha,
      conclusion: 'failure',
      output: { title: 'Changes a workflow: the app lacks the workflows permission' },
    });
    expect(JSON.stringify(bodies[0]?.output)).toContain('**Workflows: write**');
  });

  it('reports a promotion refused by branch protection on each PR of the batch, naming the setting', async () => {
    const bodies: Record<string, unknown>[] = [];
    nock(API)
      .patch(`${R}/git/refs/heads%2Fmain`, { sha: sha('s'), force: false })
      .reply(422, {
        message:
          'Protected branch update failed for refs/heads/main.\n\nChanges must be made through a pull request.',
      })
      .post(`${R}/check-runs`, (body) => bodies.push(body) > 0)
      .reply(201, { id: 3 })
      .post(`${R}/issues/1/comments`, (body) => bodies.push(body) > 0)
      .reply(201, { id: 4 });
    const result = await run(promote);
    expect(result).toMatchObject({ reconcileAgain: false, actionTookEffect: false });
    expect(bodies[0]).toMatchObject({
      output: { title: 'Branch rules require a pull request; the app may not bypass them' },
    });
    expect(String(bodies[1]?.body)).toContain('**bypass**');
  });

  it("stages a promotion's follow-on batch right after the fast-forward, on the promoted head", async () => {
    const calls: string[] = [];
    nock(API)
      .patch(`${R}/git/refs/heads%2Fmain`, (b) => calls.push(`main ${b.sha.slice(0, 1)} ${b.force}`) > 0)
      .reply(200, {})
      .patch(`${R}/git/refs/heads%2Fcoordinator%2Fbuild`, (b) => calls.push(`build ${b.sha.slice(0, 1)}`) > 0)
      .reply(200, {})
      .post(`${R}/merges`, (b) => calls.push(`merge ${b.head.slice(0, 1)}`) > 0)
      .reply(201, { sha: sha('m') })
      .get(`${R}/git/commits/${sha('m')}`)
      .reply(200, { tree: { sha: sha('t') } })
      .post(`${R}/git/commits`)
      .reply(201, { sha: sha('f') })
      .post(`${R}/git/refs`, (b) => calls.push(`${b.ref} ${b.sha.slice(0, 1)}`) > 0)
      .reply(201, {})
      .post(`${R}/check-runs`, (b) => calls.push(`queue #${b.head_sha.slice(0, 1)} ${b.status}`) > 0)
      .reply(201, { id: 9 });
    const then = startBatch([second], { branch: 'coordinator/staging-2', baseSha: sha('s') });
    const result = await run({ ...promote, then } as MergeAction);
    expect(calls).toEqual([
      'main s false',
      'build s',
      'merge 2',
      'refs/heads/coordinator/staging-2 f',
      'queue #2 in_progress',
    ]);
    expect(result).toMatchObject({ reconcileAgain: true, actionTookEffect: true, staged: 1 });
    expect(result.outcome).toMatch(
      /^promoted coordinator\/staging to main: green; then started batch #2 on coordinator\/staging-2/,
    );
  });

  it('a follow-on PR that conflicts on top of a car is probed on the base as the promotion left it', async () => {
    const car = sha('c');
    nock(API)
      .patch(`${R}/git/refs/heads%2Fmain`, { sha: sha('s'), force: false })
      .reply(200, {})
      .patch(`${R}/git/refs/heads%2Fcoordinator%2Fbuild`, { sha: car, force: true })
      .reply(200, {})
      .post(`${R}/merges`)
      .reply(409, { message: 'Merge conflict' })
      // the probe: the promoted head, not the base the snapshot read
      .patch(`${R}/git/refs/heads%2Fcoordinator%2Fbuild`, { sha: sha('s'), force: true })
      .reply(200, {})
      .post(`${R}/merges`)
      .reply(201, { sha: sha('p') })
      .post(`${R}/check-runs`)
      .reply(201, { id: 3 });
    const then = startBatch([second], { branch: 'coordinator/staging', baseSha: car, onBase: false });
    const result = await run({ ...promote, then } as MergeAction);
    expect(result.outcome).toBe(
      'promoted coordinator/staging to main: green; then no PR of the batch could be staged (1 held back, 0 reported)',
    );
  });

  it("a follow-on's status commit reads the task file at its head, never the text of the base before the promotion", async () => {
    const edit = {
      taskId: 'a',
      path: 'tasks/a.md',
      status: 'completed',
      summary: null,
      reason: 'r',
    } as const;
    const promotedText = TEXT.replace('name: A', 'name: A (as the promoted car left it)');
    let tree: { tree: { path: string; content: string }[] } | undefined;
    nock(API)
      .patch(`${R}/git/refs/heads%2Fmain`)
      .reply(200, {})
      .patch(`${R}/git/refs/heads%2Fcoordinator%2Fbuild`, { sha: sha('s'), force: true })
      .reply(200, {})
      .post(`${R}/merges`)
      .reply(201, { sha: sha('m'), commit: { tree: { sha: sha('t') } } })
      .get(`${R}/contents/tasks%2Fa.md`)
      .query({ ref: sha('m') })
      .reply(200, { type: 'file', content: Buffer.from(promotedText).toString('base64') })
      .post(`${R}/git/trees`, (b) => {
        tree = b;
        return true;
      })
      .reply(201, { sha: sha('e') })
      .post(`${R}/git/commits`)
      .reply(201, { sha: sha('f') })
      .post(`${R}/git/refs`)
      .reply(201, {})
      .post(`${R}/check-runs`)
      .reply(201, { id: 9 });
    // #1 is in the snapshot and changes no task file: only the promotion makes the base text stale
    const then = startBatch([entry], {
      branch: 'coordinator/staging-2',
      baseSha: sha('s'),
      statusEdits: [edit],
    });
    await run({ ...promote, then } as MergeAction);
    expect(tree?.tree[0]?.content).toContain('name: A (as the promoted car left it)');
    expect(tree?.tree[0]?.content).toContain('status: completed');
  });

  it('a promotion that lost its race stages no follow-on', async () => {
    nock(API).patch(`${R}/git/refs/heads%2Fmain`).reply(422, { message: 'Update is not a fast forward' });
    const then = startBatch([second], { branch: 'coordinator/staging-2' });
    const result = await run({ ...promote, then } as MergeAction);
    expect(result).toEqual({
      outcome: 'promote lost a race; reconciling again',
      reconcileAgain: true,
      actionTookEffect: false,
    });
  });

  it('a follow-on that GitHub fails (502) leaves the promotion done; the next reconcile plans the batch again', async () => {
    nock(API)
      .patch(`${R}/git/refs/heads%2Fmain`)
      .reply(200, {})
      .patch(`${R}/git/refs/heads%2Fcoordinator%2Fbuild`)
      .reply(502, { message: 'Server Error' });
    const then = startBatch([second], { branch: 'coordinator/staging-2' });
    const result = await run({ ...promote, then } as MergeAction);
    expect(result).toEqual({
      outcome: 'promoted coordinator/staging to main: green',
      reconcileAgain: true,
      deferred: true,
    });
  });

  it('treats a promotion that lost the race (422 not a fast forward) as "reconcile again"', async () => {
    nock(API).patch(`${R}/git/refs/heads%2Fmain`).reply(422, { message: 'Update is not a fast forward' });
    const result = await run(promote);
    expect(result).toEqual({
      outcome: 'promote lost a race; reconciling again',
      reconcileAgain: true,
      actionTookEffect: false,
    });
  });

  it('ejects a PR of a red batch with the failed checks named, then deletes the batch', async () => {
    const titles: string[] = [];
    nock(API)
      .post(`${R}/check-runs`, (b) => titles.push(b.output.title) > 0)
      .reply(201, { id: 6 })
      .post(`${R}/issues/1/comments`, (b) => String(b.body).includes('<!-- taskgraph-coordinator:failure:'))
      .reply(201, { id: 7 })
      .delete(`${R}/git/refs/heads%2Fcoordinator%2Fstaging-2`)
      .reply(204);
    const result = await run({
      kind: 'fail-batch',
      branch: 'coordinator/staging-2',
      stagingSha: sha('s'),
      entries: [entry],
      cause: 'checks-failed',
      checks: ['ci'],
      reason: 'ci failed',
      verdicts: [{ kind: 'eject', entry }],
    });
    expect(titles).toEqual(['Checks failed on the merge result: ci']);
    expect(result.outcome).toBe('failed batch on coordinator/staging-2 (ejected #1): ci failed');
  });

  it('requeues the PRs of a bisected batch with their new records, without a comment', async () => {
    const bodies: Record<string, unknown>[] = [];
    nock(API)
      .post(`${R}/check-runs`, (b) => bodies.push(b) > 0)
      .times(2)
      .reply(201, { id: 6 })
      .delete(`${R}/git/refs/heads%2Fcoordinator%2Fstaging`)
      .reply(204);
    const requeue = (e: typeof entry) => ({
      kind: 'requeue' as const,
      entry: e,
      title: 'Bisecting',
      summary: 'split',
      externalId: `tgc1;limit=1;seen=${sha('s')}`,
    });
    const result = await run({
      kind: 'fail-batch',
      branch: 'coordinator/staging',
      stagingSha: sha('s'),
      entries: [entry, second],
      cause: 'checks-failed',
      checks: ['ci'],
      reason: 'ci failed',
      verdicts: [requeue(entry), requeue(second)],
    });
    expect(bodies.map((b) => [b.head_sha, b.status, b.external_id])).toEqual([
      [sha('1'), 'in_progress', `tgc1;limit=1;seen=${sha('s')}`],
      [sha('2'), 'in_progress', `tgc1;limit=1;seen=${sha('s')}`],
    ]);
    expect(result).toMatchObject({
      reconcileAgain: true,
      outcome: 'failed batch on coordinator/staging (requeued #1, #2): ci failed',
    });
  });

  it('assembles a batch on coordinator/build, leaves out a PR that conflicts with the batch ahead, and moves the staging branch once', async () => {
    const calls: string[] = [];
    const third = { number: 3, taskId: 'c', headSha: sha('3') };
    const bodies: Record<string, unknown>[] = [];
    nock(API)
      .patch(`${R}/git/refs/heads%2Fcoordinator%2Fbuild`, { sha: BASE_SHA, force: true })
      .reply(200, {})
      .post(`${R}/merges`, (b) => calls.push(`merge ${b.head.slice(0, 1)}`) > 0)
      .reply(201, { sha: sha('m') })
      .post(`${R}/merges`, (b) => calls.push(`merge ${b.head.slice(0, 1)}`) > 0)
      .reply(409, { message: 'Merge conflict' })
      .post(`${R}/merges`, (b) => calls.push(`merge ${b.head.slice(0, 1)}`) > 0)
      .reply(201, { sha: sha('n') })
      // the status commit is computed again for #1 and #3: it completes `a` (#3's task is not in this graph)
      .get(`${R}/contents/tasks%2Fa.md`)
      .query({ ref: sha('n') })
      .reply(200, { type: 'file', content: Buffer.from(TEXT).toString('base64') })
      .get(`${R}/git/commits/${sha('n')}`)
      .reply(200, { tree: { sha: sha('t') } })
      .post(`${R}/git/trees`, (b) => calls.push(`tree ${b.tree.map((t: { path: string }) => t.path)}`) > 0)
      .reply(201, { sha: sha('e') })
      .post(`${R}/git/commits`, (b) => calls.push(`commit ${b.message.split('\n')[0]}`) > 0)
      .reply(201, { sha: sha('f') })
      .post(`${R}/git/refs`, { ref: 'refs/heads/coordinator/staging-3', sha: sha('f') })
      .reply(201, {})
      // then #2 is probed on the base alone, where it merges: the conflict was the batch's doing
      .patch(`${R}/git/refs/heads%2Fcoordinator%2Fbuild`, { sha: BASE_SHA, force: true })
      .reply(200, {})
      .post(`${R}/merges`, (b) => calls.push(`probe ${b.head.slice(0, 1)}`) > 0)
      .reply(201, { sha: sha('p') })
      // #2 is held back: its record names the commit it conflicted with
      .post(`${R}/check-runs`, (b) => bodies.push(b) > 0)
      .reply(201, { id: 8 })
      .post(`${R}/check-runs`, (b) => bodies.push(b) > 0)
      .times(2)
      .reply(201, { id: 9 });
    const result = await run(startBatch([entry, second, third], { branch: 'coordinator/staging-3' }));
    expect(calls).toEqual([
      'merge 1',
      'merge 2',
      'merge 3',
      'tree tasks/a.md',
      'commit Complete tasks a, c',
      'probe 2',
    ]);
    expect(bodies.map((b) => [b.head_sha, b.status, b.external_id ?? null])).toEqual([
      [sha('2'), 'in_progress', `tgc1;held=${sha('m')}`],
      [sha('1'), 'in_progress', null],
      [sha('3'), 'in_progress', null],
    ]);
    expect(result.outcome).toMatch(/^started batch #1, #3 on coordinator\/staging-3 \(#2 held back\)/);
    expect(result.events).toEqual([]);
  });

  it('commits owed status on the base in one commit, compare-and-swap', async () => {
    let tree: { tree: { path: string; content: string }[] } | undefined;
    nock(API)
      .get(`${R}/git/commits/${BASE_SHA}`)
      .reply(200, { tree: { sha: sha('t') } })
      .post(`${R}/git/trees`, (b) => {
        tree = b;
        return true;
      })
      .reply(201, { sha: sha('e') })
      .post(`${R}/git/commits`, {
        message: 'Complete task a\n\n- a: drift\n',
        tree: sha('e'),
        parents: [BASE_SHA],
      })
      .reply(201, { sha: sha('f') })
      .patch(`${R}/git/refs/heads%2Fmain`, { sha: sha('f'), force: false })
      .reply(200, {});
    const edit = {
      taskId: 'a',
      path: 'tasks/a.md',
      status: 'completed' as const,
      summary: null,
      reason: 'drift',
    };
    await run({ kind: 'commit-status', baseSha: BASE_SHA, edits: [edit], reason: 'owed' });
    expect(tree?.tree).toEqual([
      { path: 'tasks/a.md', mode: '100644', type: 'blob', content: TEXT.replace('pending', 'completed') },
    ]);
  });

  it("commits a command's edit left on coordinator/status as that branch has the file, merging the branch's head (never deleting it: a later edit stays waiting)", async () => {
    const waiting = `${TEXT.replace('pending', 'blocked')}\nBlocked: vendor key (@ana)\n`;
    let tree: { tree: { path: string; content: string }[] } | undefined;
    nock(API)
      .get(`${R}/contents/tasks%2Fa.md`)
      .query({ ref: sha('p') })
      .reply(200, { type: 'file', content: Buffer.from(waiting).toString('base64') })
      .get(`${R}/git/commits/${BASE_SHA}`)
      .reply(200, { tree: { sha: sha('t') } })
      .post(`${R}/git/trees`, (b) => {
        tree = b;
        return true;
      })
      .reply(201, { sha: sha('e') })
      .post(`${R}/git/commits`, {
        message:
          'Set the status of task a\n\n- a: blocked, by a command (it waited on coordinator/status while a batch was under test)\n',
        tree: sha('e'),
        parents: [BASE_SHA, sha('p')],
      })
      .reply(201, { sha: sha('f') })
      .patch(`${R}/git/refs/heads%2Fmain`, { sha: sha('f'), force: false })
      .reply(200, {});
    const result = await run({
      kind: 'commit-status',
      baseSha: BASE_SHA,
      edits: [],
      reason: 'owed',
      pending: { sha: sha('p'), edits: [{ taskId: 'a', status: 'blocked', path: 'tasks/a.md' }] },
    });
    expect(tree?.tree.map((t) => [t.path, t.content])).toEqual([['tasks/a.md', waiting]]);
    expect(result.outcome).toBe('committed status on main: owed');
  });

  it('direct: merges with the head SHA and the task merge title', async () => {
    nock(API)
      .put(`${R}/pulls/1/merge`, { sha: sha('1'), merge_method: 'merge', commit_title: 'Merge task a (#1)' })
      .reply(200, { merged: true })
      .delete(`${R}/git/refs/heads%2Ffeat%2Fa`)
      .reply(422, { message: 'Reference does not exist' });
    const result = await run({ kind: 'merge-pull', entry, method: 'merge', reason: 'ready' });
    expect(result.reconcileAgain).toBe(true);
  });

  it('direct: a 405 (not mergeable) is reported on the PR', async () => {
    nock(API)
      .put(`${R}/pulls/1/merge`)
      .reply(405, { message: 'Pull Request is not mergeable' })
      .post(`${R}/check-runs`, (b) => b.output.title === 'Not mergeable')
      .reply(201, { id: 8 })
      .post(`${R}/issues/1/comments`)
      .reply(201, { id: 9 });
    // The PR leaves the queue (its Merge queue check failed at this head): reconcile again at once so
    // the next candidate goes ahead.
    expect(await run({ kind: 'merge-pull', entry, method: 'merge', reason: 'ready' })).toEqual({
      outcome: '#1 is not mergeable',
      reconcileAgain: true,
      deferred: true,
      events: [
        expect.objectContaining({ type: 'merge.conflict', key: `merge.conflict:#1:${entry.headSha}` }),
      ],
    });
  });

  it('direct: updates a branch that is behind with the expected head SHA', async () => {
    nock(API)
      .put(`${R}/pulls/1/update-branch`, { expected_head_sha: sha('1') })
      .reply(202, {});
    await run({ kind: 'update-branch', entry, reason: 'behind' });
  });

  it('sends more than 50 annotations in follow-up updates', async () => {
    const annotations = Array.from({ length: 120 }, (_, i) => ({
      path: 'tasks/a.md',
      start_line: i + 1,
      end_line: i + 1,
      annotation_level: 'failure' as const,
      title: 'x',
      message: 'y',
    }));
    const sizes: number[] = [];
    const count = (b: { output: { annotations?: unknown[] } }) =>
      sizes.push(b.output.annotations?.length ?? 0) > 0;
    nock(API)
      .post(`${R}/check-runs`, count)
      .reply(201, { id: 9 })
      .patch(`${R}/check-runs/9`, count)
      .times(2)
      .reply(200, {});
    const checkRun = {
      name: 'Task graph',
      headSha: BASE_SHA,
      status: 'completed' as const,
      conclusion: 'failure' as const,
      title: 't',
      summary: 's',
      annotations,
      existingId: null,
    };
    await executePlan({
      octokit: octokit(),
      repo,
      read: read(),
      plan: {
        checkRuns: [checkRun],
        draftPulls: [],
        events: [],
        actionEvents: [],
        action: { kind: 'wait', reason: 'x' },
      },
    });
    expect(sizes).toEqual([50, 50, 20]);
  });
});
