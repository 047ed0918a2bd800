/**
 * A commenter's permission on a repository, cached briefly (a burst of commands costs one request).
 * Source: `GET /repos/{owner}/{repo}/collaborators/{username}/permission` ("Get repository
 * permissions for a user"): `permission` is admin | write | read | none, and `role_name` refines it
 * (maintain, triage). A 404 (no such user, or no access) means none.
 */
import type { Permission } from '../../domain/commands/authorize.js';
import type { Octokit, RepoRef } from './octokit.js';

const KNOWN: ReadonlySet<string> = new Set(['admin', 'maintain', 'write', 'triage', 'read', 'none']);

export class PermissionCache {
  readonly #entries = new Map<string, { permission: Permission; at: number }>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  /** @param ttlMs how long an answer is reused, ms (default 60 s). */
  constructor(options: { ttlMs?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#now = options.now ?? Date.now;
  }

  /** @throws octokit errors other than 404. */
  async permission(octokit: Octokit, repo: RepoRef, username: string): Promise<Permission> {
    const key = `${repo.owner}/${repo.repo}:${username.toLowerCase()}`;
    const cached = this.#entries.get(key);
    if (cached && this.#now() - cached.at < this.#ttlMs) return cached.permission;
    let permission: Permission = 'none';
    try {
      const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username });
      const role = (data as { role_name?: string }).role_name;
      permission = (role && KNOWN.has(role) ? role : data.permission) as Permission;
      if (!KNOWN.has(permission)) permission = 'none';
    } catch (error) {
      if ((error as { status?: number }).status !== 404) throw error;
    }
    this.#entries.set(key, { permission, at: this.#now() });
    return permission;
  }
}
