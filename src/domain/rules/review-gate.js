/**
 * Whether a PR head meets the review requirement of the base branch, counted as GitHub counts
 * (docs: "About protected branches" → "Require pull request reviews before merging", "About code
 * owners"; ../shared/PLATFORM-NOTES.md):
 * - only each reviewer's latest review counts, and a later COMMENTED review does not replace it;
 * - approvals and change requests count only from users with write access;
 * - DISMISSED reviews never count; with stale dismissal only approvals of the current head do;
 * - any counted CHANGES_REQUESTED blocks;
 * - with code owner reviews, every changed path with owners needs an approval from one of them
 *   (team owners cannot be checked by the app: such paths wait for a maintainer's `/coordinator merge`).
 */
import picomatch from 'picomatch';
/** Decides the review gate of one PR head. */
export function reviewVerdict(input) {
  const { rule } = input;
  const latest = new Map();
  for (const review of input.reviews) {
    if (review.state === 'COMMENTED' || review.state === 'PENDING') continue;
    latest.set(review.user.toLowerCase(), review);
  }
  const counted = [...latest.values()].filter((r) => r.canWrite);
  const blocking = counted.filter((r) => r.state === 'CHANGES_REQUESTED').map((r) => `@${r.user}`);
  if (blocking.length > 0) return { met: false, missing: `changes requested by ${blocking.join(', ')}` };
  const approvers = counted
    .filter((r) => r.state === 'APPROVED' && (!rule.dismissStale || r.commitId === input.headSha))
    .map((r) => r.user.toLowerCase());
  if (approvers.length < rule.count) {
    const needed = rule.count - approvers.length;
    const fresh = rule.dismissStale ? ' on the current head' : '';
    return {
      met: false,
      missing: `needs ${needed} more approving review${needed === 1 ? '' : 's'}${fresh} from someone with write access (${rule.source})`,
    };
  }
  if (rule.codeOwners) {
    const approved = new Set(approvers);
    const unowned = (input.owners ?? []).filter(
      (owners) => owners.length > 0 && !owners.some((o) => approved.has(o.replace(/^@/, '').toLowerCase())),
    );
    if (unowned.length > 0) {
      const names = [...new Set(unowned.flat())].join(', ');
      return { met: false, missing: `needs an approving review from a code owner (${names})` };
    }
  }
  return { met: true, approvals: approvers.length };
}
/** Where GitHub looks for CODEOWNERS, first found wins. */
export const CODEOWNERS_FILES = ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS'];
/**
 * Parses a CODEOWNERS file. Patterns follow gitignore: a leading `/` anchors to the root, a pattern
 * without `/` matches at any depth, a trailing `/` means a directory. @returns owners by path
 * (the last matching line wins; an empty list: no owner).
 */
export function parseCodeowners(text) {
  const rules = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    const [pattern = '', ...owners] = line.split(/\s+/);
    const anchored = pattern.startsWith('/') || pattern.slice(0, -1).includes('/');
    const body = pattern.replace(/^\//, '');
    const dir = body.endsWith('/');
    const glob = `${anchored ? '' : '**/'}${dir ? `${body}**` : body}`;
    const exact = picomatch(glob, { dot: true });
    const below = picomatch(`${glob}/**`, { dot: true });
    rules.push({ matches: (p) => exact(p) || below(p), owners });
  }
  return (path) => {
    for (let i = rules.length - 1; i >= 0; i--) if (rules[i]?.matches(path)) return rules[i]?.owners ?? [];
    return [];
  };
}
//# sourceMappingURL=review-gate.js.map
