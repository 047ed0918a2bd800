/** The task-ready dispatch payload, on wraith's real graph (pure). */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTasksDir } from '../../../src/adapters/fs/read-tasks-dir.js';
import { refusedWrite } from '../../../src/adapters/github/errors.js';
import { dispatchReady } from '../../../src/coordinator/reconcile.js';
import { DISPATCH_EVENT, taskReadyPayload } from '../../../src/domain/merge/dispatch.js';
import { type RefusedWrite, refusedWriteEvent } from '../../../src/domain/merge/reports.js';
import { loadTaskGraph } from '../../../src/domain/tasks/load-graph.js';
import { snapshotOf } from '../../helpers/snapshots.js';
import { WRAITH_DIR } from '../../helpers/task-files.js';

const loaded = loadTaskGraph(await readTasksDir(path.join(WRAITH_DIR, '01-decomposed-all-pending/tasks')));
const paths = new Map([...loaded.graph.tasks.values()].map((t) => [t.id, `tasks/${t.file}`]));

describe('taskReadyPayload', () => {
  it.each([
    ['a root', 'setup/project-init', { level: 'implementation', depends_on: [] }],
    [
      'a task with dependencies',
      'auth/key-loading',
      { depends_on: expect.arrayContaining(['auth/error-types']) },
    ],
    ['the review at the end', 'review/complete-system', { level: 'review' }],
  ])('%s: %s', (_name, id, expected) => {
    const payload = taskReadyPayload(loaded.graph, paths, id, 'feat/');
    expect(payload).toMatchObject({ task: id, branch: `feat/${id}`, file: paths.get(id), ...expected });
    // GitHub allows at most 10 top-level properties in client_payload.
    expect(Object.keys(payload ?? {}).length).toBeLessThanOrEqual(10);
  });

  it('is null for an id the graph does not hold', () => {
    expect(taskReadyPayload(loaded.graph, paths, 'nope', 'feat/')).toBeNull();
  });

  it('names the event within GitHub’s 100 characters', () => {
    expect(DISPATCH_EVENT.length).toBeLessThanOrEqual(100);
  });
});

describe('dispatchReady', () => {
  const snapshot = snapshotOf({
    tasks: [{ id: 'a' }, { id: 'b' }, { id: 'c', deps: ['a'] }],
    config: (c) => {
      c.agents.dispatch = true;
    },
  });
  const ready = ['a', 'b'].map((id) => ({
    type: 'task.ready' as const,
    key: `task.ready:${id}`,
    taskId: id,
    pull: null,
    actor: null,
    message: '',
  }));
  const log = { info: () => {}, error: () => {} };

  it('sends only tasks not announced yet, and reports the ones GitHub refused', async () => {
    const sent: string[] = [];
    const octokit = {
      rest: {
        repos: {
          createDispatchEvent: async (p: { client_payload: { task: string } }) => {
            if (p.client_payload.task === 'b') throw Object.assign(new Error('Not Found'), { status: 404 });
            sent.push(p.client_payload.task);
          },
        },
      },
    };
    const journal = {
      unannounced: async (_repo: string, keys: readonly string[]) => keys.filter((k) => k !== 'task.ready:x'),
    };
    const refusals: RefusedWrite[] = [];
    const failed = await dispatchReady(
      { journal, log } as never,
      octokit as never,
      { owner: 'o', repo: 'r' },
      snapshot,
      ready as never,
      refusals,
    );
    expect(sent).toEqual(['a']);
    expect([...failed]).toEqual(['task.ready:b']);
    // The refusal reaches a person as one merge.refused alert with the fix.
    expect(refusals.map(refusedWriteEvent)).toEqual([
      expect.objectContaining({
        type: 'merge.refused',
        key: 'refused:repository_dispatch task-ready:404',
        message: expect.stringContaining('the app needs contents: write'),
      }),
    ]);
    // Already announced: nothing is sent again.
    sent.length = 0;
    const none = await dispatchReady(
      { journal: { unannounced: async () => [] }, log } as never,
      octokit as never,
      { owner: 'o', repo: 'r' },
      snapshot,
      ready as never,
    );
    expect(sent).toEqual([]);
    expect(none.size).toBe(0);
  });

  it('sends nothing unless agents.dispatch is on', async () => {
    const off = snapshotOf({ tasks: [{ id: 'a' }] });
    let calls = 0;
    const octokit = { rest: { repos: { createDispatchEvent: async () => void calls++ } } };
    await dispatchReady(
      { journal: { unannounced: async (_r: string, k: readonly string[]) => [...k] }, log } as never,
      octokit as never,
      { owner: 'o', repo: 'r' },
      off,
      ready as never,
    );
    expect(calls).toBe(0);
  });
});

describe('refusedWrite and its event', () => {
  const answer = (status: number | undefined, message: string, headers: Record<string, string> = {}) =>
    Object.assign(new Error(`${message}\nmore`), { status, response: { data: { message }, headers } });
  it.each([
    [answer(403, 'Resource not accessible by integration'), 'refused:the dashboard issue:403'],
    [answer(404, 'Not Found'), 'refused:the dashboard issue:404'],
    [answer(422, 'Validation Failed'), 'refused:the dashboard issue:422'],
    // Glitches and races are retried, never alerted: a 5xx, a secondary rate limit, a conflict.
    [answer(502, 'Bad Gateway'), null],
    [answer(403, 'You have exceeded a secondary rate limit', { 'retry-after': '1' }), null],
    [answer(409, 'Conflict'), null],
    [answer(undefined, 'socket hang up'), null],
  ])('%s → %s', (error, key) => {
    const refused = refusedWrite('the dashboard issue', 'the app needs issues: write', error);
    expect(refused === null ? null : refusedWriteEvent(refused).key).toBe(key);
    if (refused)
      expect(refusedWriteEvent(refused).message).toBe(
        `GitHub refused the dashboard issue (${refused.status}: ${(error as Error).message.split('\n')[0]}); the app needs issues: write. The app retries after a backoff.`,
      );
  });
});
