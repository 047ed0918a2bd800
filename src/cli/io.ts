/** What a CLI command writes to, injected so tests run commands in-process. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Colour output (stdout is a TTY and `NO_COLOR` is not set, or `FORCE_COLOR` is). */
  readonly color: boolean;
}

/** The real terminal: `process.stdout` / `process.stderr`, colour decided from the environment. */
export function processIo(env: NodeJS.ProcessEnv = process.env): CliIo {
  const color = env.NO_COLOR
    ? false
    : env.FORCE_COLOR
      ? env.FORCE_COLOR !== '0'
      : process.stdout.isTTY === true;
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    color,
  };
}

/**
 * Exit codes of every command: 0 fine (warnings allowed), 1 the graph has errors, 2 usage error, 3
 * the tool itself failed (a bug, or the system refused: a broken pipe, an unreadable file).
 */
export const EXIT = { ok: 0, invalid: 1, usage: 2, internal: 3 } as const;
