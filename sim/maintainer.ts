/**
 * The demo's maintainer as a reviewer: when the base branch requires approving reviews (branch
 * protection or a ruleset's `pull_request` rule), they approve each task PR once its agent marks it
 * ready, and again after every push (stale approvals may be dismissed). PRs from forks are left
 * alone: taking one in is a decision (`/coordinator merge`), not a reflex.
 */
import type { Actor, Hub, Pull, Repo } from './hub.js';

export const MAINTAINER: Actor = { login: 'maintainer', type: 'User' };

/** Approving reviews the rules on `branch` require (0: none). */
export function requiredApprovals(repo: Repo, branch: string): number {
  const classic = repo.protection.get(branch)?.requiredReviews?.count ?? 0;
  const rulesets = repo.rulesets
    .filter((r) => r.enforcement === 'active')
    .flatMap((r) => r.rules)
    .filter((rule) => rule.type === 'pull_request')
    .map((rule) => Number(rule.parameters?.required_approving_review_count ?? 0));
  return Math.max(classic, ...rulesets, 0);
}

export class Reviewer {
  readonly #reviewing = new Set<string>();
  #stopped = false;

  constructor(
    private readonly hub: Hub,
    private readonly repo: Repo,
    private readonly delayMs: number,
  ) {
    hub.on('event', (event) => {
      if (this.#stopped || event.kind !== 'pull_request' || event.repo !== repo) return;
      if (['opened', 'ready_for_review', 'synchronize'].includes(event.action)) this.#later(event.pull);
    });
  }

  stop(): void {
    this.#stopped = true;
  }

  #later(pull: Pull): void {
    const key = `${pull.number}@${pull.headSha}`;
    if (this.#reviewing.has(key)) return;
    this.#reviewing.add(key);
    setTimeout(() => {
      if (this.#stopped || pull.state !== 'open' || pull.draft || pull.headRepo !== this.repo) return;
      if (requiredApprovals(this.repo, pull.baseRef) === 0) return;
      const approved = this.repo.reviews.some(
        (r) =>
          r.pull === pull.number &&
          r.user === MAINTAINER.login &&
          r.state === 'APPROVED' &&
          r.commitId === pull.headSha,
      );
      if (!approved)
        this.hub.submitReview(this.repo, pull, { event: 'APPROVE', body: 'Looks good.' }, MAINTAINER);
    }, this.delayMs).unref();
  }
}
