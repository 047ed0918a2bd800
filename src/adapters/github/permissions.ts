/**
 * A commenter's permission on a repository, cached briefly (a burst of commands costs one request).
 * Source: `GET /repos/{owner}/{repo}/collaborators/{username}/permission` ("Get repository
 * permissions for a user"): `permission` is admin | write | read | none, and `role_name` refines it
 * (maintain, triage). A 404 (no such user, or no access) means none.
 */
import { LRUCache } from 'lru-cache';
import type { Permission } from '../../domain/commands/authorize.js';
import type { Octokit, RepoRef } from './octokit.js';

const KNOWN: ReadonlySet<string> = new Set(['admin', 'maintain', 'write', 'triage', 'read', 'none']);

export class PermissionCache {
  readonly #entries: LRUCache<string, { permission: Permission; at: number }>;
  readonly #ttlMs: number;
  readonly #now: () => number;

  /**
   * @param options.ttlMs how long an answer is reused, ms (default 60 s).
   * @param options.max most users × repos kept (default 10,000; least recently used go first).
   */
  constructor(options: { ttlMs?: number; now?: () => number; max?: number } = {}) {
    this.#ttlMs = options.ttlMs ?? 60_000;
    this.#now = options.now ?? Date.now;
    // The TTL is checked here against `now` (lru-cache's own TTL reads its clock, and treats a
    // start time of 0 as "never stale"); lru-cache bounds the count.
    this.#entries = new LRUCache({ max: options.max ?? 10_000 });
  }

  /** Answers held now (for tests). */
  get size(): number {
    return this.#entries.size;
  }

  /** @throws octokit errors other than 404. */
  async permission(octokit: Octokit, repo: RepoRef, username: string): Promise<Permission> {
    const key = `${repo.owner}/${repo.repo}:${username.toLowerCase()}`;
    const cached = this.#entries.get(key);
    if (cached && this.#now() - cached.at < this.#ttlMs) return cached.permission;
    if (cached) this.#entries.delete(key);
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
