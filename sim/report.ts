/**
 * The demo report: per task PR number, opened / ready / merged times and merge position; the base
 * branch's final statuses; ordering violations and status-change counts read back from `main`'s
 * first-parent git history (not from anyone's memory); API requests by route; webhooks; Teams posts;
 * makespan and its lower bound.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { AgentRecord, Agents } from './agents.js';
import type { Timeline } from './demo.js';
import type { Hub, Repo } from './hub.js';
import type { LoggedRequest, StandInServer } from './server.js';
import type { FakeTeams, TeamsPost } from './teams.js';
import type { WebhookSender } from './webhooks.js';

export interface TaskRow {
  readonly taskId: string;
  readonly kind: AgentRecord['kind'] | 'unknown';
  readonly pull: number | null;
  readonly openedAt: string | null;
  readonly readyAt: string | null;
  readonly mergedAt: string | null;
  /** 1-based position among the commits of `main` that completed a task. */
  readonly mergePosition: number | null;
  readonly status: string;
  /** How many times the task's `status:` changed on `main`. */
  readonly statusChanges: number;
  readonly fixes: number;
  readonly branchUpdates: number;
}

export interface CheckRunRow {
  readonly name: string;
  readonly headSha: string;
  /** The branch last moved to `headSha`, when one was. */
  readonly headBranch: string | null;
  readonly status: string;
  readonly conclusion: string | null;
  readonly title: string | null;
  readonly summary: string | null;
  /** The app that posted it. */
  readonly appId: number;
}

export interface DemoReport {
  readonly completed: boolean;
  readonly strategy: string;
  readonly tasks: readonly TaskRow[];
  readonly finalStatuses: Readonly<Record<string, string>>;
  readonly violations: readonly { taskId: string; dependency: string; message: string }[];
  readonly api: {
    readonly total: number;
    readonly reads: number;
    readonly writes: number;
    readonly byRoute: Readonly<Record<string, number>>;
    /** Answers by HTTP status (faults show up here as 502 and 403). */
    readonly byStatus: Readonly<Record<string, number>>;
    /** Per implementation task completed; `notModified` are the reads answered 304 (free on GitHub). */
    readonly perMergedTask: { readonly reads: number; readonly writes: number; readonly notModified: number };
  };
  readonly webhooks: {
    readonly sent: number;
    readonly dropped: number;
    readonly byEvent: Readonly<Record<string, number>>;
  };
  readonly teams: readonly TeamsPost[];
  readonly makespanMs: number;
  /** The physical limit: agent time plus one CI run per task on the critical path. */
  readonly lowerBoundMs: number;
  /**
   * The best waiting for PR checks allows: agent time plus two CI runs (the PR's, then the merge
   * result's) per task on the critical path.
   */
  readonly protocolBoundMs: number;
  /** CI runs that finished: on task branches (the PRs' own), on staging branches (merge results), red ones. */
  readonly ci: { readonly pr: number; readonly staging: number; readonly failed: number };
  readonly branchesLeft: readonly string[];
  readonly checkRunsInProgress: readonly { name: string; headSha: string }[];
  /** Every check run of the repository, to judge a run from outside. */
  readonly checkRuns: readonly CheckRunRow[];
  /** Why the run broke, when it did (the report is written anyway). */
  readonly error: string | null;
  /** How many times the app was SIGKILLed and restarted (`--kill-every`), all replicas together. */
  readonly kills: number;
  /** Each app process (`--replicas`): its restarts and the reconciles it ran (from its log). */
  readonly replicas: readonly {
    readonly port: number;
    readonly restarts: number;
    readonly reconciles: number;
  }[];
  /**
   * Deliveries made more than once: the app's PR comments with the same body on the same PR, and
   * accepted Teams posts with the same card on the same channel (extra copies counted).
   */
  readonly duplicates: { readonly comments: number; readonly cards: number };
  /** Merged implementation tasks whose `task.merged` card never reached Teams. */
  readonly lost: readonly string[];
  /** Merged implementation tasks whose `task.merged` card reached Teams more than once (a crash during a post). */
  readonly repeated: readonly string[];
  /** The app's check runs still in progress at the end. */
  readonly stuck: readonly { name: string; headSha: string; title: string | null }[];
  /** What the app wrote, in order: `METHOD route status` of each non-GET request (at most 1,000). */
  readonly appWrites: readonly string[];
  /** Every issue of the repository (the dashboard among them), with its comments. */
  readonly issues: readonly {
    readonly number: number;
    readonly title: string;
    readonly body: string;
    readonly labels: readonly string[];
    readonly comments: readonly { readonly user: string; readonly body: string }[];
  }[];
  /** Every pull request: head and base branch, state, merged. */
  readonly pulls: readonly {
    readonly number: number;
    readonly title: string;
    readonly head: string;
    readonly base: string;
    readonly state: string;
    readonly merged: boolean;
    readonly comments: readonly { readonly user: string; readonly body: string }[];
  }[];
  /** `repository_dispatch` events the app sent (`agents.dispatch`): the task of each, in order. */
  readonly dispatches: readonly { readonly eventType: string; readonly task: string; readonly at: string }[];
  /** Every answer GitHub's rules would give: refusals (403, 405, 422) and conflicts (409), by route and message. */
  readonly refusals: readonly { route: string; status: number; message: string; count: number }[];
  readonly mainHistory: readonly string[];
  readonly workdir: string;
  readonly appLog: string;
}

/** Builds the report (and writes it when `reportFile` is set). */
export async function buildReport(input: {
  hub: Hub;
  repo: Repo;
  timeline: Timeline;
  agents: Agents;
  server: StandInServer;
  webhooks: WebhookSender;
  teams: FakeTeams;
  t0: number;
  completed: boolean;
  ciMs: number;
  agentMs: number;
  strategy: string;
  workdir: string;
  reportFile: string | null;
  startedAt: number;
  /** `main` when the run began: completions in that history are not the run's (no violations). */
  seedHead?: string | null;
  appLog: string;
  error?: string | null;
  kills?: number;
  replicas?: readonly { port: number; restarts: number; log: string }[];
  /** Every finished CI run: which branch it tested, and how it ended. */
  ciRuns?: readonly { branch: string; conclusion: 'success' | 'failure' }[];
}): Promise<DemoReport> {
  const { repo, timeline, agents } = input;
  await timeline.sample();
  const history = await statusHistory(repo, input.seedHead ?? null);
  const tasks = timeline.tasks;
  const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null);

  const violations: DemoReport['violations'][number][] = [];
  for (const [id, task] of tasks) {
    const at = history.completedAt.get(id);
    if (at === undefined || history.inherited.has(id)) continue;
    for (const dep of task.dependsOn) {
      const depAt = history.completedAt.get(dep);
      if (depAt === undefined || depAt > at)
        violations.push({
          taskId: id,
          dependency: dep,
          message: `${id} was completed on main before its dependency ${dep}`,
        });
    }
  }

  const rows: TaskRow[] = [...tasks.keys()].sort().map((id) => {
    const record = agents.records.get(id);
    const pull = record?.pull ? repo.pulls.get(record.pull) : undefined;
    return {
      taskId: id,
      kind: record?.kind ?? kindOf(tasks.get(id)?.level),
      pull: record?.pull ?? null,
      openedAt: iso(record?.openedAtMs),
      readyAt: iso(record?.readyAtMs),
      mergedAt: pull?.mergedAt ?? iso(timeline.completedAt.get(id)),
      mergePosition: history.completedAt.get(id) ?? null,
      status: tasks.get(id)?.status ?? 'missing',
      statusChanges: history.changes.get(id) ?? 0,
      fixes: record?.fixes ?? 0,
      branchUpdates: record?.updates ?? 0,
    };
  });

  const log = input.server.log.filter((r) => r.atMs >= input.startedAt);
  const byRoute: Record<string, number> = {};
  for (const r of log) byRoute[`${r.method} ${r.route}`] = (byRoute[`${r.method} ${r.route}`] ?? 0) + 1;
  const reads = log.filter((r) => r.method === 'GET').length;
  const byStatus: Record<string, number> = {};
  for (const r of log) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  const merged = Math.max(
    1,
    rows.filter((r) => r.kind === 'implementation' && r.status === 'completed').length,
  );
  const byEvent: Record<string, number> = {};
  for (const d of input.webhooks.deliveries) {
    const key = d.action ? `${d.event}.${d.action}` : d.event;
    byEvent[key] = (byEvent[key] ?? 0) + 1;
  }

  const finishedAt = Math.max(input.t0, ...timeline.completedAt.values());
  const report: DemoReport = {
    completed: input.completed,
    strategy: input.strategy,
    tasks: rows,
    finalStatuses: Object.fromEntries([...tasks].map(([id, t]) => [id, t.status])),
    violations,
    api: {
      total: log.length,
      reads,
      writes: log.length - reads,
      byRoute,
      byStatus,
      perMergedTask: {
        reads: round(reads / merged),
        writes: round((log.length - reads) / merged),
        notModified: round(log.filter((r) => r.status === 304).length / merged),
      },
    },
    webhooks: {
      sent: input.webhooks.deliveries.filter((d) => d.status !== null).length,
      dropped: input.webhooks.deliveries.filter((d) => d.status === null).length,
      byEvent,
    },
    teams: input.teams.posts,
    makespanMs: finishedAt - input.t0,
    lowerBoundMs: lowerBound(tasks, input.agentMs, input.ciMs),
    protocolBoundMs: lowerBound(tasks, input.agentMs, 2 * input.ciMs),
    ci: {
      pr: (input.ciRuns ?? []).filter((r) => !r.branch.startsWith('coordinator/')).length,
      staging: (input.ciRuns ?? []).filter((r) => r.branch.startsWith('coordinator/')).length,
      failed: (input.ciRuns ?? []).filter((r) => r.conclusion === 'failure').length,
    },
    branchesLeft: [...(await repo.git.refs('refs/heads/feat/')).keys()].map((r) =>
      r.replace('refs/heads/', ''),
    ),
    checkRunsInProgress: repo.checkRuns
      .filter((r) => r.status !== 'completed')
      .map((r) => ({ name: r.name, headSha: r.headSha })),
    checkRuns: checkRunRows(repo),
    error: input.error ?? null,
    kills: input.kills ?? 0,
    replicas: (input.replicas ?? []).map((r) => ({
      port: r.port,
      restarts: r.restarts,
      reconciles: reconcilesIn(r.log),
    })),
    duplicates: {
      comments: extraCopies(
        input.repo.comments
          .filter((c) => c.user.type === 'Bot')
          .map((c) => `${c.issueNumber}\u0000${c.body}`),
      ),
      cards: extraCopies(
        input.teams.posts
          .filter((p) => p.status >= 200 && p.status < 300)
          .map((p) => `${p.channel}\u0000${JSON.stringify(p.body)}`),
      ),
    },
    ...mergeDeliveries(rows, input.teams.posts),
    stuck: repo.checkRuns
      .filter((r) => r.appId === input.hub.app.id && r.status !== 'completed')
      .map((r) => ({ name: r.name, headSha: r.headSha, title: r.output.title })),
    refusals: refusalRows(log),
    appWrites: log
      .filter((r) => r.method !== 'GET' && r.user === undefined)
      .slice(0, 1_000)
      .map((r) => `${r.method} ${r.route} ${r.status}`),
    issues: [...input.repo.issues.values()].map((i) => ({
      number: i.number,
      title: i.title,
      body: i.body,
      labels: [...i.labels],
      comments: input.repo.comments
        .filter((c) => c.issueNumber === i.number)
        .map((c) => ({ user: c.user.login, body: c.body })),
    })),
    pulls: [...input.repo.pulls.values()].map((p) => ({
      number: p.number,
      title: p.title,
      head: p.headRef,
      base: p.baseRef,
      state: p.state,
      merged: p.mergedAt !== null,
      comments: input.repo.comments
        .filter((c) => c.issueNumber === p.number)
        .map((c) => ({ user: c.user.login, body: c.body })),
    })),
    dispatches: input.repo.dispatches.map((d) => ({
      eventType: d.eventType,
      task: String((d.clientPayload as { task?: unknown }).task ?? ''),
      at: d.at,
    })),
    mainHistory: await repo.git.log('refs/heads/main'),
    workdir: input.workdir,
    appLog: input.appLog,
  };
  if (input.reportFile) writeFileSync(input.reportFile, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

/**
 * Merged implementation tasks by how many accepted Teams posts say "Task merged: <id>" (a card or a
 * digest line): `lost` none, `repeated` more than one.
 */
function mergeDeliveries(
  rows: readonly TaskRow[],
  posts: readonly TeamsPost[],
): { lost: string[]; repeated: string[] } {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object')
      for (const [key, value] of Object.entries(node)) {
        if (key === 'text' && typeof value === 'string') texts.push(value);
        else walk(value);
      }
  };
  for (const post of posts) if (post.status >= 200 && post.status < 300) walk(post.body);
  const all = texts.join('\n');
  const merged = rows.filter(
    (r) => r.kind === 'implementation' && r.status === 'completed' && r.pull !== null,
  );
  const count = (id: string) =>
    all.match(new RegExp(`Task merged: ${id.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?![\\w/-])`, 'g'))
      ?.length ?? 0;
  return {
    lost: merged.filter((r) => count(r.taskId) === 0).map((r) => r.taskId),
    repeated: merged.filter((r) => count(r.taskId) > 1).map((r) => r.taskId),
  };
}

function refusalRows(log: readonly LoggedRequest[]): DemoReport['refusals'] {
  const rows = new Map<string, { route: string; status: number; message: string; count: number }>();
  for (const r of log) {
    if (!r.message || /secondary rate limit/.test(r.message)) continue;
    const key = `${r.method} ${r.route} ${r.status} ${r.message}`;
    const row = rows.get(key) ?? {
      route: `${r.method} ${r.route}`,
      status: r.status,
      message: r.message,
      count: 0,
    };
    row.count++;
    rows.set(key, row);
  }
  return [...rows.values()];
}

function checkRunRows(repo: Repo): CheckRunRow[] {
  const branchOf = new Map<string, string>();
  for (const move of repo.refLog) if (move.sha) branchOf.set(move.sha, move.branch);
  return repo.checkRuns.map((r) => ({
    name: r.name,
    headSha: r.headSha,
    headBranch: branchOf.get(r.headSha) ?? null,
    status: r.status,
    conclusion: r.conclusion,
    title: r.output.title,
    summary: r.output.summary,
    appId: r.appId,
  }));
}

/**
 * No task can merge before its PR is ready (its dependencies merged, then `agentMs` of agent work),
 * and before one CI run on the merge result (`ciMs`) has finished. A review task takes `agentMs`
 * and no CI run: the scripted maintainer reviews for that long (`Agents`), then completes it with a
 * command. Planning tasks take no time of their own. @returns the longest such chain, ms.
 */
export function lowerBound(
  tasks: ReadonlyMap<string, { dependsOn: readonly string[]; level: string }>,
  agentMs: number,
  ciMs: number,
): number {
  const memo = new Map<string, number>();
  const finish = (id: string, depth: number): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const task = tasks.get(id);
    if (!task || depth > tasks.size) return 0;
    const start = Math.max(0, ...task.dependsOn.map((d) => finish(d, depth + 1)));
    const own = task.level === 'implementation' ? agentMs + ciMs : task.level === 'review' ? agentMs : 0;
    const value = start + own;
    memo.set(id, value);
    return value;
  };
  return Math.max(0, ...[...tasks.keys()].map((id) => finish(id, 0)));
}

/**
 * Walks `main`'s first-parent history oldest first and reads every task file's status at each
 * commit: where each task was first completed (commit position among completing commits), and how
 * many times its status changed.
 */
async function statusHistory(
  repo: Repo,
  seedHead: string | null,
): Promise<{ completedAt: Map<string, number>; changes: Map<string, number>; inherited: Set<string> }> {
  const lines = (await repo.git.log('refs/heads/main')).reverse();
  const commits = lines.map((line) => line.slice(0, 40));
  // Tasks completed in the history the run started from were not completed by this run, and
  // neither were those the adoption PR records from that history.
  const adoptions = new Set(lines.filter((l) => l.includes('coordinator/adopt')).map((l) => l.slice(0, 40)));
  const inherited = new Set<string>();
  const seedAt = seedHead ? commits.indexOf(seedHead) : -1;
  const blobStatus = new Map<string, { id: string; status: string } | null>();
  const last = new Map<string, string>();
  const changes = new Map<string, number>();
  const completedAt = new Map<string, number>();
  let position = 0;
  for (const [i, sha] of commits.entries()) {
    let completedHere = false;
    const entries = (await repo.git.listTree(sha, true)).filter(
      (e) => e.type === 'blob' && e.path.startsWith('tasks/') && e.path.endsWith('.md'),
    );
    for (const entry of entries) {
      let parsed = blobStatus.get(entry.sha);
      if (parsed === undefined) {
        const text = (await repo.git.readBlob(entry.sha)).toString('utf8');
        const id = /^id:\s*(.+?)\s*$/m.exec(text)?.[1];
        const status = /^status:\s*(\S+)/m.exec(text)?.[1] ?? 'pending';
        parsed = id ? { id, status: status === 'done' ? 'completed' : status } : null;
        blobStatus.set(entry.sha, parsed);
      }
      if (!parsed) continue;
      const before = last.get(parsed.id);
      if (before !== undefined && before !== parsed.status)
        changes.set(parsed.id, (changes.get(parsed.id) ?? 0) + 1);
      last.set(parsed.id, parsed.status);
      if (parsed.status === 'completed' && !completedAt.has(parsed.id)) {
        if (!completedHere) position++;
        completedHere = true;
        completedAt.set(parsed.id, position);
        if (i <= seedAt || adoptions.has(sha)) inherited.add(parsed.id);
      }
    }
  }
  return { completedAt, changes, inherited };
}

function kindOf(level: string | undefined): TaskRow['kind'] {
  if (level === 'planning' || level === 'review') return level;
  return level === undefined ? 'unknown' : 'implementation';
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** How many of `keys` repeat an earlier one. */
function extraCopies(keys: readonly string[]): number {
  return keys.length - new Set(keys).size;
}

/** Reconciles an app process logged (its JSON log: one `{repo, action}` line per reconcile). */
export function reconcilesIn(logFile: string): number {
  if (!existsSync(logFile)) return 0;
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes('"action":') && line.includes('"repo":')).length;
}
