/**
 * The GitHub stand-in itself: its routes exist in GitHub's OpenAPI description, its webhook payloads
 * validate against @octokit/webhooks-schemas and are signed like GitHub's, and its git-backed
 * behaviour follows GitHub's status codes (compare-and-swap refs, merge conflicts, merged PRs).
 */
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Hub, type HubEvent } from '../../sim/hub.js';
import { ROUTES } from '../../sim/routes.js';
import { StandInServer } from '../../sim/server.js';
import { payloadOf, sign } from '../../sim/webhooks.js';

const require = createRequire(import.meta.url);
const spec = require('@octokit/openapi/generated/api.github.com.deref.json') as {
  paths: Record<string, Record<string, unknown>>;
};
const schema = require('@octokit/webhooks-schemas') as { definitions: Record<string, unknown> };

async function seeded() {
  const hub = new Hub({ webUrl: 'https://github.com' });
  const repo = await hub.createRepo(mkdtempSync(path.join(tmpdir(), 'stand-in-')), 'acme', 'widgets');
  const blob = await repo.git.writeBlob('line 1\n');
  const tree = await repo.git.createTree(null, [{ path: 'shared.txt', mode: '100644', sha: blob }]);
  const root = await repo.git.commitTree({ tree, parents: [], message: 'Initial commit' });
  await repo.git.updateRef('refs/heads/main', root, null);
  const branch = async (name: string, text: string) => {
    const b = await repo.git.writeBlob(text);
    const t = await repo.git.createTree(root, [{ path: 'shared.txt', mode: '100644', sha: b }]);
    const sha = await repo.git.commitTree({ tree: t, parents: [root], message: name });
    await repo.git.updateRef(`refs/heads/${name}`, sha, null);
    return sha;
  };
  return { hub, repo, root, branch };
}

describe('the stand-in API', () => {
  it.each(ROUTES.map((r) => [r.method, r.template] as const))(
    '%s %s is a GitHub REST route',
    (method, template) => {
      expect(spec.paths[template]?.[method.toLowerCase()]).toBeDefined();
    },
  );
});

describe('stand-in webhooks', () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(schema, 'webhooks');
  const validate = (definition: string, payload: unknown) => {
    const check = ajv.getSchema(`webhooks#/definitions/${definition}`);
    if (!check) throw new Error(`no schema ${definition}`);
    return check(payload) ? [] : (check.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };

  it('sends payloads that validate against @octokit/webhooks-schemas', async () => {
    const { hub, repo, root, branch } = await seeded();
    // Payloads are built when the event happens, as the webhook sender does.
    const built: NonNullable<ReturnType<typeof payloadOf>>[] = [];
    hub.on('event', (e: HubEvent) => {
      const payload = payloadOf(hub, e);
      if (payload) built.push(payload);
    });
    const head = await branch('feat/a', 'line 1\nline 2\n');
    const pull = await hub.openPull(repo, {
      head: 'feat/a',
      base: 'main',
      title: 'A',
      body: '',
      draft: true,
      user: { login: 'agent', type: 'User' },
    });
    hub.markReady(repo, pull, { login: 'agent', type: 'User' });
    hub.setLabels(repo, pull, ['coordinator: merge'], [], hub.appActor);
    hub.setLabels(repo, pull, [], ['coordinator: merge'], hub.appActor);
    hub.addComment(repo, pull.number, '/coordinator status', { login: 'ana', type: 'User' });
    hub.addComment(repo, pull.number, 'done', hub.appActor);
    const run = hub.createCheckRun(
      repo,
      { name: 'ci', headSha: head, appId: 99 },
      { login: 'ci[bot]', type: 'Bot' },
    );
    hub.updateCheckRun(repo, run, { conclusion: 'success' }, { login: 'ci[bot]', type: 'Bot' });
    await hub.moveBranch(repo, 'main', head, root, hub.appActor); // makes the PR merged

    const seen = new Set<string>();
    for (const { name, payload } of built) {
      const definition = name === 'push' ? 'push$event' : `${name}$${String(payload.action)}`;
      seen.add(definition);
      expect(validate(definition, payload), definition).toEqual([]);
    }
    expect([...seen].sort()).toEqual([
      'check_run$completed',
      'issue_comment$created',
      'pull_request$closed',
      'pull_request$labeled',
      'pull_request$opened',
      'pull_request$ready_for_review',
      'pull_request$unlabeled',
      'push$event',
    ]);
  });

  it('signs like GitHub (the documented test vector)', () => {
    expect(sign("It's a Secret to Everybody", 'Hello, World!')).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });
});

describe('the stand-in over HTTP', () => {
  let server: StandInServer;
  let base: string;
  let ctx: Awaited<ReturnType<typeof seeded>>;
  const call = async (method: string, url: string, body?: unknown) => {
    const response = await fetch(`${base}${url}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: 'token x' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };

  beforeEach(async () => {
    ctx = await seeded();
    server = new StandInServer(ctx.hub);
    base = `http://${await server.listen()}/api/v3`;
  });
  afterEach(() => server.close());

  it('updates refs with compare-and-swap: 422 "Update is not a fast forward" unless forced', async () => {
    const a = await ctx.branch('feat/a', 'a\n');
    const b = await ctx.branch('feat/b', 'b\n');
    expect(
      (await call('PATCH', '/repos/acme/widgets/git/refs/heads%2Ffeat%2Fa', { sha: b, force: false })).body,
    ).toEqual({
      message: 'Update is not a fast forward',
    });
    expect(
      (await call('PATCH', '/repos/acme/widgets/git/refs/heads%2Fmain', { sha: a, force: false })).status,
    ).toBe(200);
    expect(
      (await call('PATCH', '/repos/acme/widgets/git/refs/heads%2Ffeat%2Fa', { sha: b, force: true })).status,
    ).toBe(200);
    expect((await call('GET', '/repos/acme/widgets/git/ref/heads%2Ffeat%2Fa')).body.object.sha).toBe(b);
  });

  it('merges server-side: 201, 204 when already merged, 409 on a real conflict', async () => {
    const a = await ctx.branch('feat/a', 'line 1\nfrom a\n');
    await ctx.branch('feat/b', 'line 1\nfrom b\n');
    const first = await call('POST', '/repos/acme/widgets/merges', {
      base: 'main',
      head: a,
      commit_message: 'Merge a',
    });
    expect(first.status).toBe(201);
    expect(first.body.parents.map((p: { sha: string }) => p.sha)).toEqual([ctx.root, a]);
    // GitHub answers with the merge commit in the REST "Commit" shape: the git data under `commit`.
    const tree = await call('GET', `/repos/acme/widgets/git/commits/${first.body.sha}`);
    expect(first.body.commit).toMatchObject({ message: 'Merge a', tree: { sha: tree.body.tree.sha } });
    expect((await call('POST', '/repos/acme/widgets/merges', { base: 'main', head: 'feat/a' })).status).toBe(
      204,
    );
    expect((await call('POST', '/repos/acme/widgets/merges', { base: 'main', head: 'feat/b' })).status).toBe(
      409,
    );
  });

  it('marks a PR merged when its head reaches the base, and reports mergeable_state from git', async () => {
    const a = await ctx.branch('feat/a', 'line 1\nfrom a\n');
    await ctx.branch('feat/b', 'line 1\nfrom b\n');
    const pa = await call('POST', '/repos/acme/widgets/pulls', { head: 'feat/a', base: 'main', title: 'A' });
    const pb = await call('POST', '/repos/acme/widgets/pulls', { head: 'feat/b', base: 'main', title: 'B' });
    expect(pa.status).toBe(201);
    expect(
      (await call('POST', '/repos/acme/widgets/pulls', { head: 'feat/a', base: 'main', title: 'A' })).status,
    ).toBe(422);
    expect((await call('GET', `/repos/acme/widgets/pulls/${pb.body.number}`)).body.mergeable_state).toBe(
      'clean',
    );
    await call('PATCH', '/repos/acme/widgets/git/refs/heads%2Fmain', { sha: a, force: false });
    const merged = await call('GET', `/repos/acme/widgets/pulls/${pa.body.number}`);
    expect(merged.body).toMatchObject({ state: 'closed', merged: true, merge_commit_sha: a });
    expect((await call('GET', `/repos/acme/widgets/pulls/${pb.body.number}`)).body.mergeable_state).toBe(
      'dirty',
    );
    const files = await call('GET', `/repos/acme/widgets/pulls/${pb.body.number}/files`);
    expect(files.body.map((f: { filename: string }) => f.filename)).toEqual(['shared.txt']);
  });

  it('keeps commit statuses: the latest per context decides the combined state', async () => {
    const a = await ctx.branch('feat/a', 'a\n');
    expect((await call('GET', `/repos/acme/widgets/commits/${a}/status`)).body).toMatchObject({
      state: 'pending',
      total_count: 0,
    });
    await call('POST', `/repos/acme/widgets/statuses/${a}`, { state: 'failure', context: 'lint' });
    await call('POST', `/repos/acme/widgets/statuses/${a}`, { state: 'success', context: 'ci' });
    expect((await call('GET', `/repos/acme/widgets/commits/${a}/status`)).body.state).toBe('failure');
    await call('POST', `/repos/acme/widgets/statuses/${a}`, { state: 'success', context: 'lint' });
    const combined = (await call('GET', `/repos/acme/widgets/commits/${a}/status`)).body;
    expect(combined).toMatchObject({ state: 'success', total_count: 2 });
    expect((await call('POST', `/repos/acme/widgets/statuses/${a}`, { state: 'green' })).status).toBe(422);
  });

  it('answers 304 to a GET whose If-None-Match names the current ETag', async () => {
    const first = await fetch(`${base}/repos/acme/widgets`);
    const etag = first.headers.get('etag') as string;
    expect(etag).toMatch(/^W\/"[0-9a-f]{40}"$/);
    expect((await fetch(`${base}/repos/acme/widgets`, { headers: { 'if-none-match': etag } })).status).toBe(
      304,
    );
    expect(
      (await fetch(`${base}/repos/acme/widgets`, { headers: { 'if-none-match': 'W/"old"' } })).status,
    ).toBe(200);
  });

  it('injects 502s and secondary rate limits with retry-after, and logs requests by route', async () => {
    server.faults.errorRate = 1;
    expect((await call('GET', '/repos/acme/widgets')).status).toBe(502);
    server.faults.errorRate = 0;
    server.faults.rateLimitRate = 1;
    const limited = await fetch(`${base}/repos/acme/widgets`);
    expect(limited.status).toBe(403);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(server.log.map((l) => `${l.method} ${l.route} ${l.status}`)).toEqual([
      'GET /repos/{owner}/{repo} 502',
      'GET /repos/{owner}/{repo} 403',
    ]);
  });
});
