/**
 * Branch protection and rulesets, as GitHub's REST API serves them: classic protection per branch
 * (`GET/PUT/DELETE .../branches/{branch}/protection`, admin to write, `administration: read` for an
 * app to read), repository rulesets (`GET/POST .../rulesets`, `GET .../rulesets/{id}` with
 * `current_user_can_bypass` for the caller) and the rules in force on a branch
 * (`GET .../rules/branches/{branch}`, any reader). Enforcement is in `enforce.ts`.
 */
import { type Actor, HttpError, type Hub, type Repo } from '../hub.js';
import {
  bypassOf,
  type ClassicProtection,
  normalizeProtection,
  normalizeRuleset,
  type RuleActor,
  type Ruleset,
  rulesetsFor,
} from '../rules.js';
import { ok, type Route, repoOf, requireAdmin, requirePermission } from './shared.js';

export const RULE_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/branches/{branch}/protection',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      requirePermission(hub, req, 'administration', 'read');
      const protection = repo.protection.get(req.params.branch as string);
      if (!protection) throw new HttpError(404, 'Branch not protected');
      return ok(protectionJson(hub, repo, req.params.branch as string, protection));
    },
  },
  {
    method: 'PUT',
    template: '/repos/{owner}/{repo}/branches/{branch}/protection',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      requireAdmin(hub, repo, req);
      const branch = req.params.branch as string;
      if (!(await repo.git.ref(`refs/heads/${branch}`))) throw new HttpError(404, 'Branch not found');
      let protection: ClassicProtection;
      try {
        protection = normalizeProtection(req.body);
      } catch (error) {
        throw new HttpError(422, (error as Error).message);
      }
      repo.protection.set(branch, protection);
      return ok(protectionJson(hub, repo, branch, protection));
    },
  },
  {
    method: 'DELETE',
    template: '/repos/{owner}/{repo}/branches/{branch}/protection',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      requireAdmin(hub, repo, req);
      if (!repo.protection.delete(req.params.branch as string))
        throw new HttpError(404, 'Branch not protected');
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/rulesets',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      return ok(repo.rulesets.map((r) => rulesetJson(hub, repo, r, req.actor, false)));
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/rulesets',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      requireAdmin(hub, repo, req);
      let ruleset: Ruleset;
      try {
        ruleset = normalizeRuleset(req.body, hub.nextId(), hub.nowIso());
      } catch (error) {
        throw new HttpError(422, (error as Error).message);
      }
      if (repo.rulesets.some((r) => r.name === ruleset.name))
        throw new HttpError(422, `Name must be unique: a ruleset named "${ruleset.name}" exists`);
      repo.rulesets.push(ruleset);
      return ok(rulesetJson(hub, repo, ruleset, req.actor, true), 201);
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/rulesets/{ruleset_id}',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const ruleset = repo.rulesets.find((r) => r.id === Number(req.params.ruleset_id));
      if (!ruleset) throw new HttpError(404, 'Not Found');
      return ok(rulesetJson(hub, repo, ruleset, req.actor, true));
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/rules/branches/{branch}',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const rows = rulesetsFor(repo.rulesets, req.params.branch as string, repo.defaultBranch).flatMap((r) =>
        r.rules.map((rule) => ({
          type: rule.type,
          ...(rule.parameters ? { parameters: rule.parameters } : {}),
          ruleset_source_type: 'Repository',
          ruleset_source: `${repo.owner}/${repo.name}`,
          ruleset_id: r.id,
        })),
      );
      return ok(rows);
    },
  },
];

function protectionJson(hub: Hub, repo: Repo, branch: string, p: ClassicProtection) {
  const url = `${hub.htmlUrl(repo)}/branches/${branch}/protection`;
  const users = (logins: readonly string[]) => logins.map((login) => ({ login, type: 'User' }));
  const apps = (slugs: readonly string[]) =>
    slugs.map((slug) => ({ slug, name: slug, id: slug === hub.app.slug ? hub.app.id : 0 }));
  return {
    url,
    ...(p.requiredStatusChecks
      ? {
          required_status_checks: {
            url: `${url}/required_status_checks`,
            enforcement_level: 'non_admins',
            strict: p.requiredStatusChecks.strict,
            contexts: p.requiredStatusChecks.checks.map((c) => c.context),
            checks: p.requiredStatusChecks.checks.map((c) => ({ context: c.context, app_id: c.appId })),
          },
        }
      : {}),
    enforce_admins: { url: `${url}/enforce_admins`, enabled: p.enforceAdmins },
    ...(p.requiredReviews
      ? {
          required_pull_request_reviews: {
            url: `${url}/required_pull_request_reviews`,
            dismiss_stale_reviews: p.requiredReviews.dismissStale,
            require_code_owner_reviews: p.requiredReviews.codeOwners,
            required_approving_review_count: p.requiredReviews.count,
            require_last_push_approval: false,
            bypass_pull_request_allowances: {
              users: users(p.requiredReviews.bypass.users),
              teams: [],
              apps: apps(p.requiredReviews.bypass.apps),
            },
          },
        }
      : {}),
    ...(p.restrictions
      ? {
          restrictions: {
            url: `${url}/restrictions`,
            users: users(p.restrictions.users),
            teams: [],
            apps: apps(p.restrictions.apps),
          },
        }
      : {}),
    required_linear_history: { enabled: p.linearHistory },
    allow_force_pushes: { enabled: p.allowForcePushes },
    allow_deletions: { enabled: p.allowDeletions },
  };
}

function rulesetJson(hub: Hub, repo: Repo, r: Ruleset, caller: Actor, detailed: boolean) {
  const actor: RuleActor =
    caller.appId !== undefined
      ? { kind: 'app', login: caller.login, appId: caller.appId, slug: hub.app.slug, role: 'write' }
      : { kind: 'user', login: caller.login, role: hub.roleOf(repo, caller.login) };
  return {
    id: r.id,
    name: r.name,
    target: 'branch',
    source_type: 'Repository',
    source: `${repo.owner}/${repo.name}`,
    enforcement: r.enforcement,
    node_id: `RRS_${r.id}`,
    current_user_can_bypass: bypassOf(r, actor),
    created_at: r.createdAt,
    updated_at: r.createdAt,
    _links: {
      self: { href: `${hub.htmlUrl(repo)}/rulesets/${r.id}` },
      html: { href: `${hub.htmlUrl(repo)}/rules/${r.id}` },
    },
    ...(detailed
      ? {
          bypass_actors: r.bypassActors,
          conditions: { ref_name: { include: r.include, exclude: r.exclude } },
          rules: r.rules,
        }
      : {}),
  };
}
