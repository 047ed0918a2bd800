/**
 * Pull request reviews as GitHub counts them for branch rules: the latest review per reviewer
 * (a later COMMENTED review does not replace an approval or a change request), approvals only from
 * users with write access, DISMISSED reviews never, and with stale dismissal only approvals of the
 * current head. Code owners come from the first CODEOWNERS file found in `.github/`, the root or
 * `docs/` of the base branch; the last matching line owns a path (docs: "About code owners").
 */
import picomatch from 'picomatch';
import type { ReviewFacts } from './rules.js';

export interface Review {
  readonly id: number;
  readonly pull: number;
  readonly user: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';
  readonly body: string;
  readonly commitId: string;
  readonly submittedAt: string;
}

export const CODEOWNERS_PATHS = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'] as const;

/** The review facts of one PR head. */
export function reviewFacts(input: {
  reviews: readonly Review[];
  headSha: string;
  canWrite: (login: string) => boolean;
  /** Owners of each changed path (empty: no owner). */
  owners: readonly (readonly string[])[];
}): ReviewFacts {
  const latest = new Map<string, Review>();
  for (const review of input.reviews) {
    if (review.state === 'COMMENTED') continue;
    latest.set(review.user.toLowerCase(), review);
  }
  const counted = [...latest.values()].filter((r) => input.canWrite(r.user));
  const approvers = (dismissStale: boolean) =>
    counted
      .filter((r) => r.state === 'APPROVED' && (!dismissStale || r.commitId === input.headSha))
      .map((r) => r.user.toLowerCase());
  return {
    approvals: (dismissStale) => approvers(dismissStale).length,
    changesRequested: counted.filter((r) => r.state === 'CHANGES_REQUESTED').map((r) => r.user),
    codeOwnersApproved: (dismissStale) => {
      const approved = new Set(approvers(dismissStale));
      return input.owners.every(
        (owners) =>
          owners.length === 0 || owners.some((o) => approved.has(o.replace(/^@/, '').toLowerCase())),
      );
    },
  };
}

/** Owners of `path` by a CODEOWNERS text: the last matching line wins. */
export function ownersOf(codeowners: string, path: string): string[] {
  let owners: string[] = [];
  for (const raw of codeowners.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    const [pattern, ...rest] = line.split(/\s+/);
    if (pattern && globMatches(pattern, path)) owners = rest;
  }
  return owners;
}

function globMatches(pattern: string, path: string): boolean {
  let glob = pattern.startsWith('/') ? pattern.slice(1) : pattern.includes('/') ? pattern : `**/${pattern}`;
  if (glob.endsWith('/')) glob = `${glob}**`;
  return picomatch.isMatch(path, glob, { dot: true }) || picomatch.isMatch(path, `${glob}/**`, { dot: true });
}
