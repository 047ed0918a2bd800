/**
 * The server-side map of Teams channels (`TEAMS_CHANNELS_FILE`): owner (org or user login) -> channel
 * key -> Workflows URL, with `"*"` for single-tenant installs. Repos name channel keys only; URLs stay
 * on the server, and a repository reaches only its own owner's channels. Checked at boot.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { checkWorkflowUrl, redactUrl } from './webhook-url.js';

const fileSchema = z.record(
  z.string().min(1),
  z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'channel keys are letters, digits, _ . -'), z.string()),
);

/** Thrown at boot; the message names owner, key and reason, never a URL's query. */
export class ChannelsFileError extends Error {
  override readonly name = 'ChannelsFileError';
}

export class ChannelDirectory {
  readonly #byOwner: ReadonlyMap<string, ReadonlyMap<string, string>>;

  constructor(byOwner: ReadonlyMap<string, ReadonlyMap<string, string>>) {
    this.#byOwner = byOwner;
  }

  /** Channel keys and URLs an owner's repositories may use: the owner's own entry, else `"*"`. */
  channelsFor(owner: string): ReadonlyMap<string, string> {
    const lower = owner.toLowerCase();
    for (const [key, channels] of this.#byOwner) if (key.toLowerCase() === lower) return channels;
    return this.#byOwner.get('*') ?? new Map();
  }
}

/**
 * Validates the parsed file.
 * @throws ChannelsFileError listing every refused URL (redacted) with its owner, key and reason.
 */
export function parseChannels(data: unknown, options: { allowLoopback?: boolean } = {}): ChannelDirectory {
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ChannelsFileError(
      `TEAMS_CHANNELS_FILE is not owner -> channel -> URL:\n  ${issues.join('\n  ')}`,
    );
  }
  const problems: string[] = [];
  const byOwner = new Map<string, Map<string, string>>();
  for (const [owner, channels] of Object.entries(parsed.data)) {
    const keys = new Map<string, string>();
    for (const [key, url] of Object.entries(channels)) {
      const check = checkWorkflowUrl(url, options);
      if (check.ok) keys.set(key, url);
      else problems.push(`${owner}.${key} (${redactUrl(url)}) ${check.reason}`);
    }
    byOwner.set(owner, keys);
  }
  if (problems.length > 0)
    throw new ChannelsFileError(`TEAMS_CHANNELS_FILE has refused URLs:\n  ${problems.join('\n  ')}`);
  return new ChannelDirectory(byOwner);
}

/** Reads and validates the file. @throws ChannelsFileError (unreadable, not JSON, or refused URLs). */
export async function loadChannelsFile(
  path: string,
  options: { allowLoopback?: boolean } = {},
): Promise<ChannelDirectory> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ChannelsFileError(`TEAMS_CHANNELS_FILE ${path} cannot be read: ${(error as Error).message}`);
  }
  try {
    return parseChannels(JSON.parse(text), options);
  } catch (error) {
    if (error instanceof ChannelsFileError) throw error;
    throw new ChannelsFileError(`TEAMS_CHANNELS_FILE ${path} is not valid JSON`);
  }
}
