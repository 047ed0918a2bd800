/**
 * Writes one check run: creates it, or updates the run already on that head. GitHub accepts at most
 * 50 annotations per request (docs: "Update a check run", output.annotations), so the rest follow
 * in further updates of the same run.
 */
import { ANNOTATIONS_PER_REQUEST } from '../../domain/merge/check-runs.js';
import type { DesiredCheckRun } from '../../domain/merge/types.js';
import type { Octokit, RepoRef } from './octokit.js';

/** Creates or updates the check run; returns its id. @throws octokit errors. */
export async function writeCheckRun(octokit: Octokit, repo: RepoRef, run: DesiredCheckRun): Promise<number> {
  const chunks: (typeof run.annotations)[] = [];
  for (let i = 0; i < run.annotations.length; i += ANNOTATIONS_PER_REQUEST) {
    chunks.push(run.annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  }
  const output = (annotations: typeof run.annotations) => ({
    title: run.title,
    summary: run.summary.slice(0, 65_535),
    ...(annotations.length > 0 ? { annotations: [...annotations] } : {}),
  });
  const state =
    run.status === 'completed'
      ? { status: 'completed' as const, conclusion: run.conclusion ?? 'neutral' }
      : { status: 'in_progress' as const };
  let id = run.existingId;
  if (id === null) {
    const created = await octokit.rest.checks.create({
      ...repo,
      name: run.name,
      head_sha: run.headSha,
      ...state,
      ...(run.externalId !== undefined ? { external_id: run.externalId } : {}),
      output: output(chunks[0] ?? []),
    });
    id = created.data.id;
  } else {
    await octokit.rest.checks.update({
      ...repo,
      check_run_id: id,
      ...state,
      ...(run.externalId !== undefined ? { external_id: run.externalId } : {}),
      output: output(chunks[0] ?? []),
    });
  }
  for (const chunk of chunks.slice(1)) {
    await octokit.rest.checks.update({ ...repo, check_run_id: id, output: output(chunk) });
  }
  return id;
}
