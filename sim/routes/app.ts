/** The app and its installation: `/app`, installations, installation tokens, repositories. */
import { ok, owners, paginate, type Route, repoJson } from './shared.js';

export const APP_ROUTES: readonly Route[] = [
  {
    method: 'GET',
    template: '/app',
    handle: async (hub) =>
      ok({
        id: hub.app.id,
        slug: hub.app.slug,
        name: 'Taskgraph Coordinator',
        owner: { login: 'stand-in' },
        permissions: hub.app.permissions,
      }),
  },
  {
    method: 'GET',
    template: '/app/installations',
    handle: async (hub) =>
      ok([
        {
          id: hub.app.installationId,
          account: { login: owners(hub)[0] ?? 'stand-in' },
          app_id: hub.app.id,
          permissions: hub.app.permissions,
        },
      ]),
  },
  {
    method: 'POST',
    template: '/app/installations/{installation_id}/access_tokens',
    handle: async (hub) =>
      ok(
        {
          token: `ghs_standin${Date.now()}`,
          expires_at: new Date(Date.now() + 3_600_000).toISOString(),
          permissions: hub.app.permissions,
        },
        201,
      ),
  },
  {
    method: 'GET',
    template: '/installation/repositories',
    handle: async (hub, req) => {
      const all = [...hub.repos.values()].filter((r) => !r.forkOf).map((r) => repoJson(hub, r));
      return paginate(req, all, (items) => ({ total_count: all.length, repositories: items }));
    },
  },
];
