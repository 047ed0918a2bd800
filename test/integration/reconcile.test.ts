/**
 * The whole app through `probot.receive` with real example payloads (@octokit/webhooks-examples,
 * adapted to a task repo) against nock: every request is expected exactly, none is left unused, and
 * every request the app makes exists in GitHub's OpenAPI description with a valid body.
 */
import { createRequire } from 'node:module';
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { API, b64, INSTALLATION_ID, strictNock, testApp } from '../helpers/probot.js';

const require = createRequire(import.meta.url);
const examples = require('@octokit/webhooks-examples') as {
  name: string;
  examples: Record<string, unknown>[];
}[];
const example = (name: string, action?: string) => {
  const found = examples
    .find((e) => e.name === name)
    ?.examples.find((x) => x.installation && (action === undefined || x.action === action));
  if (!found) throw new Error(`no ${name} example with an installation`);
  return structuredClone(found) as Record<string, unknown>;
};

const repo = { owner: 'acme', repo: 'widgets' };
const R = `/repos/${repo.owner}/${repo.repo}`;
const BASE = 'a'.repeat(40);
const HEAD = 'c'.repeat(40);
const MERGED = 'd'.repeat(40);
const TASK_A =
  '---\nid: a\nname: Task A\nstatus: pending\n---\n\n## Summary\n\n> To be filled on completion\n';
const TASK_B = '---\nid: b\nname: Task B\nstatus: pending\ndepends_on:\n  - a\n---\n';

/** Adapts an example payload to the task repo and this installation. */
function adapt(payload: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const repository = payload.repository as Record<string, unknown>;
  Object.assign(repository, {
    name: repo.repo,
    full_name: `${repo.owner}/${repo.repo}`,
    default_branch: 'main',
  });
  Object.assign(repository.owner as Record<string, unknown>, { login: repo.owner });
  return { ...payload, installation: { id: INSTALLATION_ID }, ...extra };
}

/** The reads of one reconcile of a repo holding tasks a and b, with `pulls` open. */
function mockSnapshotReads(
  api: nock.Scope,
  options: {
    config?: string;
    pulls?: unknown[];
    baseChecks?: () => unknown[];
    staging?: { sha: string; message: string };
    /** A later reconcile: the installation token and the task blobs come from the caches. */
    warm?: boolean;
    /** Refs under `feat/` as `GET /git/matching-refs` lists them. */
    branches?: unknown[];
  } = {},
) {
  if (!options.warm) {
    api
      .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
      .reply(201, { token: 'ghs_test', expires_at: '2099-01-01T00:00:00Z' })
      .get(`${R}/git/blobs/${'2'.repeat(40)}`)
      .reply(200, { content: b64(TASK_A), encoding: 'base64' })
      .get(`${R}/git/blobs/${'3'.repeat(40)}`)
      .reply(200, { content: b64(TASK_B), encoding: 'base64' });
  }
  api
    .get(`${R}/contents/.github%2Fcoordinator.yml`)
    .reply(200, options.config ?? 'merge:\n  required_checks: [ci]\n', {
      'content-type': 'text/plain; charset=utf-8',
    })
    .get(R)
    .reply(200, { default_branch: 'main', html_url: 'https://github.com/acme/widgets' })
    .get(`${R}/git/ref/heads%2Fmain`)
    .reply(200, { object: { sha: BASE } })
    .get(`${R}/git/matching-refs/heads%2Ffeat%2F`)
    .query({ per_page: 100 })
    .reply(200, options.branches ?? [])
    .get(`${R}/git/trees/${BASE}`)
    .query({ recursive: 'true' })
    .reply(200, {
      tree: [
        { path: 'README.md', type: 'blob', sha: '1'.repeat(40) },
        { path: 'tasks/a.md', type: 'blob', sha: '2'.repeat(40) },
        { path: 'tasks/sub/b.md', type: 'blob', sha: '3'.repeat(40) },
      ],
    })
    .get(`${R}/pulls`)
    .query({ state: 'open', base: 'main', per_page: 100 })
    .reply(200, options.pulls ?? [])
    .get(`${R}/pulls`)
    .query({ state: 'closed', base: 'main', sort: 'updated', direction: 'desc', per_page: 30 })
    .reply(200, [])
    .get(`${R}/commits/${BASE}/check-runs`)
    .query({ app_id: 1, per_page: 100 })
    .reply(200, () => ({ total_count: 0, check_runs: options.baseChecks?.() ?? [] }));
  if (!options.staging)
    return api.get(`${R}/git/ref/heads%2Fcoordinator%2Fstaging`).reply(404, { message: 'Not Found' });
  const staging = options.staging;
  return api
    .get(`${R}/git/ref/heads%2Fcoordinator%2Fstaging`)
    .reply(200, { object: { sha: staging.sha } })
    .get(`${R}/git/commits/${staging.sha}`)
    .reply(200, {
      sha: staging.sha,
      message: staging.message,
      committer: { date: '2026-06-02T11:59:00Z' },
      tree: { sha: 'e'.repeat(40) },
    })
    .get(`${R}/commits/${staging.sha}/check-runs`)
    .query({ per_page: 100 })
    .reply(200, { total_count: 0, check_runs: [] })
    .get(`${R}/commits/${staging.sha}/status`)
    .query({ per_page: 100 })
    .reply(200, { state: 'pending', statuses: [] });
}

/** The per-PR reads of one reconcile; `own` answers the app's check runs on the head. */
function mockPullReads(
  api: nock.Scope,
  pull: { number: number; head: { sha: string } },
  own: () => unknown[],
) {
  const head = pull.head.sha;
  return api
    .get(`${R}/pulls/${pull.number}/files`)
    .query({ per_page: 100 })
    .reply(200, [{ filename: 'src/a.ts', status: 'added', sha: '4'.repeat(40) }])
    .get(`${R}/commits/${head}/check-runs`)
    .query({ per_page: 100 })
    .reply(200, () => ({
      total_count: 1,
      check_runs: [
        { id: 1, name: 'ci', status: 'completed', conclusion: 'success', app: { id: 99 }, output: {} },
        ...own(),
      ],
    }))
    .get(`${R}/commits/${head}/status`)
    .query({ per_page: 100 })
    .reply(200, { state: 'success', statuses: [] });
}

/** A check run the app created, as GitHub lists it afterwards. */
function asListed(body: Record<string, unknown>, id: number) {
  return {
    id,
    name: body.name,
    head_sha: body.head_sha,
    status: body.status,
    conclusion: body.conclusion ?? null,
    output: body.output,
    app: { id: 1 },
  };
}

describe('a push to main', () => {
  const state = strictNock();

  it('posts a successful Task graph check on the head commit', async () => {
    const app = await testApp();
    const checks: unknown[] = [];
    mockSnapshotReads(nock(API))
      .post(`${R}/check-runs`, (body) => {
        checks.push(body);
        return true;
      })
      .reply(201, { id: 10 });

    await app.probot.receive({
      id: 'delivery-1',
      name: 'push',
      payload: adapt(example('push'), { ref: 'refs/heads/main' }) as never,
    });
    await app.handle.idle();

    expect(checks).toMatchObject([
      {
        name: 'Task graph',
        head_sha: BASE,
        status: 'completed',
        conclusion: 'success',
        output: { title: '2 tasks, 1 ready' },
      },
    ]);
    expect(app.specErrors).toEqual([]);
    expect(state.unmatched).toEqual([]);
  });

  it("ignores the app's own pushes (it reconciles after every write anyway)", async () => {
    const app = await testApp();
    nock(API).get('/app').reply(200, { id: 1, slug: 'taskgraph-coordinator' });
    const sender = { login: 'taskgraph-coordinator[bot]', type: 'Bot', id: 9 };
    await app.probot.receive({
      id: 'delivery-8',
      name: 'push',
      payload: adapt(example('push'), { sender }) as never,
    });
    await app.probot.receive({
      id: 'delivery-9',
      name: 'push',
      payload: adapt(example('push'), { sender }) as never,
    });
    await app.handle.idle();
    expect(app.specErrors).toEqual([]);
  });

  it('fails the Task graph check naming the bad key of .github/coordinator.yml, and does nothing else', async () => {
    const app = await testApp();
    const checks: { output: { summary: string } }[] = [];
    nock(API)
      .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
      .reply(201, { token: 'ghs_test', expires_at: '2099-01-01T00:00:00Z' })
      .get(`${R}/contents/.github%2Fcoordinator.yml`)
      .reply(200, 'merge:\n  strategy: yolo\n', { 'content-type': 'text/plain; charset=utf-8' })
      .get(R)
      .reply(200, { default_branch: 'main' })
      .get(`${R}/git/ref/heads%2Fmain`)
      .reply(200, { object: { sha: BASE } })
      .post(`${R}/check-runs`, (body) => {
        checks.push(body);
        return true;
      })
      .reply(201, { id: 11 });

    await app.probot.receive({ id: 'delivery-2', name: 'push', payload: adapt(example('push')) as never });
    await app.handle.idle();

    expect(checks).toMatchObject([
      { name: 'Task graph', conclusion: 'failure', output: { title: 'Invalid .github/coordinator.yml' } },
    ]);
    expect(checks[0]?.output.summary).toContain('`merge.strategy`');
    expect(app.specErrors).toEqual([]);
  });
});

describe('a ready task PR', () => {
  strictNock();

  it('is merged onto coordinator/staging with one status commit, then waits for CI there', async () => {
    const app = await testApp();
    const pullA = {
      number: 7,
      title: 'Implement A',
      body: 'Does A.',
      draft: false,
      labels: [],
      created_at: '2026-06-02T10:00:00Z',
      html_url: 'https://github.com/acme/widgets/pull/7',
      head: { ref: 'feat/a', sha: HEAD },
    };
    const written: Record<string, unknown>[] = [];
    const record = (label: string) => (body: Record<string, unknown>) => {
      written.push({ label, ...body });
      return true;
    };
    const checksOn = (sha: string) =>
      written.filter((w) => w.label === 'check' && w.head_sha === sha).map((w, i) => asListed(w, 100 + i));
    const api = mockPullReads(mockSnapshotReads(nock(API), { pulls: [pullA] }), pullA, () => [])
      // execute: check runs, then the staging protocol
      .post(`${R}/check-runs`, record('check'))
      .reply(201, { id: 20 })
      .post(`${R}/check-runs`, record('check'))
      .reply(201, { id: 21 })
      .patch(`${R}/git/refs/heads%2Fcoordinator%2Fstaging`, record('reset staging'))
      .reply(422, { message: 'Reference does not exist' })
      .post(`${R}/git/refs`, record('create staging'))
      .reply(201, { ref: 'refs/heads/coordinator/staging', object: { sha: BASE } })
      .post(`${R}/merges`, record('merge'))
      .reply(201, { sha: MERGED })
      .get(`${R}/contents/tasks%2Fa.md`)
      .query({ ref: MERGED })
      .reply(200, { type: 'file', encoding: 'base64', content: b64(TASK_A) })
      .get(`${R}/git/commits/${MERGED}`)
      .reply(200, { sha: MERGED, tree: { sha: 't'.repeat(40) } })
      .post(`${R}/git/trees`, record('tree'))
      .reply(201, { sha: 'e'.repeat(40) })
      .post(`${R}/git/commits`, record('commit'))
      .reply(201, { sha: 'f'.repeat(40) })
      .patch(`${R}/git/refs/heads%2Fcoordinator%2Fstaging`, record('advance staging'))
      .reply(200, { object: { sha: 'f'.repeat(40) } })
      .post(`${R}/check-runs`, record('check'))
      .reply(201, { id: 22 });
    // The app reconciles again at once: staging holds the batch, CI has not reported yet, and every
    // check run already says what it should, so nothing is written.
    const message = `Complete task a\n\nCoordinator-Base: ${BASE}\nCoordinator-Pull: #7 ${HEAD} a\n`;
    mockPullReads(
      mockSnapshotReads(api, {
        pulls: [pullA],
        baseChecks: () => checksOn(BASE),
        staging: { sha: 'f'.repeat(40), message },
        warm: true,
      }),
      pullA,
      () => checksOn(HEAD),
    );

    await app.probot.receive({
      id: 'delivery-3',
      name: 'pull_request',
      payload: adapt(example('pull_request', 'ready_for_review')) as never,
    });
    await app.handle.idle();

    const labels = written.map((w) =>
      w.label === 'check' ? `check ${w.name}: ${w.conclusion ?? w.status}` : w.label,
    );
    expect(labels).toEqual([
      'check Task graph: success',
      'check Merge order: success',
      'reset staging',
      'create staging',
      'merge',
      'tree',
      'commit',
      'advance staging',
      'check Merge queue: in_progress',
    ]);
    const find = (label: string) => written.find((w) => w.label === label) as Record<string, unknown>;
    expect(find('create staging')).toMatchObject({ ref: 'refs/heads/coordinator/staging', sha: BASE });
    expect(find('merge')).toMatchObject({
      base: 'coordinator/staging',
      head: HEAD,
      commit_message: 'Merge task a (#7)',
    });
    const tree = find('tree') as { base_tree: string; tree: { path: string; content: string }[] };
    expect(tree.base_tree).toBe('t'.repeat(40));
    expect(tree.tree).toHaveLength(1);
    expect(tree.tree[0]?.path).toBe('tasks/a.md');
    expect(tree.tree[0]?.content).toBe(
      TASK_A.replace('status: pending', 'status: completed').replace(
        '> To be filled on completion',
        'Merged in #7: Implement A (https://github.com/acme/widgets/pull/7)',
      ),
    );
    expect(find('commit')).toMatchObject({
      parents: [MERGED],
      message: `Complete task a\n\nCoordinator-Base: ${BASE}\nCoordinator-Pull: #7 ${HEAD} a\n`,
    });
    expect(find('advance staging')).toMatchObject({ sha: 'f'.repeat(40), force: false });
    expect(app.specErrors).toEqual([]);
  });
});

describe('a task branch pushed without a PR', () => {
  strictNock();

  it('gets a draft PR titled after the task, with a Task: line and a link to the task file', async () => {
    const app = await testApp();
    let created: Record<string, unknown> | undefined;
    mockSnapshotReads(nock(API), { branches: [{ ref: 'refs/heads/feat/a', object: { sha: HEAD } }] })
      .post(`${R}/check-runs`)
      .reply(201, { id: 30 })
      .post(`${R}/pulls`, (body) => {
        created = body;
        return true;
      })
      .reply(201, { number: 8 });

    await app.probot.receive({
      id: 'delivery-4',
      name: 'push',
      payload: adapt(example('push'), { ref: 'refs/heads/feat/a' }) as never,
    });
    await app.handle.idle();

    expect(created).toMatchObject({ head: 'feat/a', base: 'main', title: 'Task A', draft: true });
    expect(String(created?.body)).toMatch(/^Task: a\n/);
    expect(String(created?.body)).toContain('(https://github.com/acme/widgets/blob/main/tasks/a.md)');
    expect(app.specErrors).toEqual([]);
  });
});

describe('reading state it must not write', () => {
  strictNock();
  const pullA = {
    number: 7,
    title: 'Implement A',
    body: '',
    draft: false,
    labels: [],
    created_at: '2026-06-02T10:00:00Z',
    html_url: 'https://github.com/acme/widgets/pull/7',
    head: { ref: 'feat/a', sha: HEAD },
  };
  const ownNone = () => [];

  it('in a dry run plans and writes nothing', async () => {
    const app = await testApp({ dryRun: true });
    mockPullReads(mockSnapshotReads(nock(API), { pulls: [pullA] }), pullA, ownNone);
    await app.probot.receive({
      id: 'delivery-5',
      name: 'pull_request',
      payload: adapt(example('pull_request', 'ready_for_review')) as never,
    });
    await app.handle.idle();
    expect(app.specErrors).toEqual([]);
  });

  it('takes required checks from branch protection and rulesets when the config names none', async () => {
    const app = await testApp();
    const writes: string[] = [];
    mockPullReads(
      mockSnapshotReads(nock(API), { pulls: [pullA], config: 'dry_run: false\n' }),
      pullA,
      ownNone,
    )
      .get(`${R}/branches/main`)
      .reply(200, {
        name: 'main',
        protection: { required_status_checks: { contexts: ['ci'], checks: [{ context: 'ci' }] } },
      })
      .get(`${R}/rules/branches/main`)
      .query({ per_page: 100 })
      .reply(200, [
        { type: 'required_status_checks', parameters: { required_status_checks: [{ context: 'lint' }] } },
      ])
      .post(`${R}/check-runs`, (b) => writes.push(`${b.name}: ${b.conclusion ?? b.status}`) > 0)
      .times(2)
      .reply(201, { id: 40 });
    await app.probot.receive({
      id: 'delivery-6',
      name: 'pull_request',
      payload: adapt(example('pull_request', 'ready_for_review')) as never,
    });
    await app.handle.idle();
    // ci passed but the ruleset's lint check never ran: the PR is ready in order, yet nothing merges.
    expect(writes).toEqual(['Task graph: success', 'Merge order: success']);
    expect(app.specErrors).toEqual([]);
  });

  it('reconciles every repository of a new installation', async () => {
    const app = await testApp();
    mockSnapshotReads(nock(API)).post(`${R}/check-runs`).reply(201, { id: 41 });
    const payload = example('installation', 'created');
    Object.assign(payload, {
      installation: { ...(payload.installation as object), id: INSTALLATION_ID },
      repositories: [{ name: repo.repo, full_name: `${repo.owner}/${repo.repo}` }],
    });
    await app.probot.receive({ id: 'delivery-7', name: 'installation', payload: payload as never });
    await app.handle.idle();
    expect(app.specErrors).toEqual([]);
  });
});

describe('the resync', () => {
  strictNock();

  it('reconciles every installed repository once after boot, then only active ones', async () => {
    const app = await testApp();
    mockSnapshotReads(nock(API))
      .get('/app/installations')
      .query({ per_page: 100 })
      .reply(200, [{ id: INSTALLATION_ID, account: { login: repo.owner } }])
      .get('/installation/repositories')
      .query({ per_page: 100 })
      .reply(200, { total_count: 1, repositories: [{ name: repo.repo, owner: { login: repo.owner } }] })
      .post(`${R}/check-runs`)
      .reply(201, { id: 50 });
    await app.handle.resync();
    await app.handle.idle();
    // Nothing is open there, so the next pass asks GitHub nothing (strict nock fails on any request).
    await app.handle.resync();
    await app.handle.idle();
    expect(app.specErrors).toEqual([]);
  });
});
