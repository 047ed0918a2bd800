import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { repoConfigJsonSchema, SCHEMA_ID } from '../../../src/config/json-schema.js';
import { defaultRepoConfig, parseRepoConfig } from '../../../src/config/repo-config.js';

describe('parseRepoConfig', () => {
  it('gives every default when the file is absent', () => {
    expect(defaultRepoConfig()).toEqual({
      tasks: { dir: 'tasks' },
      branches: { prefixes: ['feat/'], base: null },
      merge: {
        strategy: 'staging',
        trigger: 'ready',
        required_checks: null,
        checks_timeout: 3_600_000,
        delete_branch: true,
        batch_size: 8,
        parallel: 2,
        wait_for_pr_checks: true,
        retries: 1,
        method: 'merge',
      },
      pull_requests: { open_draft: true, draft_after: 120_000 },
      status: { auto_complete_levels: ['planning'] },
      notifications: { default_channel: 'general', routes: [], stall_after: 14_400_000 },
      dashboard: { enabled: true, title: 'Task graph dashboard' },
      agents: { dispatch: false },
      dry_run: false,
    });
    expect(parseRepoConfig(null)).toEqual({ ok: true, config: defaultRepoConfig() });
  });

  it.each([
    [
      'a partial section keeps the other defaults',
      { merge: { strategy: 'direct' } },
      { 'merge.strategy': 'direct', 'merge.trigger': 'ready' },
    ],
    ['checks_timeout in minutes', { merge: { checks_timeout: 90 } }, { 'merge.checks_timeout': 5_400_000 }],
    [
      'checks_timeout with a unit',
      { merge: { checks_timeout: '2h' } },
      { 'merge.checks_timeout': 7_200_000 },
    ],
    ['checks_timeout in seconds', { merge: { checks_timeout: '90s' } }, { 'merge.checks_timeout': 90_000 }],
    [
      'explicit required checks',
      { merge: { required_checks: ['ci / test'] } },
      { 'merge.required_checks': ['ci / test'] },
    ],
    [
      'several prefixes',
      { branches: { prefixes: ['feat/', 'task/'], base: 'develop' } },
      { 'branches.base': 'develop' },
    ],
    ['dry run', { dry_run: true }, { dry_run: true }],
    [
      'the merge train',
      { merge: { batch_size: 1, parallel: 0, wait_for_pr_checks: false, retries: 3 } },
      { 'merge.batch_size': 1, 'merge.parallel': 0, 'merge.wait_for_pr_checks': false, 'merge.retries': 3 },
    ],
    [
      'routes with filters',
      {
        notifications: {
          default_channel: 'agents',
          routes: [
            {
              events: ['merge.*'],
              labels: { ignore: ['quiet'] },
              min_severity: 'warning',
              channel: 'alerts',
            },
            { events: ['task.*'], tags: { match: ['security'] }, channel: 'security' },
          ],
        },
      },
      { 'notifications.default_channel': 'agents', 'notifications.routes.1.channel': 'security' },
    ],
    [
      'stall_after in hours',
      { notifications: { stall_after: '1h' } },
      { 'notifications.stall_after': 3_600_000 },
    ],
  ])('accepts %s', (_intent, raw, expected) => {
    const result = parseRepoConfig(raw);
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    for (const [key, value] of Object.entries(expected)) {
      const actual = key
        .split('.')
        .reduce<unknown>((at, part) => (at as Record<string, unknown>)[part], result.config);
      expect(actual).toEqual(value);
    }
  });

  it.each([
    ['an unknown top-level key', { mrege: {} }, [{ key: 'mrege', message: 'unknown key' }]],
    [
      'an unknown nested key',
      { merge: { stratgy: 'direct' } },
      [{ key: 'merge.stratgy', message: 'unknown key' }],
    ],
    ['a bad enum value', { merge: { strategy: 'yolo' } }, [{ key: 'merge.strategy' }]],
    ['a bad duration', { merge: { checks_timeout: 'soon' } }, [{ key: 'merge.checks_timeout' }]],
    ['a negative duration', { merge: { checks_timeout: -5 } }, [{ key: 'merge.checks_timeout' }]],
    ['an empty prefix list', { branches: { prefixes: [] } }, [{ key: 'branches.prefixes' }]],
    ['a batch of none', { merge: { batch_size: 0 } }, [{ key: 'merge.batch_size' }]],
    ['a fractional batch size', { merge: { batch_size: 2.5 } }, [{ key: 'merge.batch_size' }]],
    ['too many speculative batches', { merge: { parallel: 9 } }, [{ key: 'merge.parallel' }]],
    ['negative retries', { merge: { retries: -1 } }, [{ key: 'merge.retries' }]],
    ['a wrong type', { dry_run: 'yes' }, [{ key: 'dry_run' }]],
    [
      'a bad level',
      { status: { auto_complete_levels: ['epic'] } },
      [{ key: 'status.auto_complete_levels.0' }],
    ],
    ['not a mapping', 'merge: direct', [{ key: '(root)' }]],
    [
      'a route without events',
      { notifications: { routes: [{ channel: 'a' }] } },
      [{ key: 'notifications.routes.0.events' }],
    ],
    [
      'a channel key with a URL in it',
      { notifications: { default_channel: 'https://example.com/hook' } },
      [{ key: 'notifications.default_channel' }],
    ],
    [
      'a misspelt route key',
      { notifications: { routes: [{ event: ['x'], channel: 'a' }] } },
      [
        { key: 'notifications.routes.0.events' },
        { key: 'notifications.routes.0.event', message: 'unknown key' },
      ],
    ],
    [
      'a bad severity',
      { notifications: { routes: [{ events: ['*'], min_severity: 'fatal', channel: 'a' }] } },
      [{ key: 'notifications.routes.0.min_severity' }],
    ],
  ])('rejects %s with the key', (_intent, raw, problems) => {
    const result = parseRepoConfig(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toMatchObject(problems);
  });
});

describe('the exported JSON Schema', () => {
  const committed = () => JSON.parse(readFileSync('schema/coordinator.schema.json', 'utf8'));

  it('is up to date with the zod schema (run `npm run schema`)', () => {
    expect(committed()).toEqual(JSON.parse(JSON.stringify(repoConfigJsonSchema())));
  });

  it('names itself with an $id', () => {
    expect(committed().$id).toBe(SCHEMA_ID);
  });

  it('rejects unknown keys for editors too', () => {
    expect(committed().additionalProperties).toBe(false);
    expect(committed().properties.merge.additionalProperties).toBe(false);
  });

  // Editors and linters validate with the schema: it must agree with the app on what is valid.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(committed());
  it.each([
    ['_extends to the org defaults', { _extends: '.github', merge: { batch_size: 4 } }, true],
    ['_extends with an owner and a path', { _extends: 'acme/policies:coordinator/base.yml' }, true],
    ['_extends that is not a repo', { _extends: 'a b' }, false],
    ['an unknown top-level key', { mergee: {} }, false],
    ['an unknown nested key', { merge: { strategy: 'staging', speed: 3 } }, false],
    ['durations as text', { merge: { checks_timeout: '90s' }, notifications: { stall_after: '2h' } }, true],
  ])('%s: valid = %s, as the app decides', (_name, raw, valid) => {
    expect(validate(raw)).toBe(valid);
    expect(parseRepoConfig(raw).ok).toBe(valid);
  });

  it('`npm run schema` writes a file the linter accepts', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'schema-'));
    const file = path.join(dir, 'coordinator.schema.json');
    execFileSync('npx', ['tsx', 'scripts/export-schema.ts', file], { stdio: 'pipe' });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(committed());
    // Formatted exactly as the committed file, which `npm run lint` (biome check) accepts.
    expect(readFileSync(file, 'utf8')).toBe(readFileSync('schema/coordinator.schema.json', 'utf8'));
  }, 30_000);
});
