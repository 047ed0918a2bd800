/**
 * `taskgraph-coordinator demo`: the whole product on one machine, no GitHub account. Seeds a bare
 * repository from a tasks directory, starts the GitHub stand-in, the fake CI, fake Teams endpoints
 * for every channel the config names, and **the real app as a separate process** pointed at the
 * stand-in (`GHE_HOST`, `GHE_PROTOCOL=http`), then lets the scripted agents work until every task
 * is completed on `main` or the timeout passes. Returns (and optionally writes) a JSON report.
 */

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { Agents, branchOf, SHARED_FILE, tasksAt } from './agents.js';
import { AppProcess, freePort } from './app-process.js';
import { FakeCi } from './ci.js';
import { mergeAdoptionPull, seedDriftedRepo } from './drifted-repo.js';
import { type AppPermissions, DEFAULT_APP_PERMISSIONS, Hub, type Repo } from './hub.js';
import { Reviewer } from './maintainer.js';
import { freshSchema } from './pg-schema.js';
import { progressLine } from './progress.js';
import { RoundRobinProxy } from './proxy.js';
import { seeded } from './random.js';
import { buildReport, type DemoReport } from './report.js';
import { StandInServer, USER_TOKEN_PREFIX } from './server.js';
import { FakeTeams } from './teams.js';
import { WebhookSender } from './webhooks.js';

export interface DemoOptions {
  /** Tasks directory to seed `tasks/` from. */
  readonly tasksDir: string;
  readonly ciMs: number;
  readonly agentMs: number;
  /** Share of CI runs that fail (0..1). */
  readonly failRate: number;
  /** Keep the bare repositories here (default: a temporary directory). */
  readonly workdir?: string | null;
  readonly reportFile?: string | null;
  /** A `.github/coordinator.yml` to use instead of the demo's. */
  readonly configFile?: string | null;
  /** The merge train's keys in the demo's config (`merge.batch_size`, `parallel`, `wait_for_pr_checks`, `retries`). */
  readonly train?: {
    readonly batchSize?: number;
    readonly parallel?: number;
    readonly waitForPrChecks?: boolean;
    readonly retries?: number;
  };
  readonly strategy?: 'staging' | 'direct';
  readonly timeoutMs?: number;
  /** Stand-in faults: share of 502s, of secondary rate limits, of dropped webhooks; added latency. */
  readonly faults?: { errorRate?: number; rateLimitRate?: number; dropRate?: number; latencyMs?: number };
  /** Tasks whose merge result fails CI (their own branch passes) until their agent pushes a fix. */
  readonly failTasks?: readonly string[];
  /** Tasks whose change also edits the shared file (overlaps and conflicts). Default: every 4th task. */
  readonly sharedEditors?: readonly string[];
  /** Seed of the fake CI's and the faults' coin (same seed, same coins). */
  readonly seed?: number;
  /** App resync period, ms (it recovers from dropped webhooks). */
  readonly resyncMs?: number;
  /** Progress lines go here (null: silent). */
  readonly progress?: ((line: string) => void) | null;
  /** Extra scripted behaviour (tests): called once the app is up, before the agents start. */
  readonly script?: (sim: {
    hub: Hub;
    repo: Repo;
    workdir: string;
    server: StandInServer;
  }) => void | Promise<void>;
  /** A JSON file: the body of `PUT /repos/{o}/{r}/branches/main/protection`, applied through the stand-in's REST route. */
  readonly protectionFile?: string | null;
  /** JSON files: bodies of `POST /repos/{o}/{r}/rulesets`, applied in order. */
  readonly rulesetFiles?: readonly string[];
  /** Installation permissions withheld from the app (e.g. `workflows`). */
  readonly withhold?: readonly string[];
  /** Tasks whose change also edits `.github/workflows/ci.yml`. */
  readonly workflowEditors?: readonly string[];
  /** Tasks no scripted agent works on. */
  readonly skipTasks?: readonly string[];
  /** SIGKILL the app (a random replica) every this many ms and start it again on the same port and store. */
  readonly killEveryMs?: number | null;
  /** App processes behind one round-robin webhook URL (default 1). */
  readonly replicas?: number;
  /**
   * PostgreSQL for the replicas' store (a fresh schema per run); null: one SQLite file in the
   * workdir, shared by the replicas (they run on one host).
   */
  readonly databaseUrl?: string | null;
  /** The apps' lease TTL, ms (default 30 s as in production; the chaos tests shorten it). */
  readonly leaseTtlMs?: number;
  /**
   * Start the stand-in from a copy of this git repository (every branch, the whole history, its
   * tasks and `.github/coordinator.yml`) instead of seeding one from `tasksDir`.
   */
  readonly fromRepo?: string | null;
  /**
   * false: no scripted agents (and no scripted maintainer); the run ends once the app has been
   * quiet for a few seconds, and the report says what it did.
   */
  readonly agents?: boolean;
  /**
   * The adoption scenario: the stand-in starts from a repository whose history merged 14 of the
   * tasks in `tasksDir` the way wraith's coordinator agent did (`sim/drifted-repo.ts`) while the
   * files still say `pending`; a maintainer merges the app's adoption PR before the agents start.
   */
  readonly adopt?: boolean;
  /** Ends the run early (tests of a scenario that never completes every task). */
  readonly stopWhen?: (sim: { hub: Hub; repo: Repo }) => boolean | Promise<boolean>;
}

/** Runs the demo. @throws when the app cannot start; a timeout is a report with `completed: false`. */
export async function runDemo(options: DemoOptions): Promise<DemoReport> {
  const workdir = options.workdir ?? mkdtempSync(path.join(tmpdir(), 'coordinator-demo-'));
  if (existsSync(workdir) && readdirSync(workdir).length > 0)
    throw new Error(`workdir ${workdir} is not empty; pass an empty or new directory`);
  mkdirSync(workdir, { recursive: true });
  const random = seeded(options.seed ?? 1);
  const startedAt = Date.now();
  const permissions: AppPermissions = { ...DEFAULT_APP_PERMISSIONS };
  for (const name of options.withhold ?? []) delete permissions[name];
  const hub = new Hub({ webUrl: 'https://github.example', permissions });
  const drifted = options.adopt ? seedDriftedRepo(options.tasksDir, path.join(workdir, 'wraith')) : null;
  const fromRepo = drifted?.dir ?? options.fromRepo ?? null;
  const repoName = fromRepo ? repoNameOf(fromRepo) : 'wraith';
  const repo = await hub.createRepo(path.join(workdir, 'repos'), 'acme', repoName, null, fromRepo);
  // The demo's maintainer (reviews, `/coordinator complete`) may write, on a copied repo too.
  repo.collaborators.set('maintainer', 'maintain');
  const config = fromRepo
    ? await fileAt(repo, '.github/coordinator.yml')
    : options.configFile
      ? readFileSync(options.configFile, 'utf8')
      : demoConfig(options);
  const channels = channelKeys(config);
  const implementation = fromRepo
    ? await implementationTasks(repo, config)
    : await seedRepo(repo, options.tasksDir, config);
  const withAgents = options.agents !== false;
  const seedHead = await repo.git.ref(`refs/heads/${repo.defaultBranch}`);

  const server = new StandInServer(hub, random);
  Object.assign(server.faults, {
    errorRate: options.faults?.errorRate ?? 0,
    rateLimitRate: options.faults?.rateLimitRate ?? 0,
    latencyMs: options.faults?.latencyMs ?? 0,
  });
  const gheHost = await server.listen();
  await applyRules(gheHost, repo, options);
  const teams = new FakeTeams();
  await teams.listen();
  const channelsFile = path.join(workdir, 'teams-channels.json');
  writeFileSync(
    channelsFile,
    JSON.stringify({ acme: Object.fromEntries(channels.map((c) => [c, teams.url(c)])) }, null, 2),
  );

  const secret = randomBytes(16).toString('hex');
  let appUrl: string | null = null;
  const webhooks = new WebhookSender({ hub, url: () => appUrl, secret, random });
  webhooks.dropRate = options.faults?.dropRate ?? 0;

  const replicas = Math.max(1, options.replicas ?? 1);
  const databaseUrl = options.databaseUrl ? await freshSchema(options.databaseUrl) : null;
  const apps: AppProcess[] = [];
  for (let i = 0; i < replicas; i++)
    apps.push(
      new AppProcess({
        workdir,
        gheHost,
        port: await freePort(),
        secret,
        channelsFile,
        resyncMs: options.resyncMs ?? 2_000,
        logName: i === 0 ? 'app.log' : `app-${i + 1}.log`,
        // One store for every replica: PostgreSQL, or one SQLite file on this host.
        dataDir: path.join(workdir, 'data'),
        env: {
          ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
          ...(options.leaseTtlMs ? { LEASE_TTL_MS: String(options.leaseTtlMs) } : {}),
          DIRTY_POLL_MS: '250',
        },
      }),
    );
  const app = apps[0] as AppProcess;
  const proxy =
    replicas > 1 ? new RoundRobinProxy(apps.map((a) => `http://127.0.0.1:${a.options.port}`)) : null;
  let killer: NodeJS.Timeout | null = null;
  const timeline = new Timeline(hub, repo);
  let ci: FakeCi | null = null;
  let agents: Agents | null = null;
  const reviewer = new Reviewer(hub, repo, Math.min(options.agentMs, 200));
  if (!withAgents) reviewer.stop();
  let t0 = Date.now();
  const report = (completed: boolean, error: string | null) =>
    buildReport({
      hub,
      repo,
      timeline,
      agents:
        agents ??
        new Agents(hub, repo, {
          agentMs: 0,
          branchPrefix: 'feat/',
          sharedEditors: new Set(),
          tasksDir: 'tasks',
        }),
      server,
      webhooks,
      teams,
      t0,
      completed,
      ciMs: options.ciMs,
      agentMs: options.agentMs,
      strategy: options.strategy ?? 'staging',
      workdir,
      reportFile: options.reportFile ?? null,
      startedAt,
      seedHead,
      appLog: app.logFile,
      error,
      kills: apps.reduce((n, a) => n + a.restarts, 0),
      replicas: apps.map((a) => ({ port: a.options.port, restarts: a.restarts, log: a.logFile })),
      ciRuns: ci?.runs ?? [],
    });
  try {
    for (const a of apps) await a.start();
    appUrl = proxy
      ? `http://127.0.0.1:${await proxy.listen()}/api/github/webhooks`
      : `http://127.0.0.1:${app.options.port}/api/github/webhooks`;
    if (options.killEveryMs) {
      // SIGKILL a random replica every so often and start it again on the same port and store.
      let killing = false;
      killer = setInterval(() => {
        if (killing) return;
        killing = true;
        const victim = apps[Math.floor(random() * apps.length)] as AppProcess;
        void victim.crashAndRestart().finally(() => {
          killing = false;
        });
      }, options.killEveryMs);
    }
    t0 = Date.now();
    ci = new FakeCi(hub, {
      ciMs: options.ciMs,
      failRate: options.failRate,
      failTasks: options.failTasks ?? [],
      branchPrefix: 'feat/',
      random,
    });
    const sharedEditors = new Set(options.sharedEditors ?? implementation.filter((_, i) => i % 4 === 1));
    agents = new Agents(hub, repo, {
      agentMs: options.agentMs,
      branchPrefix: 'feat/',
      sharedEditors,
      workflowEditors: new Set(options.workflowEditors ?? []),
      skip: new Set(options.skipTasks ?? []),
      tasksDir: 'tasks',
    });
    if (drifted) {
      const adoption = await mergeAdoptionPull({
        gheHost,
        repo,
        userToken: `${USER_TOKEN_PREFIX}${repo.owner}`,
        timeoutMs: 60_000,
      });
      options.progress?.(
        `maintainer merged adoption PR #${adoption.number} (${adoption.files.length} files)`,
      );
    }
    await options.script?.({ hub, repo, workdir, server });
    if (withAgents) agents.scan();
    else agents.stop();

    const deadline = t0 + (options.timeoutMs ?? 10 * 60_000);
    let done = false;
    let stopped = false;
    while (!done && !stopped && Date.now() < deadline) {
      await sleep(250);
      const state = await timeline.sample();
      done = state.total > 0 && state.completed === state.total;
      stopped = (await options.stopWhen?.({ hub, repo })) === true;
      // Without agents nothing completes by itself: stop once the app has written nothing for 6 s.
      if (!withAgents && Date.now() - t0 > 6_000) {
        const lastWrite = Math.max(t0, ...server.log.filter((r) => r.method !== 'GET').map((r) => r.atMs));
        if (Date.now() - lastWrite > 6_000) stopped = true;
      }
      if (options.progress) options.progress(await progressLine(repo, timeline, state, t0));
    }
    if (killer) clearInterval(killer);
    killer = null;
    for (const a of apps) if (!a.running) await a.start();
    // Let the last deliveries and posts settle (branch deletion, the final cards: the outbox posts
    // about once a second per channel), up to 20 s.
    const settleUntil = Date.now() + 20_000;
    let posts = -1;
    let quietSince = Date.now();
    while (Date.now() < settleUntil) {
      await sleep(250);
      await webhooks.settled();
      if (teams.posts.length !== posts) {
        posts = teams.posts.length;
        quietSince = Date.now();
      }
      const branchesLeft = (await repo.git.refs('refs/heads/feat/')).size;
      // The app is done too: nothing written for 2.5 s (the last reconcile's dashboard edit and
      // after-action review come after the last status commit).
      const lastWrite = server.log.reduce((at, r) => (r.method !== 'GET' && r.atMs > at ? r.atMs : at), 0);
      const appQuiet = Date.now() - lastWrite >= 2_500 && (await appsIdle(apps));
      if (Date.now() - quietSince >= 2_500 && appQuiet && (branchesLeft === 0 || !done)) break;
    }
    return await report(done, null);
  } catch (error) {
    // The report is written even when the run breaks, so it can be judged from outside.
    await report(false, error instanceof Error ? error.message : String(error)).catch(() => undefined);
    throw error;
  } finally {
    if (killer) clearInterval(killer);
    agents?.stop();
    reviewer.stop();
    ci?.stop();
    for (const a of apps) await a.stop();
    await proxy?.close();
    await server.close();
    await teams.close();
  }
}

/**
 * Applies `--protection` and `--ruleset` files through the stand-in's REST routes, as the
 * repository's owner (an admin): the same files work with `gh api -X PUT .../protection --input`.
 * @throws when the stand-in refuses a body (422 with GitHub's reason).
 */
async function applyRules(gheHost: string, repo: Repo, options: DemoOptions): Promise<void> {
  const call = async (method: string, route: string, file: string) => {
    const response = await fetch(`http://${gheHost}/api/v3/repos/${repo.owner}/${repo.name}${route}`, {
      method,
      headers: {
        'content-type': 'application/json',
        authorization: `token ${USER_TOKEN_PREFIX}${repo.owner}`,
      },
      body: readFileSync(file, 'utf8'),
    });
    if (!response.ok)
      throw new Error(`${method} ${route} with ${file}: ${response.status} ${await response.text()}`);
  };
  if (options.protectionFile)
    await call('PUT', `/branches/${repo.defaultBranch}/protection`, options.protectionFile);
  for (const file of options.rulesetFiles ?? []) await call('POST', '/rulesets', file);
}

/** The demo's `.github/coordinator.yml`: required `ci`, channels `general` and `alerts` with routes. */
export function demoConfig(options: Pick<DemoOptions, 'strategy' | 'ciMs' | 'train'>): string {
  const timeout = Math.max(30, Math.ceil((options.ciMs * 20) / 1000));
  const train = options.train ?? {};
  return [
    'merge:',
    `  strategy: ${options.strategy ?? 'staging'}`,
    '  required_checks: [ci]',
    `  checks_timeout: ${timeout}s`,
    ...(train.batchSize !== undefined ? [`  batch_size: ${train.batchSize}`] : []),
    ...(train.parallel !== undefined ? [`  parallel: ${train.parallel}`] : []),
    ...(train.waitForPrChecks !== undefined ? [`  wait_for_pr_checks: ${train.waitForPrChecks}`] : []),
    ...(train.retries !== undefined ? [`  retries: ${train.retries}`] : []),
    'notifications:',
    '  default_channel: general',
    '  routes:',
    '    - events: [merge.conflict, merge.failed, merge.refused, merge.blocked, task.blocked, task.stalled, graph.invalid, ordering.violation]',
    '      channel: alerts',
    '    - events: [task.merged, generation.completed, graph.completed, task.unblocked, custom]',
    '      channel: general',
    // Ready signals: a workflow could start each task's agent from these (the report lists them).
    'agents:',
    '  dispatch: true',
    '',
  ].join('\n');
}

/** Every channel key a config names (default channel and routes). */
function channelKeys(configText: string): string[] {
  const config = (yaml.load(configText) ?? {}) as {
    notifications?: { default_channel?: string; routes?: { channel?: string }[] };
  };
  const keys = new Set([config.notifications?.default_channel ?? 'general']);
  for (const route of config.notifications?.routes ?? []) if (route.channel) keys.add(route.channel);
  return [...keys];
}

/** Commits the tasks, the config, a README and the shared file on `main`. @returns implementation task ids. */
async function seedRepo(repo: Repo, tasksDir: string, config: string): Promise<string[]> {
  const files: { path: string; text: string }[] = [
    { path: 'README.md', text: '# wraith (demo)\n\nSeeded by `taskgraph-coordinator demo`.\n' },
    { path: '.github/coordinator.yml', text: config },
    { path: SHARED_FILE, text: '# Changelog\n' },
  ];
  for (const file of readdirSync(tasksDir, { recursive: true }).map(String).sort()) {
    if (!file.endsWith('.md')) continue;
    files.push({
      path: `tasks/${file.split(path.sep).join('/')}`,
      text: readFileSync(path.join(tasksDir, file), 'utf8'),
    });
  }
  const changes = await Promise.all(
    files.map(async (f) => ({ path: f.path, mode: '100644', sha: await repo.git.writeBlob(f.text) })),
  );
  const tree = await repo.git.createTree(null, changes);
  const sha = await repo.git.commitTree({ tree, parents: [], message: 'Decompose the project into tasks\n' });
  await repo.git.updateRef('refs/heads/main', sha, null);
  const tasks = await tasksAt(repo, sha, 'tasks');
  return [...tasks.values()]
    .filter((t) => t.level === 'implementation')
    .map((t) => t.id)
    .sort();
}

/** Records when each task became completed on `main`, and when each task PR merged. */
export class Timeline {
  readonly completedAt = new Map<string, number>();
  readonly mergedAt = new Map<string, number>();
  readonly mergeOrder: string[] = [];
  #lastMain = '';
  #tasks = new Map<string, { status: string; dependsOn: readonly string[]; level: string }>();

  constructor(
    hub: Hub,
    private readonly repo: Repo,
  ) {
    hub.on('event', (event) => {
      if (event.kind === 'pull_request' && event.action === 'closed' && event.pull.mergedAt)
        this.mergedAt.set(event.pull.headRef, Date.now());
    });
  }

  get tasks() {
    return this.#tasks;
  }

  async sample(): Promise<{ total: number; completed: number }> {
    const main = await this.repo.git.ref('refs/heads/main');
    if (main && main !== this.#lastMain) {
      this.#lastMain = main;
      this.#tasks = await tasksAt(this.repo, main, 'tasks');
      for (const [id, task] of this.#tasks) {
        if (task.status === 'completed' && !this.completedAt.has(id)) {
          this.completedAt.set(id, Date.now());
          this.mergeOrder.push(id);
        }
      }
    }
    const completed = [...this.#tasks.values()].filter((t) => t.status === 'completed').length;
    return { total: this.#tasks.size, completed };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { branchOf };

/** A stand-in repository name for an imported repository: its folder's name, cleaned up. */
function repoNameOf(sourcePath: string): string {
  const base = path.basename(path.resolve(sourcePath)).replace(/\.git$/, '');
  return base.replace(/[^A-Za-z0-9._-]/g, '-') || 'repo';
}

/** A file's text on the default branch of `repo` ('' when it is not there). */
async function fileAt(repo: Repo, file: string): Promise<string> {
  const head = await repo.git.ref(`refs/heads/${repo.defaultBranch}`);
  const blob = head ? await repo.git.blobAt(head, file) : null;
  return blob ? (await repo.git.readBlob(blob)).toString('utf8') : '';
}

/** The implementation tasks on the default branch of an imported repository. */
async function implementationTasks(repo: Repo, config: string): Promise<string[]> {
  const head = await repo.git.ref(`refs/heads/${repo.defaultBranch}`);
  if (!head) throw new Error(`the imported repository has no ${repo.defaultBranch} branch`);
  const dir = ((yaml.load(config) ?? {}) as { tasks?: { dir?: string } }).tasks?.dir ?? 'tasks';
  const tasks = await tasksAt(repo, head, dir);
  return [...tasks.values()]
    .filter((t) => t.level === 'implementation')
    .map((t) => t.id)
    .sort();
}

/** Whether no app process is working on a repository (`coordinator_queue_depth` 0 on `/metrics`). */
async function appsIdle(apps: readonly AppProcess[]): Promise<boolean> {
  for (const app of apps) {
    if (!app.running) continue;
    try {
      const text = await (await fetch(`http://127.0.0.1:${app.options.port}/metrics`)).text();
      const depth = Number(/^coordinator_queue_depth (\d+)/m.exec(text)?.[1] ?? 0);
      if (depth > 0) return false;
    } catch {
      // not answering (restarting): nothing running there
    }
  }
  return true;
}
