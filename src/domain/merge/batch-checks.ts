/** Which checks a batch waits for on its staging head. */
import { type BatchEntry, CHECK_NAMES, type RepoSnapshot } from './types.js';

const OWN: ReadonlySet<string> = new Set(Object.values(CHECK_NAMES));

/** Whether a check name is one of the app's own (the planner decides those, CI never does). */
export function isOwnCheck(name: string): boolean {
  return OWN.has(name);
}

/**
 * The checks a batch waits for on its staging head: every required check; with none required
 * (no config, no protection, no ruleset) the checks that reported on the batch's PR heads, so a
 * merge result is never promoted less tested than its PRs were. @returns names, and whether that
 * fallback was used.
 */
export function batchChecks(
  snapshot: Pick<RepoSnapshot, 'requiredChecks' | 'pulls'>,
  entries: readonly BatchEntry[],
): { names: string[]; fromPulls: boolean } {
  const external = snapshot.requiredChecks.filter((name) => !OWN.has(name));
  if (external.length > 0) return { names: [...snapshot.requiredChecks], fromPulls: false };
  const names = new Set<string>();
  for (const entry of entries) {
    const pull = snapshot.pulls.find((p) => p.number === entry.number);
    for (const check of pull?.checks ?? []) if (!OWN.has(check.name)) names.add(check.name);
  }
  return { names: [...snapshot.requiredChecks, ...[...names].sort()], fromPulls: names.size > 0 };
}
