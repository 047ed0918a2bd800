/**
 * `/coordinator` comment commands through `probot.receive` against nock: who may run what, where
 * each command writes its intent (labels, a status commit on the base branch), the one reaction and
 * one reply, and the Teams alert a `block` raises.
 */
import { createRequire } from 'node:module';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { SqlStore } from '../../src/adapters/store/sql-store.js';
import { parseChannels } from '../../src/adapters/teams/channels-file.js';
import type { WorkflowsMessage } from '../../src/domain/notify/cards.js';
import {
  adapt,
  asListed,
  BASE,
  HEAD,
  mockBaseReads,
  mockColdStart,
  mockNoRules,
  mockSnapshotReads,
  mockToken,
  R,
} from '../helpers/github-mocks.js';
import { API, strictNock, testApp } from '../helpers/probot.js';

const require = createRequire(import.meta.url);
const examples = require('@octokit/webhooks-examples') as {
  name: string;
  examples: Record<string, unknown>[];
}[];

/** An `issue_comment` payload on PR #7 (or issue #7) by `author`. */
function commentPayload(
  body: string,
  options: { author?: string; action?: 'created' | 'edited'; isPull?: boolean; viaApp?: number } = {},
) {
  const action = options.action ?? 'created';
  const base = structuredClone(
    examples.find((e) => e.name === 'issue_comment')?.examples.find((x) => x.action === action),
  ) as Record<string, unknown>;
  const issue = base.issue as Record<string, unknown>;
  issue.number = 7;
  if (options.isPull ?? true) issue.pull_request = { url: `${API}${R}/pulls/7` };
  else delete issue.pull_request;
  const comment = base.comment as Record<string, unknown>;
  Object.assign(comment, {
    id: 555,
    body,
    html_url: 'https://github.com/acme/widgets/pull/7#issuecomment-555',
    user: { login: options.author ?? 'ana', type: 'User', id: 3 },
    performed_via_github_app: options.viaApp ? { id: options.viaApp } : null,
  });
  return adapt(base) as never;
}

const PULL_7 = {
  number: 7,
  title: 'Implement A',
  body: 'Does A.',
  state: 'open',
  draft: false,
  labels: [{ name: 'bug' }],
  html_url: 'https://github.com/acme/widgets/pull/7',
  head: { ref: 'feat/a', sha: HEAD, repo: { full_name: 'acme/widgets' } },
};

/** Captures request bodies by label. */
function recorder() {
  const bodies: Record<string, Record<string, unknown>[]> = {};
  const record = (label: string) => (body: Record<string, unknown>) => {
    bodies[label] = [...(bodies[label] ?? []), body];
    return true;
  };
  return { bodies, record };
}

/** The one reaction and the one reply every answered comment gets. */
function answers(api: nock.Scope, record: ReturnType<typeof recorder>['record']) {
  return api
    .post(`${R}/issues/comments/555/reactions`, record('reaction'))
    .reply(201, {})
    .post(`${R}/issues/7/comments`, record('reply'))
    .reply(201, { id: 600 });
}

function permission(api: nock.Scope, login: string, level: string) {
  return api
    .get(`${R}/collaborators/${login}/permission`)
    .reply(200, { permission: level === 'maintain' ? 'write' : level, role_name: level, user: { login } });
}

describe('comment commands', () => {
  const state = strictNock();

  it('hold: a writer labels the PR, gets a reaction and a short reply, and the repo is reconciled', async () => {
    const app = await testApp();
    const { bodies, record } = recorder();
    const api = mockSnapshotReads(nock(API));
    permission(api, 'ana', 'write')
      .get(`${R}/pulls/7`)
      .reply(200, PULL_7)
      .post(`${R}/issues/7/labels`, record('labels'))
      .reply(200, [])
      .post(`${R}/issues/comments/555/reactions`, record('reaction'))
      .reply(201, {})
      .post(`${R}/issues/7/comments`, record('reply'))
      .reply(201, { id: 600 })
      .post(`${R}/check-runs`)
      .reply(201, { id: 10 });

    await app.probot.receive({
      id: 'd1',
      name: 'issue_comment',
      payload: commentPayload('/coordinator hold'),
    });
    await app.handle.idle();

    expect(bodies.labels).toEqual([{ labels: ['coordinator: hold'] }]);
    expect(bodies.reaction).toEqual([{ content: '+1' }]);
    expect(bodies.reply?.[0]?.body).toContain('✔️ `hold`: added `coordinator: hold`');
    expect(app.specErrors).toEqual([]);
    expect(state.unmatched).toEqual([]);
  });

  it('block: writes status blocked and a Notes line on main (compare-and-swap), and alerts the routed channel', async () => {
    const store = await SqlStore.open({ dataDir: ':memory:' });
    const channels = parseChannels({
      acme: {
        general: 'https://x.logic.azure.com/workflows/g/triggers/manual/paths/invoke?sig=G',
        alerts: 'https://x.logic.azure.com/workflows/a/triggers/manual/paths/invoke?sig=A',
      },
    });
    const posted: { url: string; message: WorkflowsMessage }[] = [];
    const app = await testApp({
      notifications: {
        store,
        channels,
        post: async (url, message) => {
          posted.push({ url, message });
          return { status: 202, retryAfterMs: null };
        },
      },
    });
    const config =
      'merge:\n  required_checks: [ci]\nnotifications:\n  routes:\n    - events: [task.blocked]\n      channel: alerts\n';
    const { bodies, record } = recorder();
    // The command's own reads (config, base, tree, blobs, waiting status edits, branch rules), then
    // the reconcile it pokes.
    const api = mockSnapshotReads(nock(API), { config });
    mockNoRules(mockBaseReads(api, config).post(`${R}/check-runs`).reply(201, { id: 10 }));
    answers(
      permission(api, 'ana', 'admin')
        .get(`${R}/pulls/7`)
        .reply(200, PULL_7)
        .get(`${R}/git/matching-refs/heads%2Fcoordinator%2F`)
        .reply(200, [])
        .get(`${R}/git/commits/${BASE}`)
        .reply(200, { sha: BASE, tree: { sha: 'e'.repeat(40) } })
        .post(`${R}/git/trees`, record('tree'))
        .reply(201, { sha: 'f'.repeat(40) })
        .post(`${R}/git/commits`, record('commit'))
        .reply(201, { sha: '9'.repeat(40) })
        .patch(`${R}/git/refs/heads%2Fmain`, record('ref'))
        .reply(200, {}),
      record,
    );

    await app.probot.receive({
      id: 'd2',
      name: 'issue_comment',
      payload: commentPayload('Sorry, stuck.\n/coordinator block waiting for the vendor API key\nthanks'),
    });
    await app.handle.idle();

    const tree = bodies.tree?.[0] as { base_tree: string; tree: { path: string; content: string }[] };
    expect(tree.base_tree).toBe('e'.repeat(40));
    expect(tree.tree.map((t) => t.path)).toEqual(['tasks/a.md']);
    expect(tree.tree[0]?.content).toContain('status: blocked\n');
    expect(tree.tree[0]?.content).toContain(
      'Blocked: waiting for the vendor API key (@ana, https://github.com/acme/widgets/pull/7#issuecomment-555)',
    );
    expect(bodies.commit?.[0]).toMatchObject({ parents: [BASE] });
    expect(bodies.ref).toEqual([{ sha: '9'.repeat(40), force: false }]);
    expect(bodies.reply?.[0]?.body).toContain('`a` is now `blocked` on `main`');

    // The block goes to alerts; the reconcile it poked announces the task that is ready (general).
    expect(await app.handle.deliver()).toBe(2);
    const alerts = posted.filter((p) => p.url === channels.channelsFor('acme').get('alerts'));
    expect(alerts).toHaveLength(1);
    const card = JSON.stringify(alerts[0]?.message);
    expect(card).toContain('Task blocked: a');
    expect(card).toContain('@ana');
    expect(app.specErrors).toEqual([]);
    await store.close();
  });

  it('block under branch rules that require checks: the edit waits on coordinator/status for a staging run', async () => {
    const app = await testApp();
    const { bodies, record } = recorder();
    const protection = {
      required_status_checks: { strict: false, contexts: ['ci'], checks: [{ context: 'ci', app_id: null }] },
      enforce_admins: { enabled: false },
    };
    // The command: config, base, its pending edits (none yet), the branch rules, the app's slug.
    const api = mockBaseReads(mockColdStart(nock(API)))
      .get(`${R}/branches/main/protection`)
      .reply(200, protection)
      .get(`${R}/rules/branches/main`)
      .query({ per_page: 100 })
      .reply(200, [])
      .get('/app')
      .reply(200, { id: 1, slug: 'taskgraph-coordinator' });
    answers(
      permission(api, 'ana', 'write')
        .get(`${R}/pulls/7`)
        .reply(200, PULL_7)
        .get(`${R}/git/matching-refs/heads%2Fcoordinator%2F`)
        .reply(200, [])
        .get(`${R}/git/commits/${BASE}`)
        .reply(200, { sha: BASE, tree: { sha: 'e'.repeat(40) } })
        .post(`${R}/git/trees`, record('tree'))
        .reply(201, { sha: 'f'.repeat(40) })
        .post(`${R}/git/commits`, record('commit'))
        .reply(201, { sha: '9'.repeat(40) })
        // the app's own branch: reset with force (422: it does not exist yet), then created
        .patch(`${R}/git/refs/heads%2Fcoordinator%2Fstatus`, record('reset'))
        .reply(422, { message: 'Reference does not exist' })
        .post(`${R}/git/refs`, record('create'))
        .reply(201, { ref: 'refs/heads/coordinator/status' }),
      record,
    );
    // The reconcile the command pokes: the edit is pending, so a status batch goes to staging.
    mockBaseReads(api)
      .get(`${R}/branches/main/protection`)
      .reply(200, protection)
      .get(`${R}/rules/branches/main`)
      .query({ per_page: 100 })
      .reply(200, [])
      .get(`${R}/pulls`)
      .query({ state: 'open', base: 'main', per_page: 100 })
      .reply(200, [])
      .get(`${R}/pulls`)
      .query({ state: 'closed', base: 'main', sort: 'updated', direction: 'desc', per_page: 30 })
      .reply(200, [])
      .get(`${R}/commits/${BASE}/check-runs`)
      .query({ app_id: 1, per_page: 100 })
      .reply(200, { total_count: 0, check_runs: [] })
      .get(`${R}/git/matching-refs/heads%2Fcoordinator%2F`)
      .reply(200, [{ ref: 'refs/heads/coordinator/status', object: { sha: '9'.repeat(40) } }])
      .get(`${R}/git/matching-refs/heads%2Ffeat%2F`)
      .query({ per_page: 100 })
      .reply(200, [])
      .get(`${R}/compare/${BASE}...${'9'.repeat(40)}`)
      .query({ per_page: 1 })
      .reply(200, { status: 'ahead', ahead_by: 1, behind_by: 0 })
      .get(`${R}/commits`)
      .query({ sha: BASE, per_page: 100 })
      .times(2)
      .reply(200, [])
      .get(`${R}/git/commits/${'9'.repeat(40)}`)
      .reply(200, () => ({ sha: '9'.repeat(40), message: String(bodies.commit?.[0]?.message) }))
      .post(`${R}/check-runs`, record('check'))
      .reply(201, { id: 12 })
      .patch(`${R}/git/refs/heads%2Fcoordinator%2Fbuild`)
      .reply(422, { message: 'Reference does not exist' })
      .post(`${R}/git/refs`, record('build'))
      .reply(201, {})
      .post(`${R}/merges`, record('merge'))
      .reply(201, { sha: '8'.repeat(40) })
      .get(`${R}/git/commits/${'8'.repeat(40)}`)
      .reply(200, { sha: '8'.repeat(40), tree: { sha: '7'.repeat(40) } })
      .post(`${R}/git/commits`, record('batch'))
      .reply(201, { sha: '6'.repeat(40) })
      // coordinator/staging did not exist in the snapshot: it is created, not updated first
      .post(`${R}/git/refs`, record('advance'))
      .reply(201, {});
    // ... and again after starting the batch; this time only reads (CI has not reported).
    mockBaseReads(api)
      .get(`${R}/branches/main/protection`)
      .reply(200, protection)
      .get(`${R}/rules/branches/main`)
      .query({ per_page: 100 })
      .reply(200, [])
      .get(`${R}/pulls`)
      .query({ state: 'open', base: 'main', per_page: 100 })
      .reply(200, [])
      .get(`${R}/pulls`)
      .query({ state: 'closed', base: 'main', sort: 'updated', direction: 'desc', per_page: 30 })
      .reply(200, [])
      .get(`${R}/commits/${BASE}/check-runs`)
      .query({ app_id: 1, per_page: 100 })
      .reply(200, () => ({ total_count: 1, check_runs: [asListed(bodies.check?.[0] ?? {}, 12)] }))
      .get(`${R}/git/matching-refs/heads%2Fcoordinator%2F`)
      .reply(200, [
        { ref: 'refs/heads/coordinator/staging', object: { sha: '6'.repeat(40) } },
        { ref: 'refs/heads/coordinator/status', object: { sha: '9'.repeat(40) } },
      ])
      .get(`${R}/git/commits/${'6'.repeat(40)}`)
      .reply(200, () => ({
        sha: '6'.repeat(40),
        message: String(bodies.batch?.[0]?.message),
        committer: { date: '2026-06-02T12:00:00Z' },
      }))
      .get(`${R}/commits/${'6'.repeat(40)}/check-runs`)
      .query({ per_page: 100 })
      .reply(200, { total_count: 0, check_runs: [] })
      .get(`${R}/commits/${'6'.repeat(40)}/status`)
      .query({ per_page: 100 })
      .reply(200, { state: 'pending', statuses: [] })
      .get(`${R}/git/matching-refs/heads%2Ffeat%2F`)
      .query({ per_page: 100 })
      .reply(200, [])
      .get(`${R}/compare/${BASE}...${'9'.repeat(40)}`)
      .query({ per_page: 1 })
      .reply(200, { status: 'ahead', ahead_by: 1, behind_by: 0 });

    await app.probot.receive({
      id: 'd9',
      name: 'issue_comment',
      payload: commentPayload('/coordinator block vendor key'),
    });
    await app.handle.idle();

    expect(bodies.commit?.[0]).toMatchObject({ parents: [BASE] });
    expect(String(bodies.commit?.[0]?.message)).toMatch(
      /^Block task a\n\nBlocked: vendor key .*\n\nCoordinator-Edit: a blocked\n$/,
    );
    expect(bodies.create).toEqual([{ ref: 'refs/heads/coordinator/status', sha: '9'.repeat(40) }]);
    expect(bodies.reply?.[0]?.body).toContain('`a` becomes `blocked` on `main` with the next staging run');
    // The status batch merges the pending edits onto staging; main does not move until CI passes there.
    expect(bodies.merge).toEqual([
      {
        base: 'coordinator/build',
        head: '9'.repeat(40),
        commit_message: 'Merge status edits waiting on coordinator/status',
      },
    ]);
    expect(String(bodies.batch?.[0]?.message)).toContain(`Coordinator-Status: ${'9'.repeat(40)}`);
    expect(bodies.check?.[0]).toMatchObject({ name: 'Task graph', conclusion: 'success' });
    expect(app.specErrors).toEqual([]);
  });

  it('merge on a PR from a fork takes in that head: its Merge queue record names the maintainer', async () => {
    const app = await testApp();
    const { bodies, record } = recorder();
    const fork = { ...PULL_7, head: { ...PULL_7.head, repo: { full_name: 'outsider/widgets' } } };
    const api = mockSnapshotReads(nock(API), { pulls: [] })
      .post(`${R}/check-runs`, (body) => body.name === 'Task graph')
      .reply(201, { id: 10 });
    answers(
      permission(api, 'ana', 'maintain')
        .get(`${R}/pulls/7`)
        .reply(200, fork)
        .post(`${R}/issues/7/labels`, record('labels'))
        .reply(200, [])
        .get(`${R}/commits/${HEAD}/check-runs`)
        .query({ check_name: 'Merge queue', app_id: 1, filter: 'latest' })
        .reply(200, { total_count: 0, check_runs: [] })
        .post(`${R}/check-runs`, (body) => body.name === 'Merge queue' && record('check')(body))
        .reply(201, { id: 77 }),
      record,
    );
    await app.probot.receive({
      id: 'd10',
      name: 'issue_comment',
      payload: commentPayload('/coordinator merge'),
    });
    await app.handle.idle();
    expect(bodies.check).toEqual([
      expect.objectContaining({
        name: 'Merge queue',
        head_sha: HEAD,
        conclusion: 'neutral',
        external_id: 'tgc1;trusted=ana',
        output: expect.objectContaining({ title: 'Taken in from a fork by @ana' }),
      }),
    ]);
    expect(bodies.reply?.[0]?.body).toContain('took in head cccccc');
    expect(app.specErrors).toEqual([]);
  });

  it('refuses a mutating command from a reader with one reply, and changes nothing', async () => {
    const app = await testApp();
    const { bodies, record } = recorder();
    answers(
      mockToken(nock(API))
        .get(`${R}/collaborators/zed/permission`)
        .reply(200, { permission: 'read', role_name: 'triage', user: { login: 'zed' } }),
      record,
    );

    await app.probot.receive({
      id: 'd3',
      name: 'issue_comment',
      payload: commentPayload('/coordinator merge\n/coordinator priority high', { author: 'zed' }),
    });
    await app.handle.idle();

    expect(bodies.reaction).toEqual([{ content: '-1' }]);
    expect(bodies.reply).toHaveLength(1);
    expect(bodies.reply?.[0]?.body).toContain(
      '`merge` needs write access to this repository (you have triage)',
    );
    expect(bodies.reply?.[0]?.body).toContain('`priority` needs write access');
    expect(app.specErrors).toEqual([]);
  });

  it('answers help to anyone without asking for permissions', async () => {
    const app = await testApp();
    const { bodies, record } = recorder();
    answers(mockToken(nock(API)), record);

    await app.probot.receive({
      id: 'd4',
      name: 'issue_comment',
      payload: commentPayload('/coordinator help', { author: 'visitor', isPull: false }),
    });
    await app.handle.idle();
    expect(bodies.reaction).toEqual([{ content: '+1' }]);
    expect(bodies.reply?.[0]?.body).toContain('`/coordinator block <reason>`');
  });

  it('replies once to a parse error, saying how to fix it', async () => {
    const app = await testApp();
    const { bodies, record } = recorder();
    answers(mockToken(nock(API)), record);
    await app.probot.receive({
      id: 'd5',
      name: 'issue_comment',
      payload: commentPayload('/coordinator frobnicate\n/coordinator block'),
    });
    await app.handle.idle();
    expect(bodies.reaction).toEqual([{ content: '-1' }]);
    expect(bodies.reply).toHaveLength(1);
    expect(bodies.reply?.[0]?.body).toContain('unknown verb "frobnicate"');
    expect(bodies.reply?.[0]?.body).toContain('`block` needs a reason');
  });

  it("retry: clears the app's failed Merge queue run at the same head, so the PR rejoins the queue", async () => {
    const app = await testApp();
    const { bodies, record } = recorder();
    const api = mockSnapshotReads(nock(API));
    permission(api, 'ana', 'maintain')
      .get(`${R}/pulls/7`)
      .reply(200, PULL_7)
      .get(`${R}/commits/${HEAD}/check-runs`)
      .query({ check_name: 'Merge queue', app_id: 1, filter: 'latest' })
      .reply(200, {
        total_count: 1,
        check_runs: [
          {
            id: 44,
            name: 'Merge queue',
            conclusion: 'failure',
            output: { title: 'Conflict with main' },
            external_id: `tgc1;trusted=ana;failed=conflict;commented=1;limit=1;retries=1;seen=${BASE}`,
          },
        ],
      })
      .patch(`${R}/check-runs/44`, record('check'))
      .reply(200, {})
      .post(`${R}/issues/comments/555/reactions`)
      .reply(201, {})
      .post(`${R}/issues/7/comments`, record('reply'))
      .reply(201, { id: 600 })
      .post(`${R}/check-runs`)
      .reply(201, { id: 10 });

    await app.probot.receive({
      id: 'd7',
      name: 'issue_comment',
      payload: commentPayload('/coordinator retry'),
    });
    await app.handle.idle();
    expect(bodies.check).toEqual([
      {
        status: 'completed',
        conclusion: 'neutral',
        // the head rejoins as new: no failure, no bisection limit, no retries; who took it in stays
        external_id: 'tgc1;trusted=ana',
        output: {
          title: 'Retry requested by @ana',
          summary: 'The earlier failure (Conflict with main) is cleared; this head rejoins the queue.',
        },
      },
    ]);
    expect(bodies.reply?.[0]?.body).toContain('#7 rejoins the queue at cccccc');
    expect(app.specErrors).toEqual([]);
  });

  it('complete: refuses a task whose dependencies are not completed, naming them', async () => {
    const app = await testApp();
    const { bodies, record } = recorder();
    mockBaseReads(mockColdStart(nock(API)))
      .get(`${R}/git/matching-refs/heads%2Fcoordinator%2F`)
      .reply(200, []);
    answers(permission(nock(API), 'ana', 'write'), record);
    await app.probot.receive({
      id: 'd8',
      name: 'issue_comment',
      payload: commentPayload('/coordinator complete b', { isPull: false }),
    });
    await app.handle.idle();
    expect(bodies.reaction).toEqual([{ content: '-1' }]);
    expect(bodies.reply?.[0]?.body).toContain('`b` depends on tasks that are not completed: `a`');
  });

  it('status: anyone gets the graph with a Mermaid diagram', async () => {
    const app = await testApp();
    const { bodies, record } = recorder();
    mockBaseReads(mockColdStart(nock(API)))
      .get(`${R}/pulls`)
      .query({ state: 'open', base: 'main', per_page: 100 })
      .reply(200, [{ ...PULL_7, labels: [] }])
      .post(`${R}/issues/comments/555/reactions`)
      .reply(201, {})
      .post(`${R}/issues/7/comments`, record('reply'))
      .reply(201, { id: 600 });
    await app.probot.receive({
      id: 'd9',
      name: 'issue_comment',
      payload: commentPayload('/coordinator status', { author: 'visitor' }),
    });
    await app.handle.idle();
    const body = String(bodies.reply?.[0]?.body);
    expect(body).toContain('**Queued** (1): #7 `a`');
    expect(body).toContain('```mermaid');
    expect(body).toContain('t0 --> t1');
    expect(app.specErrors).toEqual([]);
  });

  it('notify: queues a custom message for the channel it names, without a reconcile', async () => {
    const store = await SqlStore.open({ dataDir: ':memory:' });
    const channels = parseChannels({
      acme: {
        general: 'https://x.logic.azure.com/workflows/g/triggers/manual/paths/invoke?sig=G',
        alerts: 'https://x.logic.azure.com/workflows/a/triggers/manual/paths/invoke?sig=A',
      },
    });
    const app = await testApp({
      notifications: { store, channels, post: async () => ({ status: 202, retryAfterMs: null }) },
    });
    const { bodies, record } = recorder();
    mockBaseReads(mockColdStart(nock(API)));
    permission(nock(API), 'ana', 'write')
      .post(`${R}/issues/comments/555/reactions`)
      .reply(201, {})
      .post(`${R}/issues/7/comments`, record('reply'))
      .reply(201, { id: 600 });
    await app.probot.receive({
      id: 'd10',
      name: 'issue_comment',
      payload: commentPayload('/coordinator notify CHANNEL:alerts Deploy freeze starts at 18:00', {
        isPull: false,
      }),
    });
    await app.handle.idle();
    expect(bodies.reply?.[0]?.body).toContain('queued for channel `alerts`');
    const pending = await store.pending(10);
    expect(pending.map((i) => i.channel)).toEqual(['alerts']);
    expect(JSON.parse(pending[0]?.payload ?? '{}').card).toMatchObject({
      title: 'Message',
      body: 'Deploy freeze starts at 18:00',
    });
    expect(app.specErrors).toEqual([]);
    await store.close();
  });

  it.each([
    ['an edited comment', commentPayload('/coordinator merge', { action: 'edited' })],
    ["the app's own comment", commentPayload('/coordinator merge', { viaApp: 1 })],
    ['a comment without a command', commentPayload('LGTM, merge when ready')],
    ['a command inside a code block', commentPayload('```\n/coordinator merge\n```')],
  ])('does nothing for %s', async (_intent, payload) => {
    const app = await testApp();
    await app.probot.receive({ id: 'd6', name: 'issue_comment', payload });
    await app.handle.idle();
    expect(state.unmatched).toEqual([]);
  });
});
