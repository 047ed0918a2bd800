/**
 * Reads every `**\/*.md` file under a tasks directory from the local disk, for the CLI. The pure core
 * takes the result; the app reads the same files from GitHub instead.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { SourceFile } from '../../domain/tasks/types.js';

/** The tasks directory does not exist or is not a directory. */
export class TasksDirError extends Error {
  override readonly name = 'TasksDirError';
}

/**
 * Lists and reads the Markdown files under `dir`, recursively, sorted by path.
 *
 * @param dir the tasks directory, relative to the working directory or absolute.
 * @returns files whose `path` is `dir` joined with the file's relative path, with `/` separators
 *   (so diagnostics print paths a terminal can open).
 * @throws TasksDirError when `dir` is missing or is not a directory.
 */
export async function readTasksDir(dir: string): Promise<SourceFile[]> {
  const info = await stat(dir).catch(() => null);
  if (!info) throw new TasksDirError(`tasks directory not found: ${dir}`);
  if (!info.isDirectory()) throw new TasksDirError(`not a directory: ${dir}`);
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const relative = entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.md'))
    .map((entry) => path.relative(dir, path.join(entry.parentPath ?? entry.path, entry.name)))
    .sort();
  const display = dir.split(path.sep).join('/').replace(/\/+$/, '');
  return Promise.all(
    relative.map(async (rel) => ({
      path: path.posix.join(display, rel.split(path.sep).join('/')),
      text: await readFile(path.join(dir, rel), 'utf8'),
    })),
  );
}
