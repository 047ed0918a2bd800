/** nock set-ups shared by the integration tests: example payloads adapted to a task repo, and the reads of one reconcile. */
import { createRequire } from 'node:module';
import type nock from 'nock';
import { b64, INSTALLATION_ID } from './probot.js';

const require = createRequire(import.meta.url);
const examples = require('@octokit/webhooks-examples') as {
  name: string;
  examples: Record<string, unknown>[];
}[];
export const example = (name: string, action?: string) => {
  const found = examples
    .find((e) => e.name === name)
    ?.examples.find((x) => x.installation && (action === undefined || x.action === action));
  if (!found) throw new Error(`no ${name} example with an installation`);
  return structuredClone(found) as Record<string, unknown>;
};

export const repo = { owner: 'acme', repo: 'widgets' };
export const R = `/repos/${repo.owner}/${repo.repo}`;
export const BASE = 'a'.repeat(40);
export const HEAD = 'c'.repeat(40);
export const MERGED = 'd'.repeat(40);
export const TASK_A =
  '---\nid: a\nname: Task A\nstatus: pending\n---\n\n## Summary\n\n> To be filled on completion\n';
export const TASK_B = '---\nid: b\nname: Task B\nstatus: pending\ndepends_on:\n  - a\n---\n';

/** Adapts an example payload to the task repo and this installation. */
export function adapt(payload: Record<string, unknown>, extra: Record<string, unknown> = {}) {
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
export function mockSnapshotReads(
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
    /** The test mocks the branch rules itself (default: no protection, no rulesets). */
    rules?: boolean;
    /** The base's recent commits as `GET /commits` lists them (default: none with batch trailers). */
    history?: unknown[];
  } = {},
) {
  if (!options.warm) mockColdStart(api).get('/app').reply(200, { id: 1, slug: 'taskgraph-coordinator' });
  if (!options.rules) mockNoRules(api);
  mockBaseReads(api, options.config)
    .get(`${R}/git/matching-refs/heads%2Ffeat%2F`)
    .query({ per_page: 100 })
    .reply(200, options.branches ?? [])
    .get(`${R}/pulls`)
    .query({ state: 'open', base: 'main', per_page: 100 })
    .reply(200, options.pulls ?? [])
    .get(`${R}/pulls`)
    .query({ state: 'closed', base: 'main', sort: 'updated', direction: 'desc', per_page: 30 })
    .reply(200, [])
    .get(`${R}/commits/${BASE}/check-runs`)
    .query({ app_id: 1, per_page: 100 })
    .reply(200, () => ({ total_count: 0, check_runs: options.baseChecks?.() ?? [] }))
    .get(`${R}/commits`)
    .query({ sha: BASE, per_page: 100 })
    .reply(200, options.history ?? []);
  const staging = options.staging;
  const appBranches = staging
    ? [{ ref: 'refs/heads/coordinator/staging', object: { sha: staging.sha, type: 'commit' } }]
    : [];
  api.get(`${R}/git/matching-refs/heads%2Fcoordinator%2F`).reply(200, appBranches);
  if (!staging) return api;
  return api
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

/** An unprotected base branch: no classic protection, no rulesets. */
export function mockNoRules(api: nock.Scope) {
  return api
    .get(`${R}/branches/main/protection`)
    .reply(404, { message: 'Branch not protected' })
    .get(`${R}/rules/branches/main`)
    .query({ per_page: 100 })
    .reply(200, []);
}

/** The per-PR reads of one reconcile; `own` answers the app's check runs on the head; files are read once per head. */
export function mockPullReads(
  api: nock.Scope,
  pull: { number: number; head: { sha: string } },
  own: () => unknown[],
  options: { filesCached?: boolean } = {},
) {
  const head = pull.head.sha;
  if (!options.filesCached)
    api
      .get(`${R}/pulls/${pull.number}/files`)
      .query({ per_page: 100 })
      .reply(200, [{ filename: 'src/a.ts', status: 'added', sha: '4'.repeat(40) }])
      // A head new to the app: its parents are read once, for runs it left on a replaced head.
      .get(`${R}/git/commits/${head}`)
      .reply(200, {
        sha: head,
        parents: [{ sha: BASE }],
        message: 'work',
        committer: { date: '2026-06-02T10:00:00Z' },
      });
  return api
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
export function asListed(body: Record<string, unknown>, id: number) {
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

/** The installation token a fresh app asks for before its first request. */
export function mockToken(api: nock.Scope) {
  return api
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
    .reply(201, { token: 'ghs_test', expires_at: '2099-01-01T00:00:00Z' });
}

/** What the first request of a fresh app costs: the installation token, and the two task blobs. */
export function mockColdStart(api: nock.Scope) {
  return mockToken(api)
    .get(`${R}/git/blobs/${'2'.repeat(40)}`)
    .reply(200, { content: b64(TASK_A), encoding: 'base64' })
    .get(`${R}/git/blobs/${'3'.repeat(40)}`)
    .reply(200, { content: b64(TASK_B), encoding: 'base64' });
}

/** The reads of the base state alone (config, repo, base ref, tree), as comment commands do; blobs cached or mocked elsewhere. */
export function mockBaseReads(api: nock.Scope, config = 'merge:\n  required_checks: [ci]\n') {
  mockDashboard(api);
  return api
    .get(`${R}/contents/.github%2Fcoordinator.yml`)
    .reply(200, config, { 'content-type': 'text/plain; charset=utf-8' })
    .get(R)
    .reply(200, { default_branch: 'main', html_url: 'https://github.com/acme/widgets' })
    .get(`${R}/git/ref/heads%2Fmain`)
    .reply(200, { object: { sha: BASE } })
    .get(`${R}/git/trees/${BASE}`)
    .query({ recursive: 'true' })
    .reply(200, {
      tree: [
        { path: 'README.md', type: 'blob', sha: '1'.repeat(40) },
        { path: 'tasks/a.md', type: 'blob', sha: '2'.repeat(40) },
        { path: 'tasks/sub/b.md', type: 'blob', sha: '3'.repeat(40) },
      ],
    });
}

/**
 * The dashboard issue (`dashboard.enabled`, on by default): its list, create and edit answered for
 * any repository, optionally (tests about other behaviour need not account for it; its own tests
 * are in test/unit/adapters/dashboard-issue.test.ts).
 */
export function mockDashboard(api: nock.Scope): nock.Scope {
  return api
    .get(/\/repos\/[^/]+\/[^/]+\/issues\?/)
    .optionally()
    .reply(200, [])
    .post(/\/repos\/[^/]+\/[^/]+\/issues$/)
    .optionally()
    .reply(201, { number: 900 })
    .patch(/\/repos\/[^/]+\/[^/]+\/issues\/\d+$/)
    .optionally()
    .reply(200, { number: 900 });
}
