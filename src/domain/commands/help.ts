/** The reply to `/coordinator help`, kept beside the parser so the two cannot drift apart. */
import { MAX_COMMANDS_PER_COMMENT } from './parse-commands.js';

/** Markdown listing every verb, who may run it, and what it does. */
export function helpText(): string {
  return [
    '**Taskgraph Coordinator commands.** Write each on its own line, in a PR or issue comment:',
    '',
    '| Command | Who | What it does |',
    '| --- | --- | --- |',
    '| `/coordinator merge` (`queue`, `done`) | write | The branch is complete: labels the PR `coordinator: merge` and lifts a hold. It merges when its dependencies are completed and its checks pass. |',
    '| `/coordinator dequeue` (`cancel`) | write | Takes the PR out of the queue (`coordinator: hold`). |',
    '| `/coordinator hold` / `unhold` | write | Holds the PR out of the queue, or lifts the hold. |',
    '| `/coordinator priority <high\\|normal\\|low\\|N>` | write | Merge order among ready PRs of one generation (label `coordinator: priority …`). |',
    '| `/coordinator retry` | write | Retries a PR after a conflict or red checks on the merge result, at the same head. |',
    '| `/coordinator block <reason>` | write | Safe exit: sets the task `blocked` on the base branch with a note, takes the PR out of the queue, alerts. |',
    '| `/coordinator unblock` | write | Sets the task back to `pending` and re-queues the PR. |',
    '| `/coordinator complete <task-id>` | write | Completes a task that has no branch (a review, work done on the base branch). |',
    '| `/coordinator status` | anyone | Replies with the graph: generations, ready, queued, blocked, and a Mermaid diagram. |',
    '| `/coordinator sync` | write | Reconciles the repository now. |',
    '| `/coordinator notify [CHANNEL:<key>] <message>` | write | Posts a message to a Teams channel. |',
    '| `/coordinator adopt` | write | Rebuilds from git which tasks were already merged (branches in the base, merged PRs, merge commits) and proposes the difference as one PR, `coordinator/adopt`; also proposes `.github/coordinator.yml` when there is none. |',
    '| `/coordinator help` | anyone | This table. |',
    '',
    `Lines in code blocks and quoted replies are ignored; at most ${MAX_COMMANDS_PER_COMMENT} commands are taken from one comment.`,
  ].join('\n');
}
