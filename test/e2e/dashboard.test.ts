/**
 * The dashboard issue as a user meets it (issue 14): a task is blocked by a comment; its dashboard
 * line offers "unblock"; the maintainer ticks that checkbox in the issue (an `issues.edited` webhook
 * from the stand-in, sender the maintainer); the app runs `unblock` on the task's PR with the
 * maintainer's permission, replies there, unticks the box, and the graph completes. Judged from
 * the stand-in's state: the issue body, the PR's comments, the task status history.
 */
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../sim/demo.js';
import { expectCleanFinish, FAST, smallGraph } from '../helpers/e2e.js';

describe('the dashboard issue', () => {
  it('a ticked "unblock" checkbox runs the command as the person who ticked it, then unticks itself', async () => {
    let ticked = false;
    const report = await runDemo({
      tasksDir: smallGraph(),
      failRate: 0,
      sharedEditors: [],
      ...FAST,
      script: ({ hub, repo }) => {
        const maintainer = { login: 'maintainer', type: 'User' as const };
        hub.on('event', (event) => {
          if (event.kind === 'pull_request' && event.action === 'opened' && event.pull.headRef === 'feat/a')
            hub.addComment(
              repo,
              event.pull.number,
              '/coordinator block waiting for the vendor API key',
              maintainer,
            );
          if (event.kind !== 'issues' || ticked || event.sender.login === 'maintainer') return;
          const line = event.issue.body
            .split('\n')
            .find((l) => /^- \[ \] <!-- coordinator-action:unblock:\d+ -->/.test(l));
          if (!line) return;
          ticked = true;
          const body = event.issue.body.replace(line, line.replace('- [ ]', '- [x]'));
          setTimeout(() => hub.editIssue(repo, event.issue, { body }, maintainer), 50);
        });
      },
    });
    expectCleanFinish(report);
    expect(ticked).toBe(true);
    const pullA = report.pulls.find((p) => p.head === 'feat/a');
    // The app answered on a's PR, for the maintainer's tick.
    expect(pullA?.comments.some((c) => c.user.endsWith('[bot]') && /unblock/.test(c.body))).toBe(true);
    const a = report.tasks.find((t) => t.taskId === 'a');
    expect(a?.status).toBe('completed');
    const dashboard = report.issues.find((i) => i.labels.includes('coordinator: dashboard'));
    expect(dashboard?.body).toContain('**3 of 3 tasks completed** (100%)');
    expect(dashboard?.body).not.toMatch(/- \[x\]/);
  }, 120_000);
});
