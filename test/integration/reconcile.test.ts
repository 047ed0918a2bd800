/**
 * The whole app through `probot.receive` with real example payloads (@octokit/webhooks-examples,
 * adapted to a task repo) against nock: every request is expected exactly, none is left unused, and
 * every request the app makes exists in GitHub's OpenAPI description with a valid body.
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import {
  adapt,
  asListed,
  BASE,
  example,
  HEAD,
  MERGED,
  mockPullReads,
  mockSnapshotReads,
  mockToken,
  R,
  repo,
  TASK_A,
} from '../helpers/github-mocks.js';
import { API, INSTALLATION_ID, strictNock, testApp } from '../helpers/probot.js';

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
    mockToken(nock(API))
      .get(`${R}/contents/.github%2Fcoordinator.yml`)
      .reply(200, 'merge:\n  strategy: yolo\n', { 'content-type': 'text/plain; charset=utf-8' })
      // the snapshot's first reads go out with the config read (a broken config is rare; they are
      // one request each, and the reconcile waits for them before it ends)
      .get(R)
      .reply(200, { default_branch: 'main' })
      .get(`${R}/git/ref/heads%2Fmain`)
      .reply(200, { object: { sha: BASE } })
      .get(`${R}/git/matching-refs/heads%2Fcoordinator%2F`)
      .reply(200, [])
      .get(`${R}/branches/main/protection`)
      .reply(404, { message: 'Branch not protected' })
      .get(`${R}/rules/branches/main`)
      .query(true)
      .reply(200, [])
      .get(`${R}/pulls`)
      .query(true)
      .times(2)
      .reply(200, [])
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
      head: { ref: 'feat/a', sha: HEAD, repo: { full_name: 'acme/widgets' } },
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
      .patch(`${R}/git/refs/heads%2Fcoordinator%2Fbuild`, record('reset build'))
      .reply(422, { message: 'Reference does not exist' })
      .post(`${R}/git/refs`, record('create build'))
      .reply(201, { ref: 'refs/heads/coordinator/build', object: { sha: BASE } })
      // GitHub answers a merge with the merge commit (REST "Commit": `commit.tree.sha`), so its tree
      // is not read again; the task file is the base's (the PR does not change it), so it is not
      // read at the merge either; and coordinator/staging, which the snapshot did not list, is
      // created without trying an update first.
      .post(`${R}/merges`, record('merge'))
      .reply(201, { sha: MERGED, commit: { tree: { sha: 't'.repeat(40) } } })
      .post(`${R}/git/trees`, record('tree'))
      .reply(201, { sha: 'e'.repeat(40) })
      .post(`${R}/git/commits`, record('commit'))
      .reply(201, { sha: 'f'.repeat(40) })
      .post(`${R}/git/refs`, record('create staging'))
      .reply(201, { ref: 'refs/heads/coordinator/staging', object: { sha: 'f'.repeat(40) } })
      .post(`${R}/check-runs`, record('check'))
      .reply(201, { id: 22 });
    // The app reconciles again at once: staging holds the batch and CI has not reported yet, so it
    // waits, and writes the checks the batch's reconcile left to it (derived again from this read).
    // The PR's files at this head were read once and are not read again.
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
      { filesCached: true },
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
    // The batch is staged first; the checks it does not need come after it, in the next reconcile
    // (throttled writes on GitHub never delay a merge).
    expect(labels).toEqual([
      'reset build',
      'create build',
      'merge',
      'tree',
      'commit',
      'create staging',
      'check Merge queue: in_progress',
      'check Task graph: success',
      'check Merge order: success',
    ]);
    const find = (label: string) => written.find((w) => w.label === label) as Record<string, unknown>;
    expect(find('create build')).toMatchObject({ ref: 'refs/heads/coordinator/build', sha: BASE });
    expect(find('merge')).toMatchObject({
      base: 'coordinator/build',
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
      message: `Complete task a\n\nCoordinator-Base: ${BASE}\nCoordinator-Pull: #7 ${HEAD} a\nCoordinator-Edit: a completed\n`,
    });
    // The staging branch moves once, to the finished batch: CI runs once per batch.
    expect(find('create staging')).toMatchObject({
      ref: 'refs/heads/coordinator/staging',
      sha: 'f'.repeat(40),
    });
    expect(app.specErrors).toEqual([]);
  });
});

describe('a newer event during a reconcile', () => {
  strictNock();
  const pullA = {
    number: 7,
    title: 'Implement A',
    body: 'Does A.',
    draft: false,
    labels: [],
    created_at: '2026-06-02T10:00:00Z',
    html_url: 'https://github.com/acme/widgets/pull/7',
    head: { ref: 'feat/a', sha: HEAD, repo: { full_name: 'acme/widgets' } },
  };
  type Recorder = (label: string) => (body: { name?: string }) => boolean;
  // Every write the app makes, in order, as `label` (`check <name>` for check runs).
  const recorder = () => {
    const written: string[] = [];
    const record: Recorder = (label) => (body) => {
      written.push(body.name ? `${label} ${body.name}` : label);
      return true;
    };
    return { written, record };
  };
  // The first reconcile's reads; once it listed the open PRs, while it reads the PR's files (or
  // at the read `during` names), another webhook pokes the repository (an agent's push is
  // followed by its PR a moment later).
  const firstReadsPoked = (
    app: Awaited<ReturnType<typeof testApp>>,
    during = (path: string) => path.includes('/pulls/7/files'),
  ) => {
    const api = mockPullReads(mockSnapshotReads(nock(API), { pulls: [pullA] }), pullA, () => []);
    const state = { poked: false };
    api.on('request', (req: { path: string }) => {
      if (state.poked || !during(req.path)) return;
      state.poked = true;
      void app.handle.poke({ owner: repo.owner, repo: repo.repo, installationId: INSTALLATION_ID });
    });
    return { api, state };
  };
  // Staging #7 as a batch of one on the base.
  const batchWrites = (api: nock.Scope, record: Recorder) =>
    api
      .patch(`${R}/git/refs/heads%2Fcoordinator%2Fbuild`, record('reset build'))
      .reply(422, { message: 'Reference does not exist' })
      .post(`${R}/git/refs`, record('create build'))
      .reply(201, { ref: 'refs/heads/coordinator/build', object: { sha: BASE } })
      .post(`${R}/merges`, record('merge'))
      .reply(201, { sha: MERGED, commit: { tree: { sha: 't'.repeat(40) } } })
      .post(`${R}/git/trees`, record('tree'))
      .reply(201, { sha: 'e'.repeat(40) })
      .post(`${R}/git/commits`, record('commit'))
      .reply(201, { sha: 'f'.repeat(40) })
      .post(`${R}/git/refs`, record('create staging'))
      .reply(201, { ref: 'refs/heads/coordinator/staging', object: { sha: 'f'.repeat(40) } })
      .post(`${R}/check-runs`, record('check'))
      .reply(201, { id: 22 });
  // The reconcile after it finds the batch under test and writes the derived checks.
  const underTest = (api: nock.Scope, record: Recorder) => {
    const message = `Complete task a\n\nCoordinator-Base: ${BASE}\nCoordinator-Pull: #7 ${HEAD} a\n`;
    mockPullReads(
      mockSnapshotReads(api, { pulls: [pullA], staging: { sha: 'f'.repeat(40), message }, warm: true }),
      pullA,
      () => [],
      { filesCached: true },
    )
      .post(`${R}/check-runs`, record('check'))
      .reply(201, { id: 23 })
      .post(`${R}/check-runs`, record('check'))
      .reply(201, { id: 24 });
  };
  const staged = [
    'reset build',
    'create build',
    'merge',
    'tree',
    'commit',
    'create staging',
    'check Merge queue',
    'check Task graph',
    'check Merge order',
  ];
  // The PR turns ready; once the app is idle, the poke happened and the batch was staged once.
  const expectStagedAfterReady = async (
    app: Awaited<ReturnType<typeof testApp>>,
    id: string,
    state: { poked: boolean },
    written: string[],
  ) => {
    await app.probot.receive({
      id,
      name: 'pull_request',
      payload: adapt(example('pull_request', 'ready_for_review')) as never,
    });
    await app.handle.idle();
    expect(state.poked).toBe(true);
    expect(written).toEqual(staged);
    expect(app.specErrors).toEqual([]);
  };

  it('makes a reconcile that would start a batch yield before writing anything; the next one stages it', async () => {
    const app = await testApp();
    const { written, record } = recorder();
    // The first reconcile plans a batch, then yields; the second reads again (the PR's files are
    // cached by head) and stages it.
    const { api, state } = firstReadsPoked(app);
    batchWrites(
      mockPullReads(mockSnapshotReads(api, { pulls: [pullA], warm: true }), pullA, () => [], {
        filesCached: true,
      }),
      record,
    );
    underTest(api, record);

    await expectStagedAfterReady(app, 'delivery-9', state, written);
  });

  it('an event that arrived before the listing of the open PRs answered is in the snapshot: that reconcile stages the batch', async () => {
    const app = await testApp();
    const { written, record } = recorder();
    // The poke arrives while the open PRs are listed, before that listing answered: no second read.
    const { api, state } = firstReadsPoked(app, (path) => path.includes('/pulls?state=open'));
    batchWrites(api, record);
    underTest(api, record);

    await expectStagedAfterReady(app, 'delivery-11', state, written);
  });

  it('never makes a first sight yield: the adoption scan runs once, and that reconcile stages the batch', async () => {
    const app = await testApp({ adoptOnFirstSight: true });
    const { written, record } = recorder();
    const { api, state } = firstReadsPoked(app);
    // The adoption scan, once (its history, branches, config and earlier adoption PRs): nothing to
    // adopt. A second scan would find none of these answers.
    api
      .get(`${R}/pulls`)
      .query({ state: 'closed', base: 'main', per_page: 100 })
      .reply(200, [])
      .get(`${R}/contents/.github%2Fcoordinator.yml`)
      .query({ ref: BASE })
      .reply(200, {
        type: 'file',
        path: '.github/coordinator.yml',
        sha: 'c'.repeat(40),
        content: '',
        encoding: 'base64',
      })
      .get(`${R}/pulls`)
      .query({ state: 'all', head: 'acme:coordinator/adopt', per_page: 100 })
      .reply(200, [])
      .get(`${R}/git/matching-refs/heads%2Ffeat%2F`)
      .query({ per_page: 100 })
      .reply(200, [])
      .get(`${R}/commits`)
      .query({ sha: BASE, per_page: 100 })
      .reply(200, []);
    batchWrites(api, record);
    underTest(api, record);

    await expectStagedAfterReady(app, 'delivery-10', state, written);
  });
});

describe('a task branch pushed without a PR', () => {
  strictNock();

  it('gets a draft PR titled after the task, with a Task: line and a link to the task file', async () => {
    const app = await testApp();
    let created: Record<string, unknown> | undefined;
    mockSnapshotReads(nock(API), { branches: [{ ref: 'refs/heads/feat/a', object: { sha: HEAD } }] })
      // pushed an hour before the app's clock (12:00): past the 2-minute grace for agents' own PRs
      .get(`${R}/git/commits/${HEAD}`)
      .reply(200, { sha: HEAD, committer: { date: '2026-06-02T11:00:00Z' }, message: 'work' })
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
    head: { ref: 'feat/a', sha: HEAD, repo: { full_name: 'acme/widgets' } },
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

  it('takes required checks from branch protection and rulesets beside the config', async () => {
    const app = await testApp();
    const writes: { name: string; conclusion?: string; status: string; output: { summary: string } }[] = [];
    mockPullReads(
      mockSnapshotReads(nock(API), { pulls: [pullA], config: 'dry_run: false\n', rules: true }),
      pullA,
      ownNone,
    )
      .get(`${R}/branches/main/protection`)
      .reply(200, {
        required_status_checks: {
          strict: false,
          contexts: ['ci'],
          checks: [{ context: 'ci', app_id: null }],
        },
        enforce_admins: { enabled: false },
        required_linear_history: { enabled: false },
      })
      .get(`${R}/rules/branches/main`)
      .query({ per_page: 100 })
      .reply(200, [
        {
          type: 'required_status_checks',
          ruleset_id: 3,
          parameters: {
            required_status_checks: [{ context: 'lint' }],
            strict_required_status_checks_policy: false,
          },
        },
      ])
      .get(`${R}/rulesets/3`)
      .reply(200, {
        id: 3,
        name: 'Lint main',
        current_user_can_bypass: 'never',
        source: 'acme/widgets',
        enforcement: 'active',
      })
      .post(`${R}/check-runs`, (b) => writes.push(b) > 0)
      .times(2)
      .reply(201, { id: 40 });
    await app.probot.receive({
      id: 'delivery-6',
      name: 'pull_request',
      payload: adapt(example('pull_request', 'ready_for_review')) as never,
    });
    await app.handle.idle();
    // ci passed but the ruleset's lint check never ran: the PR is ready in order, yet nothing merges.
    expect(writes.map((w) => `${w.name}: ${w.conclusion ?? w.status}`)).toEqual([
      'Task graph: success',
      'Merge order: success',
    ]);
    const summary = writes[0]?.output.summary ?? '';
    expect(summary).toContain(
      'Required checks on `main`: `ci` (branch protection of `main`), `lint` (ruleset "Lint main")',
    );
    expect(summary).toContain('Status commits are tested on `coordinator/staging`');
    expect(app.specErrors).toEqual([]);
  });

  it('without administration: read, reads required checks from the branch and says what it cannot see', async () => {
    const app = await testApp();
    const writes: { name: string; output: { summary: string } }[] = [];
    mockSnapshotReads(nock(API), { rules: true })
      .get(`${R}/branches/main/protection`)
      .reply(403, { message: 'Resource not accessible by integration' })
      .get(`${R}/branches/main`)
      .reply(200, {
        name: 'main',
        protected: true,
        protection: {
          enabled: true,
          required_status_checks: { contexts: ['ci'], checks: [{ context: 'ci', app_id: null }] },
        },
      })
      .get(`${R}/rules/branches/main`)
      .query({ per_page: 100 })
      .reply(200, [])
      .post(`${R}/check-runs`, (b) => writes.push(b) > 0)
      .reply(201, { id: 42 });
    await app.handle.poke({ ...repo, installationId: INSTALLATION_ID });
    await app.handle.idle();
    expect(writes[0]?.output.summary).toContain('grant it **Administration: read**');
    expect(writes[0]?.output.summary).toContain('`ci` (branch protection of `main`)');
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
