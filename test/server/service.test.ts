/**
 * The built server (`node dist/server/main.js`, what `npm start` and the image run) as an operator
 * sees it, against a small fake GitHub on 127.0.0.1 that holds the reconcile's first read until the
 * test lets it go: `/healthz`, `/readyz`, `/metrics` after a reconcile (parsed as Prometheus text),
 * and SIGTERM during a reconcile (webhooks answer 503, the reconcile finishes, exit 0).
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../sim/app-process.js';
import { fakeGitHub, privateKey, push, SECRET, start, until } from '../helpers/service.js';

type Family = {
  name: string;
  metrics: { value?: string; labels?: Record<string, string>; buckets?: unknown }[];
};

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

describe('the server as a service', () => {
  it('serves health, readiness and metrics, and on SIGTERM finishes the running reconcile and exits 0', async () => {
    const github = await fakeGitHub();
    const port = await freePort();
    const app = start({
      APP_ID: '1',
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      GHE_HOST: `127.0.0.1:${github.port}`,
      GHE_PROTOCOL: 'http',
      HOST: '127.0.0.1',
      PORT: String(port),
      RESYNC_INTERVAL_MS: '600000',
      GITHUB_WRITE_INTERVAL_MS: '0',
      GITHUB_RETRY_BASE_MS: '0',
      SHUTDOWN_TIMEOUT_MS: '20000',
    });
    cleanups.push(() => {
      app.child.kill('SIGKILL');
      github.server.close();
    });
    const base = `http://127.0.0.1:${port}`;
    await until(async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined), 'the server');

    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { github_app_jwt: 'ok' } });

    // A reconcile starts and blocks on its first read.
    expect((await push(port, 'd-1')).status).toBe(200);
    await github.firstRead;
    const signalledAt = Date.now();
    app.child.kill('SIGTERM');
    // Shutting down: a new delivery and readiness answer 503 at once, health still 200.
    const refused = await until(async () => {
      const answer = await push(port, 'd-2');
      return answer.status === 503 ? answer : undefined;
    }, 'webhooks to be refused');
    expect(await refused.json()).toEqual({ error: 'shutting down' });
    expect((await fetch(`${base}/readyz`)).status).toBe(503);
    // The metrics are still served while draining; the reconcile has not finished yet.
    const during = parsePrometheusTextFormat(await (await fetch(`${base}/metrics`)).text()) as Family[];
    expect(during.find((f) => f.name === 'coordinator_queue_depth')?.metrics[0]?.value).toBe('1');
    expect(app.child.exitCode).toBeNull();

    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(app.child.exitCode).toBeNull();
    github.release();
    const code = await app.exited;
    expect(code).toBe(0);
    // The reconcile went on after the signal (its later reads reached GitHub), then the process stopped.
    const after = github.seen.filter((r) => r.at > signalledAt && r.line.startsWith('GET /repos/acme/'));
    expect(after.length).toBeGreaterThan(0);
    const lines = app.log
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg?: string; outcome?: string });
    const finished = lines.findIndex((l) => l.msg === 'reconcile failed' || typeof l.outcome === 'string');
    const stopped = lines.findIndex((l) => l.msg === 'stopped');
    expect(finished).toBeGreaterThan(-1);
    expect(stopped).toBeGreaterThan(finished);
  }, 60_000);

  it('exposes every named series after a reconcile, in Prometheus text', async () => {
    const github = await fakeGitHub();
    github.release();
    const port = await freePort();
    const app = start({
      APP_ID: '1',
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: SECRET,
      GHE_HOST: `127.0.0.1:${github.port}`,
      GHE_PROTOCOL: 'http',
      HOST: '127.0.0.1',
      PORT: String(port),
      RESYNC_INTERVAL_MS: '600000',
      GITHUB_WRITE_INTERVAL_MS: '0',
      GITHUB_RETRY_BASE_MS: '0',
      METRICS_TOKEN: 'scrape-me',
    });
    cleanups.push(() => {
      app.child.kill('SIGKILL');
      github.server.close();
    });
    const base = `http://127.0.0.1:${port}`;
    await until(async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined), 'the server');
    expect((await push(port, 'd-1')).status).toBe(200);
    const scrape = async () =>
      parsePrometheusTextFormat(
        await (await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer scrape-me' } })).text(),
      ) as Family[];
    const families = await until(async () => {
      const parsed = await scrape();
      return parsed.some((f) => f.name === 'coordinator_reconciles_total' && f.metrics.length > 0)
        ? parsed
        : undefined;
    }, 'a counted reconcile');
    const family = (name: string) => families.find((f) => f.name === name);
    for (const name of [
      'coordinator_reconciles_total',
      'coordinator_reconcile_duration_seconds',
      'coordinator_queue_depth',
      'coordinator_merges_total',
      'coordinator_batches_total',
      'coordinator_github_requests_total',
      'coordinator_github_rate_limit_remaining',
      'coordinator_outbox_pending',
      'coordinator_outbox_oldest_age_seconds',
      'coordinator_outbox_dead_total',
      'coordinator_webhooks_total',
      'process_cpu_seconds_total',
      'nodejs_heap_size_used_bytes',
    ])
      expect(family(name), name).toBeDefined();
    // The reconcile's GitHub repository read answered 404: counted as an error with its status.
    expect(family('coordinator_reconciles_total')?.metrics).toEqual([
      expect.objectContaining({ labels: { outcome: 'error' }, value: '1' }),
    ]);
    expect(family('coordinator_github_requests_total')?.metrics).toContainEqual(
      expect.objectContaining({ labels: { method: 'GET', status: '404' } }),
    );
    expect(family('coordinator_github_rate_limit_remaining')?.metrics).toContainEqual({
      labels: { installation: '2' },
      value: '4321',
    });
    expect(family('coordinator_webhooks_total')?.metrics).toEqual([
      { labels: { event: 'push' }, value: '1' },
    ]);
    // A redelivery (same X-GitHub-Delivery) is recorded once in the store: answered, not handled again.
    const again = await push(port, 'd-1');
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ ok: true, note: 'already received' });
    const after = await scrape();
    expect(after.find((f) => f.name === 'coordinator_webhooks_total')?.metrics).toEqual([
      { labels: { event: 'push' }, value: '1' },
    ]);
    // No PR numbers, SHAs or repository names in any label.
    for (const f of families.filter((x) => x.name.startsWith('coordinator_')))
      for (const m of f.metrics)
        expect(JSON.stringify(m.labels ?? {})).not.toMatch(/widgets|acme|[0-9a-f]{40}/);
    // Without the token the metrics are refused.
    expect((await fetch(`${base}/metrics`)).status).toBe(401);
  }, 60_000);

  it('is not ready, with the reason, when the private key cannot sign a JWT', async () => {
    const port = await freePort();
    const app = start({
      APP_ID: '1',
      PRIVATE_KEY: '-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----',
      WEBHOOK_SECRET: SECRET,
      HOST: '127.0.0.1',
      PORT: String(port),
    });
    cleanups.push(() => app.child.kill('SIGKILL'));
    const base = `http://127.0.0.1:${port}`;
    await until(async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined), 'the server');
    const answer = await fetch(`${base}/readyz`);
    expect(answer.status).toBe(503);
    const body = (await answer.json()) as { ready: boolean; reason: string };
    expect(body.ready).toBe(false);
    expect(body.reason).toMatch(/^github_app_jwt: the private key does not sign a GitHub App JWT/);
    app.child.kill('SIGINT');
    expect(await app.exited).toBe(0);
  }, 60_000);
});
