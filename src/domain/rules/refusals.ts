/**
 * Turns GitHub's refusal of a push or merge into words a maintainer can act on: which setting
 * refused, and what to change. GitHub's texts (422/405 from ref updates and merges, 403 for app
 * permissions; see ../shared/PLATFORM-NOTES.md) name the rule but not the fix; the policy read from
 * the base branch says which protection option or ruleset it was.
 */
import type { BasePolicy } from './branch-rules.js';

export interface Refusal {
  /** Short, for a check run title. */
  readonly title: string;
  /** What refused and how to fix it, Markdown. */
  readonly text: string;
  /** Stable, low-cardinality kind (metrics, event keys). */
  readonly kind:
    | 'workflows'
    | 'pull-request'
    | 'checks'
    | 'restrictions'
    | 'linear-history'
    | 'permission'
    | 'other';
}

/**
 * Explains a refusal.
 * @param error `{ status, message }` as GitHub answered.
 * @param where what was being written, e.g. "\`main\`" or "\`coordinator/staging\`".
 */
export function explainRefusal(
  error: { status: number; message: string },
  context: { policy: BasePolicy; slug: string; where: string },
): Refusal {
  const { message } = error;
  const quoted = `GitHub answered ${error.status}: ${message.trim().split('\n').filter(Boolean).join(' ')}`;
  const { policy, slug, where } = context;
  if (/workflows?` permission|without `workflows`|workflow scope/i.test(message)) {
    return {
      kind: 'workflows',
      title: 'Changes a workflow: the app lacks the workflows permission',
      text: `GitHub refused to write ${where}: this PR changes files under \`.github/workflows/\`, and an app may do that only with the **Workflows: write** permission. Grant it to the app (its settings → Permissions → Repository → Workflows → Read and write, then accept the new permission on the installation), or merge this PR by hand.\n\n${quoted}`,
    };
  }
  const fixes = (kind: 'pull' | 'restrict' | 'linear') =>
    (kind === 'linear' ? policy.mergeCommitBlockers : policy.pushBlockers)
      .filter((b) =>
        kind === 'pull'
          ? /pull request/i.test(b.setting)
          : kind === 'restrict'
            ? /push/i.test(b.setting)
            : true,
      )
      .map((b) => `- ${b.setting}: ${b.fix}`);
  if (/through a pull request/i.test(message)) {
    const list = fixes('pull');
    return {
      kind: 'pull-request',
      title: 'Branch rules require a pull request; the app may not bypass them',
      text: `GitHub refused to move ${where} without a pull request. The staging protocol fast-forwards the base branch to a tested commit, so the app needs a **bypass** of the pull request requirement:\n\n${list.length > 0 ? list.join('\n') : `- add the app \`${slug}\` to the bypass allowances of the rule that requires pull requests`}\n\nOr set \`merge.strategy: direct\` in \`.github/coordinator.yml\` to merge through the pull request itself.\n\n${quoted}`,
    };
  }
  if (/not authorized to push/i.test(message)) {
    const list = fixes('restrict');
    return {
      kind: 'restrictions',
      title: 'Branch protection restricts who can push; the app is not listed',
      text: `GitHub refused to move ${where}: ${list.length > 0 ? list.join('\n') : `add the app \`${slug}\` to the apps with push access`}.\n\n${quoted}`,
    };
  }
  if (/merge commits/i.test(message)) {
    const list = fixes('linear');
    return {
      kind: 'linear-history',
      title: 'Branch rules require linear history',
      text: `GitHub refused to move ${where}: the staging protocol makes merge commits.\n\n${list.join('\n') || '- turn off "Require linear history", or use `merge.strategy: direct` with `merge.method: squash`'}\n\n${quoted}`,
    };
  }
  if (/status checks? .*expected|required status check/i.test(message)) {
    const required = policy.requiredChecks.map((c) => `\`${c.context}\` (${c.source})`).join(', ');
    return {
      kind: 'checks',
      title: 'Required checks are missing on the commit',
      text: `GitHub refused to move ${where} to a commit without every required check green. The app waits for ${required || 'the required checks'} on the staging commit before it moves the base branch; if a check never reports on \`coordinator/staging\`, add that branch to the CI's triggers, or require the check from the app that runs it.\n\n${quoted}`,
    };
  }
  if (error.status === 403)
    return {
      kind: 'permission',
      title: 'The app lacks a permission',
      text: `GitHub refused the app's write to ${where} (403). Check the app's permissions (Contents, Pull requests, Checks, Issues: read and write) and that the installation accepted them.\n\n${quoted}`,
    };
  return {
    kind: 'other',
    title: 'GitHub refused the write',
    text: `GitHub refused to write ${where}.\n\n${quoted}`,
  };
}
