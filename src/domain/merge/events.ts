/** Builders of coordinator events: one shape, stable keys (the outbox de-duplicates by key). */
import type { CoordinatorEvent } from './types.js';

/** An event with its key; `taskId` and `pull` default to null. */
export function event(
  type: CoordinatorEvent['type'],
  fields: { key: string; message: string; taskId?: string | null; pull?: number | null },
): CoordinatorEvent {
  return {
    type,
    key: fields.key,
    message: fields.message,
    taskId: fields.taskId ?? null,
    pull: fields.pull ?? null,
  };
}
