import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseFaults, parseTrain } from '../../src/cli/commands/demo.js';
import { runCli } from '../../src/cli/program.js';
import { cli } from '../helpers/cli.js';
import { TASKGRAPHS_DIR, WRAITH_DIR } from '../helpers/task-files.js';

const WRAITH_01 = path.join(WRAITH_DIR, '01-decomposed-all-pending/tasks');
const WRAITH_03 = path.join(WRAITH_DIR, '03-server-layer-completed/tasks');
const fixture = (name: string) => path.join(TASKGRAPHS_DIR, 'taskgraph-cli-fixtures', name);

describe('validate', () => {
  it.each([
    ['a valid graph exits 0', WRAITH_01, 0, 0, 0],
    ['warnings alone still exit 0', WRAITH_03, 0, 0, 4],
    ['a cycle exits 1', fixture('cycles'), 1, 1, 0],
    ['a dangling dependency exits 1', fixture('invalid'), 1, 1, 0],
  ])('%s', async (_intent, dir, code, errors, warnings) => {
    const run = await cli(['validate', '--tasks', dir, '--format', 'json']);
    expect(run.code).toBe(code);
    const doc = JSON.parse(run.stdout);
    expect(doc.valid).toBe(errors === 0);
    expect(doc.errors).toHaveLength(errors);
    expect(doc.warnings).toHaveLength(warnings);
    for (const d of [...doc.errors, ...doc.warnings]) {
      expect(Object.keys(d).sort()).toEqual(['code', 'file', 'line', 'message', 'taskId']);
    }
  });

  it('exits 3, not 1, when the tool itself fails (stdout closed under it), saying why on stderr', async () => {
    const err: string[] = [];
    const code = await runCli(['validate', '--tasks', WRAITH_01], {
      out: () => {
        throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
      },
      err: (text) => err.push(text),
      color: false,
    });
    expect(code).toBe(3);
    expect(err.join('')).toBe('taskgraph-coordinator: internal error: write EPIPE\n');
  });

  it('prints file:line, code and message in text form, and a total', async () => {
    const run = await cli(['validate', '--tasks', fixture('invalid')]);
    expect(run.stdout).toContain(
      `${fixture('invalid')}/invalid-task.md:5  error    missing-dependency  depends on "missing-dependency"`,
    );
    expect(run.stdout).toMatch(/✗ 1 task: 1 error, 0 warnings\n$/);
    expect(run.stdout).not.toContain('\u001b[');
  });

  it('colours only when asked to', async () => {
    expect((await cli(['validate', '--tasks', fixture('invalid')], true)).stdout).toContain('\u001b[');
  });

  it('reports the task count of the JSON document', async () => {
    expect(JSON.parse((await cli(['validate', '--tasks', WRAITH_01, '--format', 'json'])).stdout).tasks).toBe(
      35,
    );
  });
});

describe('plan', () => {
  it('prints the documented JSON for wraith', async () => {
    const run = await cli(['plan', '--tasks', WRAITH_01, '--format', 'json']);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout);
    expect(Object.keys(doc)).toEqual([
      'tasks',
      'edges',
      'generations',
      'criticalPath',
      'ready',
      'statusCounts',
      'branches',
    ]);
    expect(doc).toMatchObject({ tasks: 35, edges: 81, ready: ['setup/project-init'] });
    expect(doc.generations.map((g: string[]) => g.length)).toEqual([1, 4, 2, 4, 6, 7, 4, 3, 3, 1]);
    expect(doc.criticalPath).toHaveLength(10);
    expect(doc.branches['cli/connect-command']).toBe('feat/cli/connect-command');
  });

  it('uses the given branch prefix', async () => {
    const doc = JSON.parse(
      (await cli(['plan', '--tasks', WRAITH_01, '--format', 'json', '--prefix', 'task/'])).stdout,
    );
    expect(doc.branches['setup/project-init']).toBe('task/setup/project-init');
  });

  it('shows generations, the critical path and what is ready for people', async () => {
    const run = await cli(['plan', '--tasks', WRAITH_03]);
    expect(run.stdout).toContain('Task graph: 35 tasks, 81 edges, 10 generations');
    expect(run.stdout).toContain('Status: 32 pending, 3 completed');
    expect(run.stdout).toMatch(/G10 {2}· review\/complete-system/);
    expect(run.stdout).toContain('Critical path (10 tasks)');
    expect(run.stdout).toContain('Ready now (2)');
    expect(run.stdout).toContain('cli/serve-command  branch feat/cli/serve-command');
  });

  it('exits 1 and lists errors on stderr for an invalid graph', async () => {
    const run = await cli(['plan', '--tasks', fixture('cycles'), '--format', 'json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).generations).toEqual([]);
    expect(run.stderr).toContain('dependency cycle: task-a -> task-c -> task-b -> task-a');
  });
});

describe('demo --faults', () => {
  it.each([
    ['errors=0.05,rate-limit=0.05,drop=0.1', { errorRate: 0.05, rateLimitRate: 0.05, dropRate: 0.1 }],
    [' latency=20 , errors=0 ', { latencyMs: 20, errorRate: 0 }],
    ['latency=1500', { latencyMs: 1500 }],
    ['', {}],
    ['rate-limit=-0.1', 'fault rate-limit needs a share between 0 and 1, got "-0.1"'],
    ['errors=abc', 'fault errors needs a share between 0 and 1, got "abc"'],
    ['=0.1', 'unknown fault "" (use errors, rate-limit, drop, latency)'],
  ])('%j', (text, expected) => {
    expect(parseFaults(text)).toEqual(expected);
  });
});

describe('demo train options', () => {
  it.each([
    [{}, {}],
    [
      { batchSize: '1', parallel: '0' },
      { batchSize: 1, parallel: 0 },
    ],
    [{ waitForPrChecks: true, retries: '3' }, { retries: 3 }],
    [{ waitForPrChecks: false }, { waitForPrChecks: false }],
    [{ retries: '6' }, '--retries needs a whole number from 0 to 5, got "6"'],
  ])('%j', (options, expected) => {
    expect(parseTrain(options)).toEqual(expected);
  });
});

describe('usage errors exit 2 with one clear line', () => {
  it.each([
    [
      'missing directory',
      ['validate', '--tasks', '/nonexistent/tasks'],
      'taskgraph-coordinator: tasks directory not found: /nonexistent/tasks\n',
    ],
    [
      'missing directory for plan',
      ['plan', '--tasks', '/nonexistent/tasks'],
      'taskgraph-coordinator: tasks directory not found: /nonexistent/tasks\n',
    ],
    [
      'an unknown fault',
      ['demo', '--faults', 'errors=0.1,floods=1'],
      'taskgraph-coordinator: --faults: unknown fault "floods" (use errors, rate-limit, drop, latency)\n',
    ],
    [
      'a share above 1',
      ['demo', '--faults', 'drop=1.5'],
      'taskgraph-coordinator: --faults: fault drop needs a share between 0 and 1, got "1.5"\n',
    ],
    [
      'a fault without a value',
      ['demo', '--faults', 'latency'],
      'taskgraph-coordinator: --faults: fault latency needs a number of ms, got ""\n',
    ],
    [
      'a batch of none',
      ['demo', '--batch-size', '0'],
      'taskgraph-coordinator: --batch-size needs a whole number from 1 to 50, got "0"\n',
    ],
    [
      'a fractional speculation depth',
      ['demo', '--parallel', '1.5'],
      'taskgraph-coordinator: --parallel needs a whole number from 0 to 8, got "1.5"\n',
    ],
    [
      'train options with a config file of its own',
      ['demo', '--config', 'x.yml', '--batch-size', '2'],
      'taskgraph-coordinator: --batch-size, --parallel, --no-wait-for-pr-checks and --retries apply to the demo config; with --config, set them in that file\n',
    ],
    [
      'a kill interval under 1 s',
      ['demo', '--kill-every', '0.5'],
      'taskgraph-coordinator: --kill-every needs a number of seconds, at least 1\n',
    ],
  ])('%s', async (_intent, argv, stderr) => {
    const run = await cli(argv);
    expect(run).toEqual({ code: 2, stdout: '', stderr });
  });

  it('refuses a file where a directory is expected', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tgc-'));
    writeFileSync(path.join(dir, 'file.md'), '');
    const run = await cli(['validate', '--tasks', path.join(dir, 'file.md')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^taskgraph-coordinator: not a directory: .*file\.md\n$/);
  });

  it.each([
    ['unknown command', ['frobnicate']],
    ['unknown option', ['validate', '--nope']],
    ['bad format', ['plan', '--format', 'xml']],
    ['no command', []],
  ])('%s', async (_intent, argv) => {
    const run = await cli(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toBe('');
  });

  it('--help exits 0', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('validate');
  });
});

describe('the installed binary', () => {
  const bin = path.resolve('dist/cli/main.js');

  it('runs as a process with the documented exit codes', async () => {
    expect(existsSync(bin), 'dist/ is missing: run `npm run build` (npm test does)').toBe(true);
    const run = promisify(execFile);
    const ok = await run(process.execPath, [bin, 'validate', '--tasks', WRAITH_01]);
    expect(ok.stdout).toContain('35 tasks');
    await expect(
      run(process.execPath, [bin, 'validate', '--tasks', fixture('cycles')]),
    ).rejects.toMatchObject({ code: 1 });
    await expect(run(process.execPath, [bin, 'validate', '--tasks', '/nonexistent'])).rejects.toMatchObject({
      code: 2,
    });
  });
});
