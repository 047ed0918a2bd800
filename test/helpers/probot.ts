/**
 * A Probot instance for integration tests: real webhook handling (`probot.receive`), a generated
 * app key (installation tokens are requested like in production), no retries or throttling, and every
 * request checked against GitHub's OpenAPI description.
 */
import { generateKeyPairSync } from 'node:crypto';
import nock from 'nock';
import { Probot, ProbotOctokit } from 'probot';
import { afterEach, beforeEach, expect } from 'vitest';
import { type CoordinatorHandle, type CoordinatorOptions, coordinatorApp } from '../../src/app.js';
import { specProblems } from './openapi.js';

export const APP_ID = 1;
export const INSTALLATION_ID = 2;
export const API = 'https://api.github.com';
const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();

export interface TestApp {
  probot: Probot;
  handle: CoordinatorHandle;
  /** Requests that break the OpenAPI description. */
  specErrors: string[];
}

/** Builds the app with a fixed clock. */
export async function testApp(
  options: {
    nowMs?: number;
    dryRun?: boolean;
    notifications?: CoordinatorOptions['notifications'];
    /** Off by default here: these tests' nock scripts are of repositories adopted already. */
    adoptOnFirstSight?: boolean;
  } = {},
): Promise<TestApp> {
  const specErrors: string[] = [];
  const Validated = ProbotOctokit.plugin((octokit) => {
    octokit.hook.before('request', (o) => {
      specErrors.push(...specProblems(o as unknown as Record<string, unknown>));
    });
  });
  // Probot layers its own throttle options over any defaults, so switch throttling (1 s between
  // writes, right in production) and retries off where every instance is built.
  class Octokit extends Validated {
    constructor(...args: unknown[]) {
      const options = (args[0] ?? {}) as Record<string, unknown>;
      super({ ...options, throttle: { enabled: false }, retry: { enabled: false } } as never);
    }
  }
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    secret: 'test-secret',
    Octokit: Octokit as typeof ProbotOctokit,
    logLevel: 'fatal',
  });
  let handle: CoordinatorHandle | undefined;
  await probot.load(
    coordinatorApp(
      {
        appId: APP_ID,
        dryRun: options.dryRun ?? false,
        adoptOnFirstSight: options.adoptOnFirstSight ?? false,
        resyncIntervalMs: 0,
        now: () => options.nowMs ?? Date.parse('2026-06-02T12:00:00Z'),
        ...(options.notifications ? { notifications: { deliverEveryMs: 0, ...options.notifications } } : {}),
      },
      (h) => {
        handle = h;
      },
    ),
  );
  if (!handle) throw new Error('the app did not start');
  return { probot, handle, specErrors };
}

/** nock with no network, failing on unmatched requests and on interceptors left unused. */
export function strictNock(): { unmatched: string[] } {
  const state = { unmatched: [] as string[] };
  const onNoMatch = (req: {
    method?: string;
    path?: string;
    options?: { method?: string; path?: string };
  }) => {
    state.unmatched.push(`${req.method ?? req.options?.method} ${req.path ?? req.options?.path}`);
  };
  beforeEach(() => {
    nock.disableNetConnect();
    state.unmatched.length = 0;
    nock.emitter.on('no match', onNoMatch);
  });
  afterEach(() => {
    nock.emitter.removeListener('no match', onNoMatch);
    const pending = nock.pendingMocks();
    nock.cleanAll();
    expect(state.unmatched, 'requests nobody expected').toEqual([]);
    expect(pending, 'interceptors never used').toEqual([]);
  });
  return state;
}

/** Base64 of a UTF-8 text (blob and contents API bodies). */
export const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
