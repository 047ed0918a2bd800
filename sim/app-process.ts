/**
 * The real app as a child process, exactly as `npm start` runs it (`dist/server/main.js`), pointed
 * at the stand-in. It can be killed with SIGKILL and started again on the same port and `DATA_DIR`
 * (what a crash and a restart look like), and every start appends to one log file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface AppProcessOptions {
  readonly workdir: string;
  readonly gheHost: string;
  readonly port: number;
  readonly secret: string;
  readonly channelsFile: string;
  readonly resyncMs: number;
  /** Log file name in `workdir` (default `app.log`). */
  readonly logName?: string;
  /** Where the store lives (default `<workdir>/data`). */
  readonly dataDir?: string;
  /** More environment (e.g. `DATABASE_URL`). */
  readonly env?: Readonly<Record<string, string>>;
}

export class AppProcess {
  readonly logFile: string;
  /** How many times the process was started again after a kill. */
  restarts = 0;
  #child: ChildProcess | null = null;
  readonly #log: WriteStream;
  readonly #privateKey: string;

  constructor(readonly options: AppProcessOptions) {
    this.logFile = path.join(options.workdir, options.logName ?? 'app.log');
    this.#log = createWriteStream(this.logFile, { flags: 'a' });
    this.#privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs1', format: 'pem' })
      .toString();
  }

  get running(): boolean {
    return this.#child !== null && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Starts the process and resolves once it answers `GET /ping`. @throws when it exits or never answers. */
  async start(timeoutMs = 30_000): Promise<void> {
    const o = this.options;
    const child = spawn(process.execPath, [serverEntry()], {
      cwd: o.workdir,
      env: {
        PATH: process.env.PATH ?? '',
        APP_ID: '1',
        PRIVATE_KEY: this.#privateKey,
        WEBHOOK_SECRET: o.secret,
        GHE_HOST: o.gheHost,
        GHE_PROTOCOL: 'http',
        PORT: String(o.port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
        RESYNC_INTERVAL_MS: String(o.resyncMs),
        // The stand-in has no secondary rate limits to respect (production keeps GitHub's 1 s).
        GITHUB_WRITE_INTERVAL_MS: '10',
        GITHUB_NOTIFICATION_INTERVAL_MS: '10',
        GITHUB_RETRY_BASE_MS: '100',
        DATA_DIR: o.dataDir ?? path.join(o.workdir, 'data'),
        TEAMS_CHANNELS_FILE: o.channelsFile,
        TEAMS_ALLOW_LOOPBACK: 'true',
        ...o.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(this.#log, { end: false });
    child.stderr?.pipe(this.#log, { end: false });
    this.#child = child;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`the app exited with ${child.exitCode ?? child.signalCode} (see ${this.logFile})`);
      try {
        if ((await fetch(`http://127.0.0.1:${o.port}/ping`)).ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`the app did not start within ${timeoutMs / 1000} s`);
  }

  /** Kills the process with SIGKILL (no cleanup at all) and starts it again on the same port and data. */
  async crashAndRestart(): Promise<void> {
    await this.#kill('SIGKILL');
    this.restarts++;
    await this.start();
  }

  /** The running process's id (for RSS readings), if it runs. */
  get pid(): number | undefined {
    return this.running ? this.#child?.pid : undefined;
  }

  /** Kills the process with SIGKILL and leaves it dead (a crashed replica that does not come back). */
  async kill(): Promise<void> {
    await this.#kill('SIGKILL');
  }

  /** Stops the process: SIGTERM, then SIGKILL after 3 s. */
  async stop(): Promise<void> {
    await this.#kill('SIGTERM', 3_000);
    this.#log.end();
  }

  async #kill(signal: NodeJS.Signals, graceMs = 0): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    if (graceMs > 0) await Promise.race([exited, sleep(graceMs)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
}

/** `dist/server/main.js` of this package (the demo runs the built app, exactly what `npm start` runs). */
function serverEntry(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the package root');
    dir = up;
  }
  const entry = path.join(dir, 'dist', 'server', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first`);
  return entry;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
