/**
 * Shapes of the task graph core: a task as read from its file, and the diagnostics that
 * validation produces. Pure data; no I/O.
 */
/** Every status a task may hold. A missing `status:` reads as `pending`. */
export const TASK_STATUSES = ['pending', 'in-progress', 'completed', 'failed', 'blocked'];
/** Status words agents write that mean a canonical status (accepted with a `status-alias` warning). */
export const STATUS_ALIASES = { done: 'completed' };
/** Ordered value sets of the optional classification fields (smallest first). */
export const SCOPES = ['single', 'narrow', 'moderate', 'broad', 'system'];
export const RISKS = ['trivial', 'low', 'medium', 'high', 'critical'];
export const IMPACTS = ['isolated', 'component', 'phase', 'project'];
export const LEVELS = ['planning', 'decomposition', 'implementation', 'review', 'research'];
const WARNING_CODES = new Set(['status-alias', 'status-inversion', 'branch-name-collision']);
/** Builds a diagnostic; the severity follows from the code. */
export function diagnostic(code, at, message) {
  return {
    code,
    severity: WARNING_CODES.has(code) ? 'warning' : 'error',
    file: at.file,
    line: at.line ?? null,
    taskId: at.taskId ?? null,
    message,
  };
}
//# sourceMappingURL=types.js.map
