/**
 * Scripted coding agents, one per implementation task, behaving like the agents of the coordinator
 * workflow (../shared/reference/coordinator-agent-prompt.md): when a task becomes ready on `main`
 * (pending, every dependency completed), an agent waits `agentMs`, branches `feat/<id>` from `main`,
 * commits its own file (and, for tasks in `sharedEditors`, a line appended to a shared file, so that
 * real overlaps and conflicts happen), pushes, opens a draft PR and marks it ready. It never edits a
 * task file. When the coordinator reports a conflict it merges `main` into its branch and pushes;
 * when CI fails on its head or on the merge result it pushes a fix. Review tasks are completed by
 * a maintainer's `/coordinator complete <id>` on a tracking issue; planning tasks by the app.
 */
import yaml from 'js-yaml';
import type { Actor, Hub, Repo } from './hub.js';

export interface AgentOptions {
  readonly agentMs: number;
  readonly branchPrefix: string;
  /** Task ids whose change also appends a line to `SHARED_FILE`. */
  readonly sharedEditors: ReadonlySet<string>;
  /** Task ids whose change also edits `WORKFLOW_FILE` (needs the app's `workflows` permission). */
  readonly workflowEditors?: ReadonlySet<string>;
  /** Task ids no agent works on (a test brings their PR some other way). */
  readonly skip?: ReadonlySet<string>;
  readonly tasksDir: string;
}

export const SHARED_FILE = 'shared/CHANGELOG.md';
export const WORKFLOW_FILE = '.github/workflows/ci.yml';
const MAINTAINER: Actor = { login: 'maintainer', type: 'User' };

interface TaskInfo {
  readonly id: string;
  readonly status: string;
  readonly dependsOn: readonly string[];
  readonly level: string;
}

/** What happened to each task, for the demo report. */
export interface AgentRecord {
  taskId: string;
  kind: 'implementation' | 'review' | 'planning';
  startedAtMs: number | null;
  pull: number | null;
  openedAtMs: number | null;
  readyAtMs: number | null;
  fixes: number;
  updates: number;
}

/** The normalization of task ids to branch names the app uses (lowercase, `-` for the rest). */
export function branchOf(prefix: string, id: string): string {
  const normalized = id
    .toLowerCase()
    .replace(/[\s_]+/g, '-')
    .replace(/[^a-z0-9./-]/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-/]+|[-/]+$/g, '');
  return `${prefix}${normalized}`;
}

/** Reads the task files on a commit (frontmatter only). */
export async function tasksAt(
  repo: Repo,
  sha: string,
  dir: string,
): Promise<Map<string, TaskInfo & { path: string }>> {
  const entries = (await repo.git.listTree(sha, true)).filter(
    (e) => e.type === 'blob' && e.path.startsWith(`${dir}/`) && e.path.endsWith('.md'),
  );
  const tasks = new Map<string, TaskInfo & { path: string }>();
  for (const entry of entries) {
    const text = (await repo.git.readBlob(entry.sha)).toString('utf8');
    const match = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
    if (!match) continue;
    const data = yaml.load(match[1] as string, { schema: yaml.CORE_SCHEMA }) as Record<
      string,
      unknown
    > | null;
    if (!data || typeof data.id !== 'string') continue;
    const deps = (data.depends_on ?? data.dependsOn ?? []) as string[];
    const status = String(data.status ?? 'pending');
    tasks.set(data.id, {
      id: data.id,
      status: status === 'done' ? 'completed' : status,
      dependsOn: Array.isArray(deps) ? deps.map(String) : [],
      level: String(data.level ?? 'implementation'),
      path: entry.path,
    });
  }
  return tasks;
}

export class Agents {
  readonly records = new Map<string, AgentRecord>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #trackingIssue: number | null = null;
  #stopped = false;
  #scanning: Promise<void> = Promise.resolve();
  /**
   * Each agent's git writes, in order (an agent pushes one change at a time; agents are separate
   * machines, so one agent's push never waits for another's).
   */
  readonly #writes = new Map<string, Promise<unknown>>();

  constructor(
    private readonly hub: Hub,
    private readonly repo: Repo,
    private readonly options: AgentOptions,
  ) {
    hub.on('event', (event) => {
      if (this.#stopped) return;
      if (event.kind === 'push' && event.ref === `refs/heads/${repo.defaultBranch}`) this.scan(Date.now());
      if (event.kind === 'issue_comment' && event.sender.appId === hub.app.id)
        this.#onCoordinatorComment(event.comment.issueNumber, event.comment.body);
      if (
        event.kind === 'check_run' &&
        event.action === 'completed' &&
        event.run.name === 'ci' &&
        event.run.conclusion === 'failure'
      )
        this.#onRedCi(event.run.headSha);
    });
  }

  /**
   * Looks at `main` and starts every task that became ready. `seenAtMs`: when `main` moved; an
   * agent's work time counts from then (reading the task files is the simulation's bookkeeping,
   * not the agent's work).
   */
  scan(seenAtMs = Date.now()): void {
    this.#scanning = this.#scanning.then(() => this.#scan(seenAtMs)).catch(() => undefined);
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
  }

  async #scan(seenAtMs: number): Promise<void> {
    const main = await this.repo.git.ref(`refs/heads/${this.repo.defaultBranch}`);
    if (!main) return;
    const tasks = await tasksAt(this.repo, main, this.options.tasksDir);
    for (const task of tasks.values()) {
      if (this.records.has(task.id) || task.status !== 'pending' || this.options.skip?.has(task.id)) continue;
      if (!task.dependsOn.every((d) => tasks.get(d)?.status === 'completed')) continue;
      const kind =
        task.level === 'planning' ? 'planning' : task.level === 'review' ? 'review' : 'implementation';
      const record: AgentRecord = {
        taskId: task.id,
        kind,
        startedAtMs: seenAtMs,
        pull: null,
        openedAtMs: null,
        readyAtMs: null,
        fixes: 0,
        updates: 0,
      };
      this.records.set(task.id, record);
      if (kind === 'planning') continue; // the coordinator completes these
      this.#later(
        Math.max(0, this.options.agentMs - (Date.now() - seenAtMs)),
        () => (kind === 'review' ? this.#review(task.id) : this.#implement(task.id, record)),
        task.id,
      );
    }
  }

  /** Runs `work` after `ms`, after the earlier writes of the same agent (`agent`: its task). */
  #later(ms: number, work: () => Promise<void>, agent: string): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#stopped) return;
      const next = (this.#writes.get(agent) ?? Promise.resolve()).then(work).catch((error: unknown) => {
        process.stderr.write(`agent error: ${String(error)}\n`);
      });
      this.#writes.set(agent, next);
    }, ms);
    this.#timers.add(timer);
  }

  async #implement(taskId: string, record: AgentRecord): Promise<void> {
    const { repo, hub } = this;
    const main = (await repo.git.ref(`refs/heads/${repo.defaultBranch}`)) as string;
    const branch = branchOf(this.options.branchPrefix, taskId);
    const tree = await this.#treeWithChange(main, taskId);
    const sha = await repo.git.commitTree({
      tree,
      parents: [main],
      message: `Implement ${taskId}`,
      author: this.#author(taskId),
    });
    const agent = this.#actor(taskId);
    // A branch left from earlier work (a pushed-but-empty branch, a draft the app opened for an
    // unfinished one) is taken over: force-pushed, and its open PR reused.
    const current = await repo.git.ref(`refs/heads/${branch}`);
    await hub.moveBranch(repo, branch, sha, current, agent);
    const existing = [...repo.pulls.values()].find(
      (p) => p.state === 'open' && p.headRef === branch && p.headRepo === repo,
    );
    const pull =
      existing ??
      (await hub.openPull(repo, {
        head: branch,
        base: repo.defaultBranch,
        title: `Implement ${taskId}`,
        body: `Task: ${taskId}\n\nWork of the scripted agent for \`${taskId}\`.`,
        draft: true,
        user: agent,
      }));
    record.pull = pull.number;
    record.openedAtMs = Date.now();
    hub.markReady(repo, pull, agent);
    record.readyAtMs = Date.now();
    // CI starts on the push, before the PR exists: a run that already failed (a fast CI on a busy
    // machine) was announced before this agent knew its PR, so it looks for itself.
    const red = repo.checkRuns.some(
      (r) =>
        r.name === 'ci' &&
        r.headSha === pull.headSha &&
        r.status === 'completed' &&
        r.conclusion === 'failure',
    );
    if (red) this.#onRedCi(pull.headSha);
  }

  /** The agent's change on top of `base`: its own file, plus its line in the shared file. */
  async #treeWithChange(base: string, taskId: string): Promise<string> {
    const { git } = this.repo;
    const changes = [
      {
        path: `work/${taskId}.md`,
        mode: '100644',
        sha: await git.writeBlob(`# ${taskId}\n\nDone by the scripted agent.\n`),
      },
    ];
    if (this.options.workflowEditors?.has(taskId)) {
      const text = `# CI, touched by ${taskId}\non: [push, pull_request]\njobs: {}\n`;
      changes.push({ path: WORKFLOW_FILE, mode: '100644', sha: await git.writeBlob(text) });
    }
    if (this.options.sharedEditors.has(taskId)) {
      const current = await git.blobAt(base, SHARED_FILE);
      const text = current ? (await git.readBlob(current)).toString('utf8') : '# Changelog\n';
      const line = `- ${taskId}\n`;
      if (!text.includes(line))
        changes.push({ path: SHARED_FILE, mode: '100644', sha: await git.writeBlob(`${text}${line}`) });
    }
    return git.createTree(base, changes);
  }

  /**
   * A maintainer completes a review with a command. Like a person, they look for the app's reaction
   * and post the command again when none came (a dropped webhook loses the comment for the app).
   */
  async #review(taskId: string): Promise<void> {
    const { repo, hub } = this;
    this.#trackingIssue ??= repo.nextIssue++;
    const body = `Reviewed: looks good.\n/coordinator complete ${taskId}`;
    const comment = hub.addComment(repo, this.#trackingIssue, body, MAINTAINER);
    this.#later(
      Math.max(3_000, this.options.agentMs * 5),
      async () => {
        if (repo.reactions.some((r) => r.commentId === comment.id)) return;
        await this.#review(taskId);
      },
      taskId,
    );
  }

  /** The PR of an agent, by number. */
  #recordOfPull(number: number): AgentRecord | undefined {
    return [...this.records.values()].find((r) => r.pull === number);
  }

  #onCoordinatorComment(issueNumber: number, body: string): void {
    const record = this.#recordOfPull(issueNumber);
    if (!record) return;
    if (/^\*\*(Conflict with|Not mergeable)/m.test(body))
      this.#later(Math.min(this.options.agentMs, 200), () => this.#mergeMain(record), record.taskId);
    else if (/^\*\*(Checks failed|Required checks never ran)/m.test(body))
      this.#later(Math.min(this.options.agentMs, 200), () => this.#pushFix(record), record.taskId);
  }

  #onRedCi(sha: string): void {
    for (const record of this.records.values()) {
      const pull = record.pull === null ? undefined : this.repo.pulls.get(record.pull);
      if (pull?.state === 'open' && pull.headSha === sha)
        this.#later(Math.min(this.options.agentMs, 200), () => this.#pushFix(record), record.taskId);
    }
  }

  /** Merges `main` into the branch, resolving the shared file by keeping both sides. */
  async #mergeMain(record: AgentRecord): Promise<void> {
    const pull = record.pull === null ? undefined : this.repo.pulls.get(record.pull);
    if (pull?.state !== 'open') return;
    const main = (await this.repo.git.ref(`refs/heads/${this.repo.defaultBranch}`)) as string;
    if (await this.repo.git.isAncestor(main, pull.headSha)) return;
    const tree = await this.#treeWithChange(main, record.taskId);
    const sha = await this.repo.git.commitTree({
      tree,
      parents: [pull.headSha, main],
      message: `Merge branch '${this.repo.defaultBranch}' into ${pull.headRef}`,
      author: this.#author(record.taskId),
    });
    record.updates++;
    await this.hub.moveBranch(this.repo, pull.headRef, sha, pull.headSha, this.#actor(record.taskId));
  }

  async #pushFix(record: AgentRecord): Promise<void> {
    const pull = record.pull === null ? undefined : this.repo.pulls.get(record.pull);
    if (pull?.state !== 'open') return;
    const { git } = this.repo;
    const fix = await git.writeBlob(
      `# ${record.taskId}\n\nDone by the scripted agent (fix ${record.fixes + 1}).\n`,
    );
    const tree = await git.createTree(pull.headSha, [
      { path: `work/${record.taskId}.md`, mode: '100644', sha: fix },
    ]);
    const sha = await git.commitTree({
      tree,
      parents: [pull.headSha],
      message: `Fix CI for ${record.taskId}`,
      author: this.#author(record.taskId),
    });
    record.fixes++;
    await this.hub.moveBranch(this.repo, pull.headRef, sha, pull.headSha, this.#actor(record.taskId));
  }

  #actor(taskId: string): Actor {
    return { login: `agent-${taskId.replace(/[^a-z0-9]+/gi, '-')}`, type: 'User' };
  }

  #author(taskId: string) {
    return { name: `agent ${taskId}`, email: 'agent@example.test' };
  }
}
