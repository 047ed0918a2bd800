/** Readiness checks and the metrics' mapping of what a reconcile did (pure, no server). */
import { generateKeyPairSync } from 'node:crypto';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/adapters/metrics/metrics.js';
import { appChecks, readiness } from '../../../src/server/health.js';

const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();

describe('readiness', () => {
  it.each([
    ['a reachable store and a good key', () => {}, privateKey, true, {}],
    [
      'a store that cannot be read',
      () => {
        throw new Error('SQLITE_CANTOPEN: unable to open database file');
      },
      privateKey,
      false,
      { store: 'SQLITE_CANTOPEN: unable to open database file' },
    ],
    [
      'a key that is not a key',
      () => {},
      'not a pem',
      false,
      { github_app_jwt: expect.stringContaining('private key') },
    ],
  ])('%s', async (_name, ping, key, ready, failed) => {
    const result = await readiness(appChecks({ appId: 1, privateKey: key, store: { ping } }));
    expect(result.ready).toBe(ready);
    expect(result.checks).toMatchObject({ store: 'ok', github_app_jwt: 'ok', ...failed });
  });

  it('a check that hangs fails after the timeout instead of hanging the probe', async () => {
    const result = await readiness([{ name: 'slow', check: () => new Promise(() => {}) }], 50);
    expect(result).toEqual({ ready: false, checks: { slow: 'no answer within 50 ms' } });
  });
});

describe('Metrics', () => {
  type Family = { name: string; metrics: { value: string; labels: Record<string, string> }[] };
  const values = async (metrics: Metrics, name: string) => {
    const families = parsePrometheusTextFormat(await metrics.text()) as Family[];
    return Object.fromEntries(
      (families.find((f) => f.name === name)?.metrics ?? []).map((m) => [
        Object.values(m.labels ?? {}).join(','),
        m.value,
      ]),
    );
  };

  it.each([
    ['a promoted batch of 3', { kind: 'promote', pulls: 3 }, { staging: '3' }, { promoted: '1' }],
    ['a direct merge', { kind: 'merge-pull', pulls: 1 }, { direct: '1' }, {}],
    ['a red batch', { kind: 'fail-batch', pulls: 4 }, {}, { failed: '1' }],
    ['a staged batch', { kind: 'start-batch', pulls: 2 }, {}, { started: '1' }],
    ['a status commit', { kind: 'commit-status', pulls: 1 }, {}, {}],
  ])('%s', async (_name, action, merges, batches) => {
    const metrics = new Metrics({ queueDepth: () => 0, outbox: () => null });
    metrics.reconcile({ outcome: 'ok', seconds: 0.2, action });
    expect(await values(metrics, 'coordinator_merges_total')).toEqual(merges);
    expect(await values(metrics, 'coordinator_batches_total')).toEqual(batches);
    expect(await values(metrics, 'coordinator_reconciles_total')).toEqual({ ok: '1' });
  });

  it('reads the outbox when scraped: pending per channel summed over owners, and the oldest age', async () => {
    const metrics = new Metrics({
      queueDepth: () => 4,
      now: () => 100_000,
      outbox: () => ({
        pending: [
          { owner: 'acme', channel: 'alerts', count: 2 },
          { owner: 'beta', channel: 'alerts', count: 1 },
          { owner: 'acme', channel: 'general', count: 5 },
        ],
        oldestCreatedAt: 40_000,
        dead: 0,
      }),
    });
    expect(await values(metrics, 'coordinator_outbox_pending')).toEqual({ alerts: '3', general: '5' });
    expect(await values(metrics, 'coordinator_outbox_oldest_age_seconds')).toEqual({ '': '60' });
    expect(await values(metrics, 'coordinator_queue_depth')).toEqual({ '': '4' });
  });
});
