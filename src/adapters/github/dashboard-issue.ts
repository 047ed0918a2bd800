import { DASHBOARD_LABEL, DASHBOARD_MARKER } from '../../domain/merge/dashboard.js';
import type { Octokit, RepoRef } from './octokit.js';

/**
 * Keeps the dashboard issue in step with `body`: finds the open issue labelled
 * `coordinator: dashboard` whose body carries the marker (`GET /repos/{o}/{r}/issues?labels=…`, a
 * conditional read, free when nothing changed), creates it when there is none
 * (`POST /repos/{o}/{r}/issues`, 201; GitHub creates a missing label), and edits it only when the
 * body or title differ (`PATCH /repos/{o}/{r}/issues/{n}`). Source: GitHub REST docs, "Issues".
 * @returns what it did and the issue's number. @throws the octokit error of a refused read or write.
 */
export async function syncDashboard(
  octokit: Octokit,
  repo: RepoRef,
  wanted: { title: string; body: string },
): Promise<{ done: 'created' | 'edited' | 'unchanged'; number: number }> {
  const { data } = await octokit.rest.issues.listForRepo({
    ...repo,
    state: 'open',
    labels: DASHBOARD_LABEL,
    per_page: 100,
  });
  const current = data.find((issue) => !issue.pull_request && (issue.body ?? '').includes(DASHBOARD_MARKER));
  if (!current) {
    const { data: created } = await octokit.rest.issues.create({
      ...repo,
      title: wanted.title,
      body: wanted.body,
      labels: [DASHBOARD_LABEL],
    });
    return { done: 'created', number: created.number };
  }
  if ((current.body ?? '') === wanted.body && current.title === wanted.title)
    return { done: 'unchanged', number: current.number };
  await octokit.rest.issues.update({
    ...repo,
    issue_number: current.number,
    title: wanted.title,
    body: wanted.body,
  });
  return { done: 'edited', number: current.number };
}

/** Marks the after-action review comment (so a retry after a crash does not post it twice). */
export const REVIEW_MARKER = '<!-- taskgraph-coordinator:after-action-review -->';

/**
 * Posts the after-action review on the dashboard issue unless it is there already
 * (`GET …/issues/{n}/comments`, then `POST …/issues/{n}/comments`, 201).
 * @returns whether it posted. @throws the octokit error of a refused read or write.
 */
export async function postReview(
  octokit: Octokit,
  repo: RepoRef,
  issue: number,
  markdown: string,
): Promise<boolean> {
  const existing = await octokit.paginate(octokit.rest.issues.listComments, {
    ...repo,
    issue_number: issue,
    per_page: 100,
  });
  if (existing.some((c) => (c.body ?? '').includes(REVIEW_MARKER))) return false;
  await octokit.rest.issues.createComment({
    ...repo,
    issue_number: issue,
    body: `${markdown}\n${REVIEW_MARKER}\n`,
  });
  return true;
}
