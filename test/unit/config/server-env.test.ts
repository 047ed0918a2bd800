import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseServerEnv, ServerEnvError, serverEnvSchema } from '../../../src/config/server-env.js';

describe('parseServerEnv', () => {
  it('applies defaults to an empty environment (set-up mode)', () => {
    expect(parseServerEnv({})).toMatchObject({
      PORT: 3000,
      LOG_LEVEL: 'info',
      DRY_RUN: false,
      RESYNC_INTERVAL_MS: 300_000,
      GHE_PROTOCOL: 'https',
    });
  });

  it.each([
    ['DRY_RUN=true', { DRY_RUN: 'true' }, { DRY_RUN: true }],
    ['DRY_RUN=1', { DRY_RUN: '1' }, { DRY_RUN: true }],
    ['an empty APP_ID is absent', { APP_ID: '' }, { APP_ID: undefined }],
    ['a numeric port', { PORT: '8080' }, { PORT: 8080 }],
    [
      'http for a local stand-in',
      { GHE_HOST: '127.0.0.1:9000', GHE_PROTOCOL: 'http' },
      { GHE_HOST: '127.0.0.1:9000', GHE_PROTOCOL: 'http' },
    ],
  ])('reads %s', (_intent, env, expected) => {
    expect(parseServerEnv(env)).toMatchObject(expected);
  });

  it.each([
    ['a non-numeric APP_ID', { APP_ID: 'abc' }, 'APP_ID: must be the numeric app id'],
    ['a bad port', { PORT: 'http' }, 'PORT'],
    ['a bad log level', { LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    ['a resync under a second', { RESYNC_INTERVAL_MS: '10' }, 'RESYNC_INTERVAL_MS'],
    [
      'production without credentials',
      { NODE_ENV: 'production' },
      'production needs APP_ID, WEBHOOK_SECRET, PRIVATE_KEY or PRIVATE_KEY_PATH',
    ],
  ])('refuses %s, naming the variable', (_intent, env, message) => {
    expect(() => parseServerEnv(env)).toThrow(ServerEnvError);
    expect(() => parseServerEnv(env)).toThrow(message);
  });

  it('never prints secret values', () => {
    try {
      parseServerEnv({ APP_ID: 'not-a-number', PRIVATE_KEY: 'SECRET-PEM', WEBHOOK_SECRET: 'hunter2' });
    } catch (error) {
      expect(String(error)).not.toContain('SECRET-PEM');
      expect(String(error)).not.toContain('hunter2');
    }
  });
});

describe('.env.example', () => {
  const text = readFileSync('.env.example', 'utf8');
  const documented = new Set([...text.matchAll(/^#?\s?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));

  it('lists every variable the server reads', () => {
    const read = [...Object.keys(serverEnvSchema.shape), 'WEBHOOK_PROXY_URL', 'GH_ORG'];
    expect(read.filter((name) => !documented.has(name))).toEqual([]);
  });

  it('parses as an environment the server accepts', () => {
    const values = Object.fromEntries(
      [...text.matchAll(/^([A-Z][A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1] as string, m[2] as string]),
    );
    expect(() => parseServerEnv(values)).not.toThrow();
  });
});
