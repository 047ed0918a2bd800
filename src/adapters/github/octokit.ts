/** The octokit the app uses: Probot's, authenticated as one installation. */
import type { ProbotOctokit } from 'probot';

export type Octokit = InstanceType<typeof ProbotOctokit>;

/** `{ owner, repo }` of every repository call. */
export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}
