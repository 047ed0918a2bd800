import type { TaskLines } from './task-lines.js';

/**
 * Shapes of the task graph core: a task as read from its file, and the diagnostics that
 * validation produces. Pure data; no I/O.
 */

/** Every status a task may hold. A missing `status:` reads as `pending`. */
export const TASK_STATUSES = ['pending', 'in-progress', 'completed', 'failed', 'blocked'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Status words agents write that mean a canonical status (accepted with a `status-alias` warning). */
export const STATUS_ALIASES: Readonly<Record<string, TaskStatus>> = { done: 'completed' };

/** Ordered value sets of the optional classification fields (smallest first). */
export const SCOPES = ['single', 'narrow', 'moderate', 'broad', 'system'] as const;
export const RISKS = ['trivial', 'low', 'medium', 'high', 'critical'] as const;
export const IMPACTS = ['isolated', 'component', 'phase', 'project'] as const;
export const LEVELS = ['planning', 'decomposition', 'implementation', 'review', 'research'] as const;

export type Scope = (typeof SCOPES)[number];
export type Risk = (typeof RISKS)[number];
export type Impact = (typeof IMPACTS)[number];
export type Level = (typeof LEVELS)[number];

/** One source file handed to the parser: `path` is how diagnostics name it (POSIX separators). */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

/** A task as read from one file's frontmatter. Lines are 1-based lines of the whole file. */
export interface Task {
  readonly id: string;
  readonly name: string;
  readonly status: TaskStatus;
  /** The `status:` value as written, when it differs from `status` (for example `done`). */
  readonly statusAlias?: string;
  /** Dependency ids in file order, duplicates removed. */
  readonly dependsOn: readonly string[];
  readonly scope?: Scope;
  readonly risk?: Risk;
  readonly impact?: Impact;
  readonly level?: Level;
  readonly tags: readonly string[];
  /** Merge priority, higher first: an integer, or `high` (1), `normal` (0), `low` (-1). Default 0. */
  readonly priority: number;
  /** Timestamps kept as written (nanoseconds survive). */
  readonly created?: string;
  readonly modified?: string;
  readonly file: string;
  /** Where fields sit in the file, computed on demand for diagnostics. */
  readonly lines: TaskLines;
  /** Frontmatter keys this tool does not know, kept as parsed. */
  readonly extra: Readonly<Record<string, unknown>>;
}

export type ErrorCode =
  | 'file-too-large'
  | 'invalid-frontmatter'
  | 'missing-field'
  | 'invalid-value'
  | 'duplicate-id'
  | 'missing-dependency'
  | 'cycle'
  | 'self-dependency';

export type WarningCode = 'status-alias' | 'status-inversion' | 'branch-name-collision';

export type DiagnosticCode = ErrorCode | WarningCode;

/** One finding of validation. `line` is 1-based; null when no line applies. */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: 'error' | 'warning';
  readonly file: string;
  readonly line: number | null;
  readonly taskId: string | null;
  readonly message: string;
}

const WARNING_CODES: ReadonlySet<DiagnosticCode> = new Set<WarningCode>([
  'status-alias',
  'status-inversion',
  'branch-name-collision',
]);

/** Builds a diagnostic; the severity follows from the code. */
export function diagnostic(
  code: DiagnosticCode,
  at: { file: string; line?: number | null; taskId?: string | null },
  message: string,
): Diagnostic {
  return {
    code,
    severity: WARNING_CODES.has(code) ? 'warning' : 'error',
    file: at.file,
    line: at.line ?? null,
    taskId: at.taskId ?? null,
    message,
  };
}
