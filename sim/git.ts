/**
 * A bare git repository driven through the git CLI: the object store and refs behind the stand-in's
 * Git Data, contents, merges and pull request routes. Every write is a real git object; ref updates
 * are compare-and-swap (`git update-ref <ref> <new> <old>`), and merges use `git merge-tree
 * --write-tree` (git >= 2.38), so conflicts are git's own.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ZERO_SHA = '0'.repeat(40);

export interface TreeEntry {
  readonly mode: string;
  readonly type: 'blob' | 'tree' | 'commit';
  readonly sha: string;
  readonly path: string;
  readonly size?: number;
}

export interface CommitInfo {
  readonly sha: string;
  readonly tree: string;
  readonly parents: readonly string[];
  readonly message: string;
  readonly authorName: string;
  readonly authorEmail: string;
  /** Committer time, ms since the epoch. */
  readonly committedAtMs: number;
}

/** Thrown when a compare-and-swap ref update loses (the ref is not at the expected SHA). */
export class RefConflict extends Error {
  override readonly name = 'RefConflict';
}

const IDENTITY = {
  GIT_AUTHOR_NAME: 'stand-in',
  GIT_AUTHOR_EMAIL: 'stand-in@127.0.0.1',
  GIT_COMMITTER_NAME: 'stand-in',
  GIT_COMMITTER_EMAIL: 'stand-in@127.0.0.1',
};

const SHA = /^[0-9a-f]{40}$/;

export class GitRepo {
  readonly dir: string;
  /** Answers about immutable objects (keyed by SHA), so repeated reads spawn no git process. */
  readonly #cache = new Map<string, Promise<unknown>>();

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** Opens an existing repository (e.g. a demo's `--workdir`). */
  static open(dir: string): GitRepo {
    return new GitRepo(dir);
  }

  /** A bare copy of `source` at `dir` (every branch), sharing nothing afterwards: a fork. */
  static async cloneBare(source: GitRepo, dir: string): Promise<GitRepo> {
    await run(['clone', '--quiet', '--bare', '--no-local', source.dir, dir], { cwd: tmpdir() });
    return new GitRepo(dir);
  }

  /**
   * A bare copy of the git repository at `sourcePath` (a working tree or a bare repository): every
   * branch and the whole history (`git clone --bare --no-local`).
   */
  static async importFrom(sourcePath: string, dir: string): Promise<GitRepo> {
    await run(['clone', '--quiet', '--bare', '--no-local', sourcePath, dir], { cwd: tmpdir() });
    return new GitRepo(dir);
  }

  /** The branch `HEAD` names (a bare clone's default branch). */
  async headBranch(): Promise<string> {
    return (await this.git(['symbolic-ref', '--short', 'HEAD'])).stdout.trim();
  }

  /** Copies `sha` (and its history) from `source` into this repository as `ref`. */
  async fetchCommit(source: GitRepo, sha: string, ref: string): Promise<void> {
    await this.git(['fetch', '--quiet', '--no-tags', source.dir, `+${sha}:${ref}`]);
  }

  /** Whether the commits in `newSha` but not in `oldSha` (null: the whole history) include a merge. */
  async addsMergeCommit(oldSha: string | null, newSha: string): Promise<boolean> {
    const range = oldSha ? [`${oldSha}..${newSha}`] : [newSha];
    const { stdout } = await this.git(['rev-list', '--min-parents=2', '--count', ...range]);
    return Number(stdout.trim()) > 0;
  }

  /** Paths that differ between two commits (either may be null: the empty tree). */
  async diffPaths(from: string | null, to: string): Promise<string[]> {
    const { stdout } = from
      ? await this.git(['diff', '--name-only', '-z', from, to])
      : await this.git(['ls-tree', '-r', '-z', '--name-only', to]);
    return stdout.split('\0').filter(Boolean);
  }

  /** Creates an empty bare repository at `dir` (default branch `main`). */
  static async init(dir: string): Promise<GitRepo> {
    await run(['init', '--quiet', '--bare', '--initial-branch=main', dir], { cwd: tmpdir() });
    return new GitRepo(dir);
  }

  /** Runs git in this repository. @returns stdout. @throws with stderr when git exits non-zero. */
  git(
    args: readonly string[],
    options: { input?: string | Buffer; env?: Record<string, string>; okCodes?: number[] } = {},
  ) {
    return run(args, { cwd: this.dir, ...options });
  }

  async writeBlob(content: string | Buffer): Promise<string> {
    return (await this.git(['hash-object', '-w', '--stdin'], { input: content })).stdout.trim();
  }

  async readBlob(sha: string): Promise<Buffer> {
    return this.#memo(
      `blob:${sha}`,
      SHA.test(sha),
      async () => (await this.git(['cat-file', 'blob', sha])).stdoutBuffer,
    );
  }

  #memo<T>(key: string, cacheable: boolean, load: () => Promise<T>): Promise<T> {
    if (!cacheable) return load();
    const hit = this.#cache.get(key) as Promise<T> | undefined;
    if (hit) return hit;
    const value = load();
    this.#cache.set(key, value);
    value.catch(() => this.#cache.delete(key));
    return value;
  }

  async objectType(sha: string): Promise<string | null> {
    const result = await this.git(['cat-file', '-t', sha], { okCodes: [0, 128] });
    return result.code === 0 ? result.stdout.trim() : null;
  }

  /** Entries of a tree (or a commit's tree); recursive lists subtrees and their contents. */
  async listTree(treeish: string, recursive: boolean): Promise<TreeEntry[]> {
    return this.#memo(`tree:${treeish}:${recursive}`, SHA.test(treeish), () =>
      this.#listTree(treeish, recursive),
    );
  }

  async #listTree(treeish: string, recursive: boolean): Promise<TreeEntry[]> {
    const args = ['ls-tree', '-z', '--long', '--full-tree', ...(recursive ? ['-r', '-t'] : []), treeish];
    const { stdout } = await this.git(args);
    return stdout
      .split('\0')
      .filter(Boolean)
      .map((line) => {
        const tab = line.indexOf('\t');
        const [mode, type, sha, size] = line.slice(0, tab).split(/\s+/) as [
          string,
          TreeEntry['type'],
          string,
          string,
        ];
        return {
          mode,
          type,
          sha,
          path: line.slice(tab + 1),
          ...(size && size !== '-' ? { size: Number(size) } : {}),
        };
      });
  }

  /** The blob SHA at `path` in a commit or tree, or null. */
  async blobAt(treeish: string, filePath: string): Promise<string | null> {
    if (SHA.test(treeish))
      return (
        (await this.listTree(treeish, true)).find((e) => e.path === filePath && e.type === 'blob')?.sha ??
        null
      );
    const result = await this.git(['rev-parse', '--verify', '--quiet', `${treeish}:${filePath}`], {
      okCodes: [0, 1, 128],
    });
    return result.code === 0 ? result.stdout.trim() : null;
  }

  /**
   * A new tree: `base` (a tree or commit, or null for empty) with `changes` applied; a change with
   * `sha: null` deletes the path. Uses a throw-away index file.
   */
  async createTree(
    base: string | null,
    changes: readonly { path: string; mode: string; sha: string | null }[],
  ): Promise<string> {
    const scratch = await mkdtemp(path.join(tmpdir(), 'stand-in-index-'));
    const env = { GIT_INDEX_FILE: path.join(scratch, 'index') };
    try {
      if (base) await this.git(['read-tree', base], { env });
      else await this.git(['read-tree', '--empty'], { env });
      const lines = changes.map((c) =>
        c.sha === null ? `0 ${ZERO_SHA}\t${c.path}` : `${c.mode} ${c.sha}\t${c.path}`,
      );
      if (lines.length > 0)
        await this.git(['update-index', '--index-info'], { env, input: `${lines.join('\n')}\n` });
      return (await this.git(['write-tree'], { env })).stdout.trim();
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  /** Writes a commit object. @returns its SHA. */
  async commitTree(args: {
    tree: string;
    parents: readonly string[];
    message: string;
    author?: { name: string; email: string };
    dateMs?: number;
  }): Promise<string> {
    const env: Record<string, string> = { ...IDENTITY };
    if (args.author) {
      env.GIT_AUTHOR_NAME = args.author.name;
      env.GIT_AUTHOR_EMAIL = args.author.email;
    }
    if (args.dateMs !== undefined) {
      const date = `${Math.floor(args.dateMs / 1000)} +0000`;
      env.GIT_AUTHOR_DATE = date;
      env.GIT_COMMITTER_DATE = date;
    }
    const parents = args.parents.flatMap((p) => ['-p', p]);
    return (
      await this.git(['commit-tree', args.tree, ...parents, '-F', '-'], { env, input: args.message })
    ).stdout.trim();
  }

  async commit(sha: string): Promise<CommitInfo | null> {
    return this.#memo(`commit:${sha}`, SHA.test(sha), () => this.#commit(sha));
  }

  async #commit(sha: string): Promise<CommitInfo | null> {
    const result = await this.git(['cat-file', 'commit', sha], { okCodes: [0, 128] });
    if (result.code !== 0) return null;
    const text = result.stdout;
    const split = text.indexOf('\n\n');
    const header = text.slice(0, split).split('\n');
    const field = (name: string) =>
      header.filter((l) => l.startsWith(`${name} `)).map((l) => l.slice(name.length + 1));
    const author = field('author')[0] ?? '';
    const committer = field('committer')[0] ?? '';
    const authorMatch = /^(.*) <([^>]*)> (\d+)/.exec(author);
    const committed = /> (\d+) [+-]\d{4}$/.exec(committer);
    return {
      sha,
      tree: field('tree')[0] ?? '',
      parents: field('parent'),
      message: split < 0 ? '' : text.slice(split + 2),
      authorName: authorMatch?.[1] ?? '',
      authorEmail: authorMatch?.[2] ?? '',
      committedAtMs: Number(committed?.[1] ?? 0) * 1000,
    };
  }

  /** Every ref under `prefix` (e.g. `refs/heads/`), name -> SHA. */
  async refs(prefix = 'refs/heads/'): Promise<Map<string, string>> {
    const { stdout } = await this.git(['for-each-ref', '--format=%(refname) %(objectname)', prefix]);
    const refs = new Map<string, string>();
    for (const line of stdout.split('\n').filter(Boolean)) {
      const [name, sha] = line.split(' ') as [string, string];
      refs.set(name, sha);
    }
    return refs;
  }

  async ref(name: string): Promise<string | null> {
    if (SHA.test(name)) return name;
    const result = await this.git(['rev-parse', '--verify', '--quiet', name], { okCodes: [0, 1, 128] });
    return result.code === 0 ? result.stdout.trim() : null;
  }

  /**
   * Sets `name` to `sha` if it is at `expected` now (null: must not exist).
   * @throws RefConflict when it is not.
   */
  async updateRef(name: string, sha: string, expected: string | null): Promise<void> {
    const result = await this.git(['update-ref', name, sha, expected ?? ZERO_SHA], { okCodes: [0, 1, 128] });
    if (result.code !== 0) throw new RefConflict(result.stderr.trim() || `${name} moved`);
  }

  async deleteRef(name: string, expected: string): Promise<void> {
    const result = await this.git(['update-ref', '-d', name, expected], { okCodes: [0, 1, 128] });
    if (result.code !== 0) throw new RefConflict(result.stderr.trim() || `${name} moved`);
  }

  async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    const result = await this.git(['merge-base', '--is-ancestor', ancestor, descendant], {
      okCodes: [0, 1, 128],
    });
    return result.code === 0;
  }

  async mergeBase(a: string, b: string): Promise<string | null> {
    const result = await this.git(['merge-base', a, b], { okCodes: [0, 1] });
    return result.code === 0 ? result.stdout.trim() : null;
  }

  /** Three-way merge of two commits without a work tree: the merged tree, or the conflicted paths. */
  async mergeTrees(ours: string, theirs: string): Promise<{ tree: string } | { conflicts: string[] }> {
    return this.#memo(`merge:${ours}:${theirs}`, SHA.test(ours) && SHA.test(theirs), () =>
      this.#mergeTrees(ours, theirs),
    );
  }

  async #mergeTrees(ours: string, theirs: string): Promise<{ tree: string } | { conflicts: string[] }> {
    const result = await this.git(
      ['merge-tree', '--write-tree', '--name-only', '--no-messages', ours, theirs],
      {
        okCodes: [0, 1],
      },
    );
    const lines = result.stdout.split('\n').filter(Boolean);
    if (result.code === 0) return { tree: lines[0] as string };
    return { conflicts: [...new Set(lines.slice(1))] };
  }

  /** Files changed between the merge base of `base` and `head`, and `head` (a PR's "files changed"). */
  async changedFiles(
    base: string,
    head: string,
  ): Promise<{ status: string; filename: string; previous?: string }[]> {
    const { stdout } = await this.git(['diff', '--name-status', '-z', '-M', `${base}...${head}`]);
    const parts = stdout.split('\0').filter((p) => p !== '');
    const files: { status: string; filename: string; previous?: string }[] = [];
    for (let i = 0; i < parts.length; ) {
      const code = parts[i++] as string;
      if (code.startsWith('R') || code.startsWith('C')) {
        const previous = parts[i++] as string;
        files.push({ status: 'renamed', filename: parts[i++] as string, previous });
      } else {
        const status = code === 'A' ? 'added' : code === 'D' ? 'removed' : 'modified';
        files.push({ status, filename: parts[i++] as string });
      }
    }
    return files;
  }

  /** Up to `limit` commits reachable from `start`, newest first (every parent followed). */
  async revList(start: string, limit: number): Promise<string[]> {
    const { stdout } = await this.git(['rev-list', `--max-count=${limit}`, start]);
    return stdout.split('\n').filter(Boolean);
  }

  /** First-parent history of a ref, newest first: `sha subject`. */
  async log(ref: string): Promise<string[]> {
    const { stdout } = await this.git(['log', '--first-parent', '--format=%H %s', ref]);
    return stdout.split('\n').filter(Boolean);
  }
}

interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stdoutBuffer: Buffer;
  readonly stderr: string;
}

function run(
  args: readonly string[],
  options: { cwd: string; input?: string | Buffer; env?: Record<string, string>; okCodes?: number[] },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...args],
      {
        cwd: options.cwd,
        env: { ...process.env, ...IDENTITY, GIT_CONFIG_NOSYSTEM: '1', ...options.env },
        encoding: 'buffer',
        maxBuffer: 256 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        const result = {
          code,
          stdout: stdout.toString('utf8'),
          stdoutBuffer: stdout,
          stderr: stderr.toString('utf8'),
        };
        if ((options.okCodes ?? [0]).includes(code)) resolve(result);
        else reject(new Error(`git ${args.join(' ')} exited ${code}: ${result.stderr.trim()}`));
      },
    );
    // git may exit before reading stdin (EPIPE): that is not an error of ours.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input ?? '');
  });
}
