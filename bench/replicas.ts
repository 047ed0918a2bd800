/**
 * Several replicas (issue 12): 100 repositories, each with a two-task graph and an open, ready task
 * PR, on the GitHub stand-in; the real app as 1 and then 2 processes on one store (PostgreSQL when
 * DATABASE_URL is set, else one SQLite file on this host). Measured side by side in one run:
 *
 * - `wallMs`: from the apps answering `/ping` until every repository has had its first reconcile
 *   (its `Task graph` check exists on main): the first resync after boot marks all 100 dirty, and
 *   each replica reconciles at most MAX_CONCURRENT_RECONCILES (4) at once;
 * - `reconciles` per replica (from its log) and `rssMiB` per replica at the end (VmRSS);
 * - lease take-over: with 2 replicas and `LEASE_TTL_MS` 5 s, replica 1 is SIGKILLed while it holds
 *   leases; `takeoverMs` is how long until replica 2 holds each of them (median and max), which
 *   should be about the TTL plus one poll.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { AppProcess, freePort } from '../sim/app-process.js';
import { Hub } from '../sim/hub.js';
import { freshSchema } from '../sim/pg-schema.js';
import { reconcilesIn } from '../sim/report.js';
import { StandInServer } from '../sim/server.js';

const REPOS = 100;
const TTL_MS = 5_000;

export interface ReplicasRun {
  readonly replicas: number;
  readonly wallMs: number;
  readonly completed: number;
  readonly perReplica: readonly { reconciles: number; rssMiB: number }[];
}

export interface ReplicasBench {
  readonly store: 'postgres' | 'sqlite';
  readonly repositories: number;
  readonly runs: readonly ReplicasRun[];
  /** 2 replicas' wall time over 1 replica's. */
  readonly speedup: number;
  readonly takeover: {
    readonly leaseTtlMs: number;
    readonly leases: number;
    readonly medianMs: number;
    readonly maxMs: number;
  } | null;
}

const task = (id: string, deps: string[]) =>
  [
    '---',
    `id: ${id}`,
    `name: Task ${id}`,
    'status: pending',
    'level: implementation',
    ...(deps.length ? ['depends_on:', ...deps.map((d) => `  - ${d}`)] : []),
    '---',
    '',
    '## Notes',
    '',
  ].join('\n');

/** A stand-in with `REPOS` repositories: tasks a and b (after a), and an open ready PR for a. */
async function world(workdir: string): Promise<{ hub: Hub; server: StandInServer; gheHost: string }> {
  const hub = new Hub({ webUrl: 'https://github.example' });
  const agent = { login: 'agent', type: 'User' as const };
  for (let n = 0; n < REPOS; n++) {
    const repo = await hub.createRepo(
      path.join(workdir, 'repos'),
      'acme',
      `repo-${String(n).padStart(3, '0')}`,
    );
    const blobs = [
      { path: 'tasks/a.md', text: task('a', []) },
      { path: 'tasks/b.md', text: task('b', ['a']) },
    ];
    const tree = await repo.git.createTree(
      null,
      await Promise.all(
        blobs.map(async (b) => ({ path: b.path, mode: '100644', sha: await repo.git.writeBlob(b.text) })),
      ),
    );
    const main = await repo.git.commitTree({ tree, parents: [], message: 'tasks\n' });
    await repo.git.updateRef('refs/heads/main', main, null);
    const work = await repo.git.createTree(tree, [
      { path: 'src/a.ts', mode: '100644', sha: await repo.git.writeBlob('export {};\n') },
    ]);
    const head = await repo.git.commitTree({ tree: work, parents: [main], message: 'Implement a\n' });
    await hub.moveBranch(repo, 'feat/a', head, null, agent);
    const pull = await hub.openPull(repo, {
      head: 'feat/a',
      base: 'main',
      title: 'Implement a',
      body: 'Task: a',
      draft: false,
      user: agent,
    });
    hub.markReady(repo, pull, agent);
  }
  const server = new StandInServer(hub);
  return { hub, server, gheHost: await server.listen() };
}

function rssMiB(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return Math.round((kb / 1024) * 10) / 10;
  } catch {
    return 0;
  }
}

async function freshStore(url: string | undefined): Promise<Record<string, string>> {
  return url ? { DATABASE_URL: await freshSchema(url, 'bench') } : {};
}

async function apps(
  count: number,
  gheHost: string,
  workdir: string,
  env: Record<string, string>,
): Promise<AppProcess[]> {
  const list: AppProcess[] = [];
  for (let i = 0; i < count; i++)
    list.push(
      new AppProcess({
        workdir,
        gheHost,
        port: await freePort(),
        secret: 'bench',
        channelsFile: '',
        resyncMs: 1_000,
        logName: `app-${i + 1}.log`,
        dataDir: path.join(workdir, 'data'),
        env: { ...env, LEASE_TTL_MS: String(TTL_MS), DIRTY_POLL_MS: '250', TEAMS_CHANNELS_FILE: '' },
      }),
    );
  return list;
}

const reconciledRepos = (hub: Hub) =>
  [...hub.repos.values()].filter((r) => r.checkRuns.some((c) => c.name === 'Task graph')).length;

async function run(replicas: number): Promise<ReplicasRun> {
  const workdir = mkdtempSync(path.join(tmpdir(), `bench-replicas-${replicas}-`));
  const { hub, server, gheHost } = await world(workdir);
  const processes = await apps(replicas, gheHost, workdir, await freshStore(process.env.DATABASE_URL));
  try {
    await Promise.all(processes.map((p) => p.start()));
    const started = Date.now();
    const deadline = started + 600_000;
    while (reconciledRepos(hub) < REPOS && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const wallMs = Date.now() - started;
    return {
      replicas,
      wallMs,
      completed: reconciledRepos(hub),
      perReplica: processes.map((p) => ({ reconciles: reconcilesIn(p.logFile), rssMiB: rssMiB(p.pid) })),
    };
  } finally {
    for (const p of processes) await p.stop();
    await server.close();
  }
}

/** Kills replica 1 while it holds leases; how long until replica 2 holds each of them. */
async function takeover(): Promise<ReplicasBench['takeover']> {
  const url = process.env.DATABASE_URL;
  if (!url) return null;
  const workdir = mkdtempSync(path.join(tmpdir(), 'bench-takeover-'));
  const { server, gheHost } = await world(workdir);
  const env = await freshStore(url);
  const processes = await apps(2, gheHost, workdir, env);
  const client = new pg.Client({ connectionString: env.DATABASE_URL });
  await client.connect();
  try {
    await Promise.all(processes.map((p) => p.start()));
    const [first, second] = processes as [AppProcess, AppProcess];
    // Wait until replica 1 holds at least one live lease.
    let held: string[] = [];
    for (let i = 0; i < 600 && held.length === 0; i++) {
      const { rows } = await client.query<{ repo: string; holder: string }>(
        'SELECT repo, holder FROM leases WHERE expires_at > $1',
        [Date.now()],
      );
      held = rows.filter((r) => r.holder.endsWith(`:${first.options.port}`)).map((r) => r.repo);
      if (held.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    const killedAt = Date.now();
    await first.kill();
    const taken = new Map<string, number>();
    while (taken.size < held.length && Date.now() - killedAt < 120_000) {
      const { rows } = await client.query<{ repo: string; holder: string }>(
        'SELECT repo, holder FROM leases WHERE repo = ANY($1)',
        [held],
      );
      for (const row of rows)
        if (!taken.has(row.repo) && row.holder.endsWith(`:${second.options.port}`))
          taken.set(row.repo, Date.now() - killedAt);
      // A repository replica 2 already finished shows as released by it; a fresh mark makes it look again.
      await new Promise((r) => setTimeout(r, 50));
    }
    const times = [...taken.values()].sort((a, b) => a - b);
    return {
      leaseTtlMs: TTL_MS,
      leases: held.length,
      medianMs: times[Math.floor(times.length / 2)] ?? -1,
      maxMs: times[times.length - 1] ?? -1,
    };
  } finally {
    await client.end();
    for (const p of processes) await p.stop();
    await server.close();
  }
}

export async function benchReplicas(): Promise<ReplicasBench> {
  const one = await run(1);
  const two = await run(2);
  return {
    store: process.env.DATABASE_URL ? 'postgres' : 'sqlite',
    repositories: REPOS,
    runs: [one, two],
    speedup: Math.round((one.wallMs / Math.max(1, two.wallMs)) * 100) / 100,
    takeover: await takeover(),
  };
}
