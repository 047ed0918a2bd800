/** The planner on wraith's real task graph and the task-file edits its agents really made. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTasksDir } from '../../../src/adapters/fs/read-tasks-dir.js';
import { planReconcile } from '../../../src/domain/merge/plan.js';
import { taskFileChange } from '../../../src/domain/merge/status-changes.js';
import type { SourceFile } from '../../../src/domain/tasks/types.js';
import { green, pull, snapshotOf } from '../../helpers/snapshots.js';
import { WRAITH_DIR } from '../../helpers/task-files.js';

/** Task files of a snapshot with repo-relative paths (`tasks/...`), as the app reads them. */
async function wraith(snapshot: string): Promise<SourceFile[]> {
  const dir = path.join(WRAITH_DIR, snapshot, 'tasks');
  return (await readTasksDir(dir)).map((f) => ({ ...f, path: `tasks/${path.relative(dir, f.path)}` }));
}
const read = (...parts: string[]) => readFileSync(path.join(WRAITH_DIR, ...parts), 'utf8');

describe('wraith 01: everything pending', () => {
  it('merges the root first and makes its dependents wait for it', async () => {
    const plan = planReconcile(
      snapshotOf({
        files: await wraith('01-decomposed-all-pending'),
        pulls: [
          pull(2, 'auth/error-types', { checks: green }),
          pull(1, 'setup/project-init', { checks: green }),
        ],
      }),
    );
    expect(plan.action).toMatchObject({
      kind: 'start-batch',
      entries: [{ number: 1, taskId: 'setup/project-init' }],
    });
    const order = plan.checkRuns.filter((c) => c.name === 'Merge order').map((c) => c.title);
    expect(order).toEqual([
      'Waiting for 1 dependency: setup/project-init',
      'Ready: position 1 in the merge queue',
    ]);
  });
});

describe('wraith 03: statuses that lag behind git', () => {
  it('reports the status inversions as ordering violations without failing the graph', async () => {
    const plan = planReconcile(snapshotOf({ files: await wraith('03-server-layer-completed') }));
    expect(plan.checkRuns.find((c) => c.name === 'Task graph')?.conclusion).toBe('success');
    expect(plan.events.filter((e) => e.type === 'ordering.violation').map((e) => e.taskId)).toEqual([
      'client/channel-manager',
      'meta/server-layer',
      'server/serve-loop',
    ]);
  });

  it('lets cli/serve-command merge because its only dependency says completed', async () => {
    const plan = planReconcile(
      snapshotOf({
        files: await wraith('03-server-layer-completed'),
        pulls: [pull(7, 'cli/serve-command', { checks: green })],
      }),
    );
    expect(plan.action).toMatchObject({ kind: 'start-batch', entries: [{ taskId: 'cli/serve-command' }] });
  });
});

describe('wraith 06: agents editing task files on their branches', () => {
  const base = (file: string) => read('01-decomposed-all-pending/tasks', file);

  it('refuses feat/client/channel-manager, whose agent set `status: done`', async () => {
    const change = taskFileChange(
      'tasks/client/channel-manager.md',
      base('client/channel-manager.md'),
      read('06-feature-branch-task-edits/feat__client__channel-manager/tasks/client/channel-manager.md'),
    );
    expect(change).toEqual({
      path: 'tasks/client/channel-manager.md',
      baseStatus: 'pending',
      headStatus: 'done',
    });
    const files = (await wraith('01-decomposed-all-pending')).map((f) =>
      ['setup', 'auth', 'transport'].some((d) => f.path.startsWith(`tasks/${d}/`))
        ? { ...f, text: f.text.replace('status: pending', 'status: completed') }
        : f,
    );
    const plan = planReconcile(
      snapshotOf({
        files,
        pulls: [pull(3, 'client/channel-manager', { checks: green, taskFileChanges: [change] })],
      }),
    );
    const order = plan.checkRuns.find((c) => c.name === 'Merge order');
    expect(order).toMatchObject({ conclusion: 'failure', title: 'Changes task status (1 file)' });
    expect(order?.summary).toContain('`tasks/client/channel-manager.md`: `pending` -> `done`');
    // Completing those layers lets the planning aggregates complete first; #3 is never batched.
    expect(plan.action).toMatchObject({ kind: 'commit-status' });
    expect(plan.action.kind === 'commit-status' && plan.action.edits.map((e) => e.taskId)).toEqual([
      'meta/auth-layer',
      'meta/transport-layer',
    ]);
  });

  it('accepts feat/transport/acme-cert-provisioning, which only filled in its notes', () => {
    const change = taskFileChange(
      'tasks/transport/acme-cert-provisioning.md',
      base('transport/acme-cert-provisioning.md'),
      read(
        '06-feature-branch-task-edits/feat__transport__acme-cert-provisioning/tasks/transport/acme-cert-provisioning.md',
      ),
    );
    expect(change.baseStatus).toBe(change.headStatus);
  });
});

describe('rawStatus edge cases', () => {
  it.each([
    ['a deleted file', null, null],
    ['no frontmatter', '# x', null],
    ['broken YAML', '---\nstatus: [\n---\n', null],
    ['no status key', '---\nid: a\n---\n', null],
    ['a number', '---\nstatus: 3\n---\n', '3'],
  ])('%s', (_intent, text, expected) => {
    expect(taskFileChange('p', text, text).headStatus).toBe(expected);
  });
});
