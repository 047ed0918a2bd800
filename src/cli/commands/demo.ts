/**
 * `taskgraph-coordinator demo`: merges a real task graph end to end on this machine, with no GitHub
 * account. The machinery (GitHub stand-in, fake CI, fake Teams, scripted agents) lives in `sim/`,
 * built to `dist/sim`; the app itself runs as a separate process exactly as `npm start` runs it.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TasksDirError } from '../../adapters/fs/read-tasks-dir.js';
import { type CliIo, EXIT } from '../io.js';

export interface DemoCliOptions {
  readonly tasks?: string;
  readonly fromRepo?: string;
  readonly adopt?: boolean;
  readonly agents?: 'on' | 'off';
  readonly ciMs: string;
  readonly agentMs: string;
  readonly failRate: string;
  readonly workdir?: string;
  readonly report?: string;
  readonly config?: string;
  readonly strategy: 'staging' | 'direct';
  readonly timeout: string;
  readonly seed: string;
  readonly protection?: string;
  readonly ruleset?: readonly string[];
  readonly withhold?: string;
  readonly faults?: string;
  readonly killEvery?: string;
  readonly replicas?: string;
  readonly databaseUrl?: string;
  readonly failTasks?: string;
  readonly batchSize?: string;
  readonly parallel?: string;
  /** false with `--no-wait-for-pr-checks` (commander's negated option). */
  readonly waitForPrChecks?: boolean;
  readonly retries?: string;
}

/** `errors=0.05,rate-limit=0.05,drop=0.1,latency=20` -> the demo's fault options. @returns a message for bad input. */
export function parseFaults(
  text: string,
): { errorRate?: number; rateLimitRate?: number; dropRate?: number; latencyMs?: number } | string {
  const names: Record<string, 'errorRate' | 'rateLimitRate' | 'dropRate' | 'latencyMs'> = {
    errors: 'errorRate',
    'rate-limit': 'rateLimitRate',
    drop: 'dropRate',
    latency: 'latencyMs',
  };
  const out: Record<string, number> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name = '', value = ''] = part.split('=');
    const key = names[name];
    const number = Number(value);
    if (!key) return `unknown fault "${name}" (use errors, rate-limit, drop, latency)`;
    if (value === '' || !Number.isFinite(number) || number < 0 || (key !== 'latencyMs' && number > 1))
      return `fault ${name} needs ${key === 'latencyMs' ? 'a number of ms' : 'a share between 0 and 1'}, got "${value}"`;
    out[key] = number;
  }
  return out;
}

/** The merge train's options as the demo config's keys. @returns a message for bad input. */
export function parseTrain(
  options: Pick<DemoCliOptions, 'batchSize' | 'parallel' | 'waitForPrChecks' | 'retries'>,
): { batchSize?: number; parallel?: number; waitForPrChecks?: boolean; retries?: number } | string {
  const out: { batchSize?: number; parallel?: number; waitForPrChecks?: boolean; retries?: number } = {};
  const whole = (flag: string, text: string | undefined, min: number, max: number) => {
    if (text === undefined) return undefined;
    const value = Number(text);
    return Number.isInteger(value) && value >= min && value <= max
      ? value
      : `${flag} needs a whole number from ${min} to ${max}, got "${text}"`;
  };
  const checks = [
    ['batchSize', whole('--batch-size', options.batchSize, 1, 50)],
    ['parallel', whole('--parallel', options.parallel, 0, 8)],
    ['retries', whole('--retries', options.retries, 0, 5)],
  ] as const;
  for (const [key, value] of checks) {
    if (typeof value === 'string') return value;
    if (value !== undefined) out[key] = value;
  }
  if (options.waitForPrChecks === false) out.waitForPrChecks = false;
  return out;
}

/** What the demo module returns (see `sim/report.ts`); only what the summary prints. */
interface DemoReportView {
  readonly completed: boolean;
  readonly tasks: readonly {
    taskId: string;
    kind: string;
    pull: number | null;
    mergePosition: number | null;
    status: string;
  }[];
  readonly violations: readonly { message: string }[];
  readonly api: {
    total: number;
    reads: number;
    writes: number;
    perMergedTask: { reads: number; writes: number; notModified: number };
  };
  readonly webhooks: { sent: number; dropped: number };
  readonly teams: readonly { channel: string }[];
  readonly kills: number;
  readonly appWrites?: readonly string[];
  readonly issues?: readonly { number: number; title: string; labels: readonly string[] }[];
  readonly error?: string | null;
  readonly replicas?: readonly { port: number; restarts: number; reconciles: number }[];
  readonly duplicates?: { comments: number; cards: number };
  readonly lost: readonly string[];
  readonly repeated: readonly string[];
  readonly stuck: readonly { name: string }[];
  readonly branchesLeft: readonly string[];
  readonly makespanMs: number;
  readonly lowerBoundMs: number;
  readonly workdir: string;
}

const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The wraith snapshot beside the project (`../shared`), when present. */
export const DEFAULT_DEMO_TASKS = path.resolve(
  PACKAGE_ROOT,
  '../shared/taskgraphs/wraith/01-decomposed-all-pending/tasks',
);

/**
 * Runs the demo and prints a summary table. @returns 0 when every task completed with no ordering
 * violation, 1 otherwise, 2 for bad options.
 */
export async function runDemoCommand(options: DemoCliOptions, io: CliIo): Promise<number> {
  if (options.adopt && (options.fromRepo || options.config)) {
    io.err('taskgraph-coordinator: --adopt seeds its own repository; leave out --from-repo and --config\n');
    return EXIT.usage;
  }
  if (options.fromRepo) {
    if (options.tasks || options.config) {
      io.err(
        "taskgraph-coordinator: --from-repo uses the repository's own tasks and config; leave out --tasks and --config\n",
      );
      return EXIT.usage;
    }
    if (
      !existsSync(path.join(options.fromRepo, '.git')) &&
      !existsSync(path.join(options.fromRepo, 'HEAD'))
    ) {
      io.err(`taskgraph-coordinator: --from-repo ${options.fromRepo} is not a git repository\n`);
      return EXIT.usage;
    }
  }
  const tasksDir = options.fromRepo ? '' : path.resolve(options.tasks ?? DEFAULT_DEMO_TASKS);
  if (!options.fromRepo && (!existsSync(tasksDir) || !statSync(tasksDir).isDirectory()))
    throw new TasksDirError(
      options.tasks
        ? `tasks directory ${tasksDir} does not exist`
        : `no default task graph at ${tasksDir}; pass --tasks DIR`,
    );
  const numbers = {
    ciMs: Number(options.ciMs),
    agentMs: Number(options.agentMs),
    failRate: Number(options.failRate),
    timeoutS: Number(options.timeout),
    seed: Number(options.seed),
  };
  const bad = Object.entries(numbers).find(([, v]) => !Number.isFinite(v) || v < 0);
  if (bad || numbers.failRate > 1) {
    io.err(
      `taskgraph-coordinator: ${bad ? bad[0] : 'failRate'} must be a non-negative number (fail rate at most 1)\n`,
    );
    return EXIT.usage;
  }
  const faults = options.faults ? parseFaults(options.faults) : {};
  if (typeof faults === 'string') {
    io.err(`taskgraph-coordinator: --faults: ${faults}\n`);
    return EXIT.usage;
  }
  const killEvery = options.killEvery === undefined ? null : Number(options.killEvery);
  if (killEvery !== null && (!Number.isFinite(killEvery) || killEvery < 1)) {
    io.err('taskgraph-coordinator: --kill-every needs a number of seconds, at least 1\n');
    return EXIT.usage;
  }
  const replicas = options.replicas === undefined ? 1 : Number(options.replicas);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 8) {
    io.err('taskgraph-coordinator: --replicas needs a whole number from 1 to 8\n');
    return EXIT.usage;
  }
  if (options.databaseUrl && !/^postgres(ql)?:\/\//.test(options.databaseUrl)) {
    io.err('taskgraph-coordinator: --database-url must be a postgres:// URL\n');
    return EXIT.usage;
  }
  const train = parseTrain(options);
  if (typeof train === 'string') {
    io.err(`taskgraph-coordinator: ${train}\n`);
    return EXIT.usage;
  }
  if (options.config && Object.keys(train).length > 0) {
    io.err(
      'taskgraph-coordinator: --batch-size, --parallel, --no-wait-for-pr-checks and --retries apply to the demo config; with --config, set them in that file\n',
    );
    return EXIT.usage;
  }
  for (const file of [options.protection, ...(options.ruleset ?? [])]) {
    if (file && !existsSync(file)) {
      io.err(`taskgraph-coordinator: ${file} does not exist\n`);
      return EXIT.usage;
    }
  }
  if (options.workdir && existsSync(options.workdir) && readdirSync(options.workdir).length > 0) {
    io.err(
      `taskgraph-coordinator: --workdir ${options.workdir} is not empty; pass an empty or new directory\n`,
    );
    return EXIT.usage;
  }
  const modulePath = path.join(PACKAGE_ROOT, 'dist', 'sim', 'demo.js');
  const { runDemo } = (await import(modulePath)) as {
    runDemo: (o: Record<string, unknown>) => Promise<DemoReportView>;
  };
  const tty = process.stderr.isTTY === true;
  let lastPrinted = 0;
  io.err(
    `${options.adopt ? `Seeding a repository whose history already merged tasks of ${tasksDir} (files still pending)` : options.fromRepo ? `Copying ${options.fromRepo} (every branch, the whole history)` : `Seeding a repository from ${tasksDir}`} and starting the GitHub stand-in, fake CI, fake Teams and the app${options.agents === 'off' ? ' (no agents)' : ''}…\n`,
  );
  const report = await runDemo({
    tasksDir,
    ciMs: numbers.ciMs,
    agentMs: numbers.agentMs,
    failRate: numbers.failRate,
    workdir: options.workdir ? path.resolve(options.workdir) : null,
    reportFile: options.report ? path.resolve(options.report) : null,
    configFile: options.config ? path.resolve(options.config) : null,
    strategy: options.strategy,
    timeoutMs: numbers.timeoutS * 1000,
    seed: numbers.seed,
    protectionFile: options.protection ? path.resolve(options.protection) : null,
    rulesetFiles: (options.ruleset ?? []).map((f) => path.resolve(f)),
    withhold: list(options.withhold),
    faults,
    killEveryMs: killEvery === null ? null : killEvery * 1000,
    replicas,
    databaseUrl: options.databaseUrl ?? null,
    fromRepo: options.fromRepo ? path.resolve(options.fromRepo) : null,
    agents: options.agents !== 'off',
    adopt: options.adopt === true,
    failTasks: list(options.failTasks),
    train,
    progress: (line: string) => {
      if (tty) io.err(`\r\u001b[2K${line}`);
      else if (Date.now() - lastPrinted >= 5_000) {
        lastPrinted = Date.now();
        io.err(`${line}\n`);
      }
    },
  });
  if (tty) io.err('\n');
  io.out(summary(report));
  if (options.agents === 'off') {
    // Nothing completes without agents: say what the app did instead.
    const writes = new Map<string, number>();
    for (const w of report.appWrites ?? []) {
      const route = w.split(' ').slice(0, 2).join(' ');
      writes.set(route, (writes.get(route) ?? 0) + 1);
    }
    const dashboard = (report.issues ?? []).find((i) => i.labels.includes('coordinator: dashboard'));
    io.out(
      [
        `What the app did (${report.appWrites?.length ?? 0} writes): ${[...writes].map(([r, n]) => `${r} ×${n}`).join(', ') || 'nothing'}`,
        dashboard
          ? `Dashboard issue #${dashboard.number}: ${dashboard.title} (the report's issues[] holds its body)`
          : 'No dashboard issue.',
        '',
      ].join('\n'),
    );
    return report.error ? EXIT.invalid : EXIT.ok;
  }
  return report.completed && report.violations.length === 0 ? EXIT.ok : EXIT.invalid;
}

function summary(report: DemoReportView): string {
  const rows = [...report.tasks].sort((a, b) => (a.mergePosition ?? 1e9) - (b.mergePosition ?? 1e9));
  const width = Math.max(4, ...rows.map((r) => r.taskId.length));
  const lines = [
    `${'task'.padEnd(width)}  kind            PR    merged  status`,
    ...rows.map(
      (r) =>
        `${r.taskId.padEnd(width)}  ${r.kind.padEnd(14)}  ${(r.pull === null ? '-' : `#${r.pull}`).padEnd(4)}  ${String(r.mergePosition ?? '-').padStart(6)}  ${r.status}`,
    ),
    '',
    `${report.completed ? 'Completed' : 'NOT completed'}: ${rows.filter((r) => r.status === 'completed').length}/${rows.length} tasks; ordering violations: ${report.violations.length}`,
    `Makespan ${(report.makespanMs / 1000).toFixed(1)} s; lower bound ${(report.lowerBoundMs / 1000).toFixed(1)} s (ratio ${(report.makespanMs / Math.max(1, report.lowerBoundMs)).toFixed(2)})`,
    `GitHub API: ${report.api.total} requests (${report.api.reads} reads, ${report.api.writes} writes); per merged task ${report.api.perMergedTask.reads} reads (${report.api.perMergedTask.notModified} of them free 304s), ${report.api.perMergedTask.writes} writes`,
    `Webhooks: ${report.webhooks.sent} sent, ${report.webhooks.dropped} dropped; Teams posts: ${report.teams.length}`,
    `App kills: ${report.kills}; merges without their Teams card: ${report.lost.length} (with two or more: ${report.repeated.length}); app checks left in progress: ${report.stuck.length}; task branches left: ${report.branchesLeft.length}`,
    ...((report.replicas?.length ?? 0) > 1
      ? [
          `Replicas: ${(report.replicas ?? []).map((r, i) => `#${i + 1} ${r.reconciles} reconciles, ${r.restarts} restarts`).join('; ')}; duplicate PR comments: ${report.duplicates?.comments ?? 0}, duplicate Teams cards: ${report.duplicates?.cards ?? 0}`,
        ]
      : []),
    `Bare repositories: ${report.workdir}/repos/acme/wraith.git (git --git-dir=… log --first-parent main)`,
  ];
  return `${lines.join('\n')}\n`;
}

function list(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}
