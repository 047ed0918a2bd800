/**
 * The server's environment, validated at boot so a misconfigured deployment fails with the variable
 * name and the reason instead of a stack trace later. Secrets are validated, never printed.
 */
import { z } from 'zod';

const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .default('false')
  .transform((v) => v === 'true' || v === '1');

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

export const serverEnvSchema = z.object({
  /** GitHub App id (a positive integer). Without it (outside production) Probot serves its set-up page. */
  APP_ID: optional.pipe(z.string().regex(/^\d+$/, 'must be the numeric app id').optional()),
  /** The app's private key as PEM text (newlines may be written as \n). */
  PRIVATE_KEY: optional,
  /** Path of the app's private key file. */
  PRIVATE_KEY_PATH: optional,
  /** Secret GitHub signs webhook deliveries with. */
  WEBHOOK_SECRET: optional,
  /** GitHub Enterprise Server or local stand-in host[:port]. */
  GHE_HOST: optional,
  GHE_PROTOCOL: z.enum(['http', 'https']).default('https'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: optional,
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** `json` (one object per line) or `pretty`; default json when NODE_ENV=production, else pretty. */
  LOG_FORMAT: optional.pipe(z.enum(['json', 'pretty']).optional()),
  /** Plan and log only. */
  DRY_RUN: flag,
  /**
   * Scan each repository on its first reconcile and propose what git says was already merged (and a
   * commented config, when it has none) as one `coordinator/adopt` PR. Default true.
   */
  ADOPT_ON_FIRST_SIGHT: z
    .enum(['true', 'false', '1', '0', ''])
    .default('true')
    .transform((v) => v !== 'false' && v !== '0'),
  /** Period of the resync that reconciles every active repo, ms (default 5 minutes). */
  RESYNC_INTERVAL_MS: z.coerce.number().int().min(1_000).default(300_000),
  /** Minimum pause between write requests to GitHub, ms (GitHub's guidance: about 1 s). */
  GITHUB_WRITE_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  /**
   * Minimum pause between requests that notify people (comments, issues, PRs), ms: the 3 s of
   * @octokit/plugin-throttling (GitHub limits content creation separately).
   */
  GITHUB_NOTIFICATION_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(3_000),
  /** Base wait before retrying a 5xx answer, ms; retries wait base × 1, 4, 9. */
  GITHUB_RETRY_BASE_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  /** Where the embedded store keeps its SQLite file (the Teams outbox). */
  DATA_DIR: z.string().min(1).default('./data'),
  /** JSON file: owner -> channel key -> Teams Workflows URL (`"*"` for any owner). Unset: no Teams alerts. */
  TEAMS_CHANNELS_FILE: optional,
  /** Also accept `http://127.0.0.1:<port>` channel URLs: for the local demo and tests only. */
  TEAMS_ALLOW_LOOPBACK: flag,
  /** How long SIGTERM/SIGINT waits for the running reconcile and commands, ms (default 25 s). */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(25_000),
  /** Oldest a failing Teams notification may get before it is dead-lettered, ms (default 24 h). */
  OUTBOX_MAX_AGE_MS: z.coerce.number().int().min(60_000).default(86_400_000),
  /** PostgreSQL (`postgres://user@host:5432/db`): the store several replicas share. Unset: SQLite in DATA_DIR. */
  DATABASE_URL: optional.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
  ),
  /**
   * This replica's name in leases (default `<hostname>:<PORT>`, unique while the process listens).
   * A replica restarted under the same name takes its own leases back at once instead of waiting
   * out their TTL.
   */
  REPLICA_ID: optional,
  /** How long a replica's lease on a repository lasts without renewal, ms (default 30 s). */
  LEASE_TTL_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  /** Repositories one replica reconciles at once (default 4). */
  MAX_CONCURRENT_RECONCILES: z.coerce.number().int().min(1).max(64).default(4),
  /** How often a replica looks for repositories marked dirty by any replica, ms (default 1 s). */
  DIRTY_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  /** When set, `GET /metrics` needs `Authorization: Bearer <token>`. */
  METRICS_TOKEN: optional,
  /** `production`: JSON logs by default, and APP_ID, the key and WEBHOOK_SECRET are required. */
  NODE_ENV: optional,
});

export type ServerEnv = z.output<typeof serverEnvSchema>;

/** Thrown at boot with one line per bad variable. */
export class ServerEnvError extends Error {
  override readonly name = 'ServerEnvError';
}

/**
 * Validates the environment.
 *
 * @throws ServerEnvError listing every bad variable (`VAR: reason`), values never included.
 */
export function parseServerEnv(env: Readonly<Record<string, string | undefined>>): ServerEnv {
  const result = serverEnvSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ServerEnvError(`invalid environment:\n${lines.map((l) => `  ${l}`).join('\n')}`);
  }
  const parsed = result.data;
  if (parsed.NODE_ENV === 'production') {
    const missing = ['APP_ID', 'WEBHOOK_SECRET'].filter(
      (key) => parsed[key as keyof ServerEnv] === undefined,
    );
    if (!parsed.PRIVATE_KEY && !parsed.PRIVATE_KEY_PATH) missing.push('PRIVATE_KEY or PRIVATE_KEY_PATH');
    if (missing.length > 0)
      throw new ServerEnvError(`invalid environment: production needs ${missing.join(', ')}`);
  }
  return parsed;
}
