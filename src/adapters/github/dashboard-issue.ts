import { DASHBOARD_LABEL, DASHBOARD_MARKER } from '../../domain/merge/dashboard.js';
import type { Octokit, RepoRef } from './octokit.js';

/**
 * Keeps the dashboard issue in step with `body`: finds the open issue labelled
 * `coordinator: dashboard` whose body carries the marker (`GET /repos/{o}/{r}/issues?labels=…`, a
 * conditional read, free when nothing changed), creates it when there is none
 * (`POST /repos/{o}/{r}/issues`, 201; GitHub creates a missing label), and edits it only when the
 * body or title differ (`PATCH /repos/{o}/{r}/issues/{n}`). Source: GitHub REST docs, "Issues".
 * @returns what it did. @throws the octokit error of a refused read or write.
 */
export async function syncDashboard(
  octokit: Octokit,
  repo: RepoRef,
  wanted: { title: string; body: string },
): Promise<'created' | 'edited' | 'unchanged'> {
  const { data } = await octokit.rest.issues.listForRepo({
    ...repo,
    state: 'open',
    labels: DASHBOARD_LABEL,
    per_page: 100,
  });
  const current = data.find((issue) => !issue.pull_request && (issue.body ?? '').includes(DASHBOARD_MARKER));
  if (!current) {
    await octokit.rest.issues.create({
      ...repo,
      title: wanted.title,
      body: wanted.body,
      labels: [DASHBOARD_LABEL],
    });
    return 'created';
  }
  if ((current.body ?? '') === wanted.body && current.title === wanted.title) return 'unchanged';
  await octokit.rest.issues.update({
    ...repo,
    issue_number: current.number,
    title: wanted.title,
    body: wanted.body,
  });
  return 'edited';
}
