/**
 * Queue intent as PR labels (intent lives in GitHub, not in the app's memory): which labels each
 * queue verb adds and removes, and the merge priority a `coordinator: priority <p>` label gives.
 * Pure.
 */
import { LABELS } from '../merge/types.js';
import type { Priority } from './parse-commands.js';

export const PRIORITY_LABEL_PREFIX = 'coordinator: priority ';

export interface LabelEdit {
  readonly add: readonly string[];
  readonly remove: readonly string[];
}

/** The label of a priority (`normal` has none: it is the default). */
export function priorityLabel(priority: Priority): string | null {
  if ('named' in priority)
    return priority.named === 'normal' ? null : `${PRIORITY_LABEL_PREFIX}${priority.named}`;
  return priority.value === 0 ? null : `${PRIORITY_LABEL_PREFIX}${priority.value}`;
}

/**
 * The merge priority set by a PR's labels (high = 1, low = -1, or the integer), or null when no
 * priority label is present. With several, the highest wins.
 */
export function priorityFromLabels(labels: readonly string[]): number | null {
  let best: number | null = null;
  for (const label of labels) {
    if (!label.toLowerCase().startsWith(PRIORITY_LABEL_PREFIX)) continue;
    const value = label.slice(PRIORITY_LABEL_PREFIX.length).trim().toLowerCase();
    const n = value === 'high' ? 1 : value === 'low' ? -1 : value === 'normal' ? 0 : Number(value);
    if (Number.isInteger(n)) best = best === null ? n : Math.max(best, n);
  }
  return best;
}

/**
 * The label edit of a queue verb, reduced to what actually changes given the PR's current labels.
 * `merge` queues (adds `coordinator: merge`, lifts a hold); `dequeue` takes the PR out (adds
 * `coordinator: hold`, drops `coordinator: merge`); `hold`/`unhold` toggle the hold; `priority`
 * replaces any priority label.
 */
export function labelEdit(
  verb: 'merge' | 'dequeue' | 'hold' | 'unhold' | 'priority',
  current: readonly string[],
  priority?: Priority,
): LabelEdit {
  let add: string[] = [];
  let remove: string[] = [];
  switch (verb) {
    case 'merge':
      add = [LABELS.merge];
      remove = [LABELS.hold];
      break;
    case 'dequeue':
      add = [LABELS.hold];
      remove = [LABELS.merge];
      break;
    case 'hold':
      add = [LABELS.hold];
      break;
    case 'unhold':
      remove = [LABELS.hold];
      break;
    case 'priority': {
      const wanted = priority ? priorityLabel(priority) : null;
      add = wanted ? [wanted] : [];
      remove = current.filter((l) => l.toLowerCase().startsWith(PRIORITY_LABEL_PREFIX) && l !== wanted);
      break;
    }
  }
  return {
    add: add.filter((l) => !current.includes(l)),
    remove: remove.filter((l) => current.includes(l)),
  };
}
