/**
 * Who may run which command. Reading commands (`status`, `help`) are open to anyone who can comment;
 * every other verb changes queue, status or notifications and needs write access to the repository
 * (GitHub's collaborator permission: `admin`, `maintain` or `write`; docs: "Get repository permissions
 * for a user"). The app's own comments are never commands.
 */
import type { Verb } from './parse-commands.js';

export type Permission = 'admin' | 'maintain' | 'write' | 'triage' | 'read' | 'none';

const OPEN: ReadonlySet<Verb> = new Set(['status', 'help']);
const WRITERS: ReadonlySet<Permission> = new Set(['admin', 'maintain', 'write']);

export type Authorization = { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/** Decides one command for one commenter. */
export function authorize(input: { verb: Verb; permission: Permission; isSelf: boolean }): Authorization {
  if (input.isSelf)
    return { allowed: false, reason: 'the coordinator does not take commands from its own comments' };
  if (OPEN.has(input.verb) || WRITERS.has(input.permission)) return { allowed: true };
  return {
    allowed: false,
    reason: `\`${input.verb}\` needs write access to this repository (you have ${input.permission}); ask a maintainer to run it`,
  };
}
