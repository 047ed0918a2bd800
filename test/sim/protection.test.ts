/**
 * The stand-in enforces GitHub's rules over HTTP, as the app will meet them on a real repository:
 * protection and rulesets set through their REST routes by an admin, refusals on ref updates,
 * merges, contents writes and PR merges with GitHub's status codes and words, reviews, forks, and
 * the `workflows` permission of apps.
 */
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Hub, type HubEvent } from '../../sim/hub.js';
import { StandInServer, USER_TOKEN_PREFIX } from '../../sim/server.js';
import { payloadOf } from '../../sim/webhooks.js';

const require = createRequire(import.meta.url);
const schema = require('@octokit/webhooks-schemas') as { definitions: Record<string, unknown> };

const CI = { login: 'ci[bot]', type: 'Bot' as const, appId: 99 };
const AGENT = { login: 'agent', type: 'User' as const };
const MAINTAINER = { login: 'maintainer', type: 'User' as const };

async function seeded() {
  const root = mkdtempSync(path.join(tmpdir(), 'stand-in-rules-'));
  const hub = new Hub({ webUrl: 'https://github.com' });
  const repo = await hub.createRepo(root, 'acme', 'widgets');
  repo.collaborators.set('maintainer', 'maintain');
  const blob = await repo.git.writeBlob('line 1\n');
  const tree = await repo.git.createTree(null, [{ path: 'shared.txt', mode: '100644', sha: blob }]);
  const main = await repo.git.commitTree({ tree, parents: [], message: 'Initial commit' });
  await repo.git.updateRef('refs/heads/main', main, null);
  /** A commit on top of main changing `file`, on branch `name` of `where` (default: the repo). */
  const branch = async (name: string, file: string, text: string, where = repo) => {
    const b = await where.git.writeBlob(text);
    const t = await where.git.createTree(main, [{ path: file, mode: '100644', sha: b }]);
    const sha = await where.git.commitTree({ tree: t, parents: [main], message: name });
    await where.git.updateRef(`refs/heads/${name}`, sha, null);
    return sha;
  };
  return { root, hub, repo, main, branch };
}

describe('GitHub rules in the stand-in, over HTTP', () => {
  let server: StandInServer;
  let base: string;
  let ctx: Awaited<ReturnType<typeof seeded>>;
  const call = async (method: string, url: string, body?: unknown, as?: string) => {
    const response = await fetch(`${base}${url}`, {
      method,
      headers: {
        'content-type': 'application/json',
        authorization: `token ${as ? `${USER_TOKEN_PREFIX}${as}` : 'ghs_app'}`,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  const protect = (body: Record<string, unknown>) =>
    call(
      'PUT',
      '/repos/acme/widgets/branches/main/protection',
      {
        required_status_checks: null,
        enforce_admins: null,
        required_pull_request_reviews: null,
        restrictions: null,
        ...body,
      },
      'acme',
    );

  beforeEach(async () => {
    ctx = await seeded();
    server = new StandInServer(ctx.hub);
    base = `http://${await server.listen()}/api/v3`;
  });
  afterEach(() => server.close());

  it('lets only an admin set protection; the app reads it with administration: read', async () => {
    const body = {
      required_status_checks: { strict: false, contexts: ['ci'] },
      enforce_admins: false,
      required_pull_request_reviews: null,
      restrictions: null,
    };
    expect((await call('PUT', '/repos/acme/widgets/branches/main/protection', body)).status).toBe(403);
    expect(
      (await call('PUT', '/repos/acme/widgets/branches/main/protection', body, 'maintainer')).status,
    ).toBe(403);
    const put = await call('PUT', '/repos/acme/widgets/branches/main/protection', body, 'acme');
    expect(put.status).toBe(200);
    expect(put.body.required_status_checks).toMatchObject({ strict: false, contexts: ['ci'] });
    expect(
      (await call('GET', '/repos/acme/widgets/branches/main/protection')).body.required_status_checks
        .contexts,
    ).toEqual(['ci']);
    const branch = (await call('GET', '/repos/acme/widgets/branches/main')).body;
    expect(branch).toMatchObject({
      protected: true,
      protection: { enabled: true, required_status_checks: { contexts: ['ci'] } },
    });
    ctx.hub.app.permissions.administration = undefined as never;
    delete ctx.hub.app.permissions.administration;
    expect(await call('GET', '/repos/acme/widgets/branches/main/protection')).toEqual({
      status: 403,
      body: { message: 'Resource not accessible by integration' },
    });
  });

  it('refuses a ref update to a head without the required checks, then accepts it once they pass', async () => {
    await protect({
      required_status_checks: {
        strict: false,
        contexts: [],
        checks: [{ context: 'ci' }, { context: 'Merge order', app_id: 1 }],
      },
    });
    const head = await ctx.branch('coordinator/staging', 'a.txt', 'a\n');
    const update = () =>
      call('PATCH', '/repos/acme/widgets/git/refs/heads%2Fmain', { sha: head, force: false });
    expect(await update()).toEqual({
      status: 422,
      body: {
        message:
          'Protected branch update failed for refs/heads/main.\n\n2 of 2 required status checks are expected.',
      },
    });
    ctx.hub.updateCheckRun(
      ctx.repo,
      ctx.hub.createCheckRun(ctx.repo, { name: 'ci', headSha: head, appId: 99 }, CI),
      { conclusion: 'success' },
      CI,
    );
    // "Merge order" must come from app 1; another app's run does not count.
    ctx.hub.createCheckRun(
      ctx.repo,
      { name: 'Merge order', headSha: head, conclusion: 'success', appId: 99 },
      CI,
    );
    expect((await update()).body.message).toContain('1 of 2 required status checks are expected.');
    expect(
      (
        await call('POST', '/repos/acme/widgets/check-runs', {
          name: 'Merge order',
          head_sha: head,
          status: 'completed',
          conclusion: 'success',
        })
      ).status,
    ).toBe(201);
    expect((await update()).status).toBe(200);
    expect(ctx.repo.refLog.map((e) => `${e.branch} ${e.sha?.slice(0, 7)} ${e.actor}`)).toContain(
      `main ${head.slice(0, 7)} taskgraph-coordinator[bot]`,
    );
  });

  it('refuses pushes without a PR unless the app may bypass, and merges a PR only with its approvals', async () => {
    await protect({
      required_pull_request_reviews: { required_approving_review_count: 1, dismiss_stale_reviews: true },
    });
    const head = await ctx.branch('feat/a', 'a.txt', 'a\n');
    expect((await call('POST', '/repos/acme/widgets/merges', { base: 'main', head })).body.message).toBe(
      'Protected branch update failed for refs/heads/main.\n\nChanges must be made through a pull request.',
    );
    const pull = await ctx.hub.openPull(ctx.repo, {
      head: 'feat/a',
      base: 'main',
      title: 'A',
      body: '',
      draft: false,
      user: AGENT,
    });
    const merge = () => call('PUT', `/repos/acme/widgets/pulls/${pull.number}/merge`, { sha: pull.headSha });
    expect(await merge()).toEqual({
      status: 405,
      body: { message: 'At least 1 approving review is required by reviewers with write access.' },
    });
    // The author cannot approve; a stranger's approval does not count; the maintainer's does.
    expect(
      (await call('POST', `/repos/acme/widgets/pulls/${pull.number}/reviews`, { event: 'APPROVE' }, 'agent'))
        .status,
    ).toBe(422);
    await call('POST', `/repos/acme/widgets/pulls/${pull.number}/reviews`, { event: 'APPROVE' }, 'stranger');
    expect((await merge()).status).toBe(405);
    const review = await call(
      'POST',
      `/repos/acme/widgets/pulls/${pull.number}/reviews`,
      { event: 'APPROVE', body: 'lgtm' },
      'maintainer',
    );
    expect(review.body).toMatchObject({
      state: 'APPROVED',
      commit_id: pull.headSha,
      user: { login: 'maintainer' },
    });
    // A push dismisses the stale approval.
    const b = await ctx.repo.git.writeBlob('a2\n');
    const t = await ctx.repo.git.createTree(pull.headSha, [{ path: 'a.txt', mode: '100644', sha: b }]);
    const next = await ctx.repo.git.commitTree({ tree: t, parents: [pull.headSha], message: 'more' });
    await ctx.hub.moveBranch(ctx.repo, 'feat/a', next, pull.headSha, AGENT);
    const states = (await call('GET', `/repos/acme/widgets/pulls/${pull.number}/reviews`)).body.map(
      (r: { state: string }) => r.state,
    );
    expect(states).toEqual(['DISMISSED', 'DISMISSED']); // the stranger's and the maintainer's
    expect((await call('PUT', `/repos/acme/widgets/pulls/${pull.number}/merge`, { sha: next })).status).toBe(
      405,
    );
    await call(
      'POST',
      `/repos/acme/widgets/pulls/${pull.number}/reviews`,
      { event: 'APPROVE' },
      'maintainer',
    );
    expect((await call('PUT', `/repos/acme/widgets/pulls/${pull.number}/merge`, { sha: next })).status).toBe(
      200,
    );
    expect(pull).toMatchObject({ state: 'closed' });
    expect(pull.mergedAt).not.toBeNull();
    // With the app in the bypass allowances, a push without a PR is accepted.
    await protect({
      required_pull_request_reviews: {
        required_approving_review_count: 1,
        bypass_pull_request_allowances: { apps: ['taskgraph-coordinator'] },
      },
    });
    const c = await ctx.branch('feat/c', 'c.txt', 'c\n');
    expect((await call('POST', '/repos/acme/widgets/merges', { base: 'main', head: c })).status).toBe(201);
  });

  it('enforces rulesets with bypass actors, and lists the rules in force on a branch', async () => {
    const body = {
      name: 'Protect main',
      target: 'branch',
      enforcement: 'active',
      conditions: { ref_name: { include: ['~DEFAULT_BRANCH'], exclude: [] } },
      rules: [
        {
          type: 'pull_request',
          parameters: {
            required_approving_review_count: 1,
            dismiss_stale_reviews_on_push: false,
            require_code_owner_review: false,
            require_last_push_approval: false,
            required_review_thread_resolution: false,
          },
        },
        {
          type: 'required_status_checks',
          parameters: {
            strict_required_status_checks_policy: false,
            required_status_checks: [{ context: 'ci' }],
          },
        },
        { type: 'non_fast_forward' },
      ],
    };
    expect((await call('POST', '/repos/acme/widgets/rulesets', body)).status).toBe(403);
    const created = await call('POST', '/repos/acme/widgets/rulesets', body, 'acme');
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Protect main',
      enforcement: 'active',
      source: 'acme/widgets',
    });
    const head = await ctx.branch('feat/a', 'a.txt', 'a\n');
    const refused = await call('POST', '/repos/acme/widgets/merges', { base: 'main', head });
    expect(refused).toEqual({
      status: 422,
      body: {
        message:
          'Repository rule violations found\n\nChanges must be made through a pull request.\n\nRequired status check "ci" is expected.\n',
      },
    });
    const rules = (await call('GET', '/repos/acme/widgets/rules/branches/main')).body;
    expect(rules.map((r: { type: string; ruleset_id: number }) => `${r.type} ${r.ruleset_id}`)).toEqual([
      `pull_request ${created.body.id}`,
      `required_status_checks ${created.body.id}`,
      `non_fast_forward ${created.body.id}`,
    ]);
    expect((await call('GET', '/repos/acme/widgets/rules/branches/coordinator%2Fstaging')).body).toEqual([]);
    expect(
      (await call('GET', `/repos/acme/widgets/rulesets/${created.body.id}`)).body.current_user_can_bypass,
    ).toBe('never');
    // A second ruleset naming the app as bypass actor does not lift the first one's rules.
    await call(
      'POST',
      '/repos/acme/widgets/rulesets',
      {
        ...body,
        name: 'Bypass',
        rules: [{ type: 'deletion' }],
        bypass_actors: [{ actor_id: 1, actor_type: 'Integration', bypass_mode: 'always' }],
      },
      'acme',
    );
    expect((await call('POST', '/repos/acme/widgets/merges', { base: 'main', head })).status).toBe(422);
    ctx.repo.rulesets[0] = {
      ...(ctx.repo.rulesets[0] as (typeof ctx.repo.rulesets)[number]),
      bypassActors: [{ actor_id: 1, actor_type: 'Integration', bypass_mode: 'always' }],
    };
    expect(
      (await call('GET', `/repos/acme/widgets/rulesets/${created.body.id}`)).body.current_user_can_bypass,
    ).toBe('always');
    expect((await call('POST', '/repos/acme/widgets/merges', { base: 'main', head })).status).toBe(201);
  });

  it('refuses an app without the workflows permission any change under .github/workflows/', async () => {
    delete ctx.hub.app.permissions.workflows;
    const head = await ctx.branch('feat/ci', '.github/workflows/ci.yml', 'on: push\n');
    const other = await ctx.branch('feat/docs', 'docs.md', 'docs\n');
    await call('POST', '/repos/acme/widgets/git/refs', {
      ref: 'refs/heads/coordinator/staging',
      sha: ctx.main,
    });
    expect(await call('POST', '/repos/acme/widgets/merges', { base: 'coordinator/staging', head })).toEqual({
      status: 403,
      body: {
        message:
          'refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission',
      },
    });
    expect(
      (await call('PATCH', '/repos/acme/widgets/git/refs/heads%2Fmain', { sha: head, force: false })).status,
    ).toBe(403);
    expect(
      (await call('POST', '/repos/acme/widgets/merges', { base: 'coordinator/staging', head: other })).status,
    ).toBe(201);
    // Pointing a branch back at an ancestor adds no commit: allowed.
    expect(
      (
        await call('PATCH', '/repos/acme/widgets/git/refs/heads%2Fcoordinator%2Fstaging', {
          sha: ctx.main,
          force: true,
        })
      ).status,
    ).toBe(200);
    ctx.hub.app.permissions.workflows = 'write';
    expect(
      (await call('POST', '/repos/acme/widgets/merges', { base: 'coordinator/staging', head })).status,
    ).toBe(201);
  });

  it('serves PRs from forks: head in another repository, commits fetched into the base', async () => {
    const fork = await ctx.hub.createRepo(ctx.root, 'outsider', 'widgets', ctx.repo);
    const head = await ctx.branch('feat/a', 'a.txt', 'from a fork\n', fork);
    const pull = await ctx.hub.openPull(ctx.repo, {
      head: 'feat/a',
      base: 'main',
      title: 'A',
      body: 'Task: a',
      draft: false,
      user: { login: 'outsider', type: 'User' },
      headRepo: fork,
    });
    const json = (await call('GET', `/repos/acme/widgets/pulls/${pull.number}`)).body;
    expect(json.head).toMatchObject({
      ref: 'feat/a',
      sha: head,
      label: 'outsider:feat/a',
      repo: { full_name: 'outsider/widgets', fork: true },
    });
    expect(json.base.repo.full_name).toBe('acme/widgets');
    expect(await ctx.repo.git.ref(`refs/pull/${pull.number}/head`)).toBe(head);
    expect(await ctx.repo.git.ref('refs/heads/feat/a')).toBeNull();
    // A push to the fork synchronizes the PR.
    const events: HubEvent[] = [];
    ctx.hub.on('event', (e) => events.push(e));
    const b = await fork.git.writeBlob('fixed\n');
    const t = await fork.git.createTree(head, [{ path: 'a.txt', mode: '100644', sha: b }]);
    const next = await fork.git.commitTree({ tree: t, parents: [head], message: 'fix' });
    await ctx.hub.moveBranch(fork, 'feat/a', next, head, { login: 'outsider', type: 'User' });
    expect(pull.headSha).toBe(next);
    expect(events.some((e) => e.kind === 'pull_request' && e.action === 'synchronize')).toBe(true);
    expect((await call('POST', '/repos/acme/widgets/merges', { base: 'main', head: next })).status).toBe(201);
  });

  it('protects contents writes like pushes: 409 "Could not update file"', async () => {
    await protect({ required_status_checks: { strict: false, contexts: ['ci'] } });
    const write = await call('PUT', '/repos/acme/widgets/contents/notes.md', {
      message: 'notes',
      content: Buffer.from('x').toString('base64'),
      branch: 'main',
    });
    expect(write).toEqual({
      status: 409,
      body: {
        message:
          'Could not update file: Protected branch update failed for refs/heads/main.\n\nRequired status check "ci" is expected.',
      },
    });
    const unprotected = await call('PUT', '/repos/acme/widgets/contents/notes.md', {
      message: 'notes',
      content: Buffer.from('x').toString('base64'),
      branch: 'feat/x',
    });
    expect(unprotected.status).toBe(404);
  });

  it('sends pull_request_review and check_run.rerequested payloads that validate against the schemas', async () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema(schema, 'webhooks');
    const built: NonNullable<ReturnType<typeof payloadOf>>[] = [];
    ctx.hub.on('event', (e: HubEvent) => {
      const payload = payloadOf(ctx.hub, e);
      if (payload) built.push(payload);
    });
    const head = await ctx.branch('feat/a', 'a.txt', 'a\n');
    const pull = await ctx.hub.openPull(ctx.repo, {
      head: 'feat/a',
      base: 'main',
      title: 'A',
      body: '',
      draft: false,
      user: AGENT,
    });
    ctx.hub.submitReview(ctx.repo, pull, { event: 'APPROVE' }, MAINTAINER);
    const run = ctx.hub.createCheckRun(
      ctx.repo,
      { name: 'Merge queue', headSha: head, conclusion: 'failure', appId: 1 },
      ctx.hub.appActor,
    );
    ctx.hub.rerequestCheckRun(ctx.repo, run, MAINTAINER);
    const issue = ctx.hub.openIssue(ctx.repo, { title: 'Dashboard', body: '- [ ] x' }, ctx.hub.appActor);
    ctx.hub.editIssue(ctx.repo, issue, { body: '- [x] x' }, MAINTAINER);
    const checked = new Set<string>();
    for (const { name, payload } of built) {
      const definition = `${name}$${String(payload.action)}`;
      if (
        ![
          'pull_request_review$submitted',
          'check_run$rerequested',
          'issues$opened',
          'issues$edited',
        ].includes(definition)
      )
        continue;
      checked.add(definition);
      const validate = ajv.getSchema(`webhooks#/definitions/${definition}`);
      expect(validate?.(payload) ? [] : validate?.errors, definition).toEqual([]);
    }
    expect([...checked].sort()).toEqual([
      'check_run$rerequested',
      'issues$edited',
      'issues$opened',
      'pull_request_review$submitted',
    ]);
  });
});
