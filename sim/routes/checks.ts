/** Check runs (create, update, list by commit, re-request) and commit statuses (create, combined). */
import { type CheckRun, HttpError, type Repo } from '../hub.js';
import { checkRunJson, ok, paginate, type Route, repoOf } from './shared.js';

export const CHECK_ROUTES: readonly Route[] = [
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/check-runs',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const output = (req.body.output ?? {}) as { title?: string; summary?: string };
      const run = hub.createCheckRun(
        repo,
        {
          name: String(req.body.name),
          headSha: String(req.body.head_sha),
          status: req.body.status as CheckRun['status'] | undefined,
          conclusion: (req.body.conclusion as string | undefined) ?? null,
          output,
          externalId: typeof req.body.external_id === 'string' ? req.body.external_id : null,
          detailsUrl: typeof req.body.details_url === 'string' ? req.body.details_url : null,
          appId: req.actor.appId ?? 0,
        },
        req.actor,
      );
      return ok(checkRunJson(hub, repo, run), 201);
    },
  },
  {
    method: 'PATCH',
    template: '/repos/{owner}/{repo}/check-runs/{check_run_id}',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const run = repo.checkRuns.find((r) => r.id === Number(req.params.check_run_id));
      if (!run || run.appId !== req.actor.appId) throw new HttpError(404, 'Not Found');
      hub.updateCheckRun(
        repo,
        run,
        {
          status: req.body.status as CheckRun['status'] | undefined,
          conclusion: (req.body.conclusion as string | undefined) ?? null,
          output: req.body.output as { title?: string; summary?: string } | undefined,
          ...(typeof req.body.external_id === 'string' ? { externalId: req.body.external_id } : {}),
          ...(typeof req.body.details_url === 'string' ? { detailsUrl: req.body.details_url } : {}),
        },
        req.actor,
      );
      return ok(checkRunJson(hub, repo, run));
    },
  },
  {
    // docs "Rerequest a check run": GitHub sends `check_run.rerequested` to the app that owns it.
    method: 'POST',
    template: '/repos/{owner}/{repo}/check-runs/{check_run_id}/rerequest',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const run = repo.checkRuns.find((r) => r.id === Number(req.params.check_run_id));
      if (!run) throw new HttpError(404, 'Not Found');
      hub.rerequestCheckRun(repo, run, req.actor);
      return { status: 201, body: {} };
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits/{ref}/check-runs',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const sha = (await repo.git.ref(req.params.ref as string)) ?? req.params.ref;
      const appId = req.query.get('app_id');
      const name = req.query.get('check_name');
      let runs = repo.checkRuns.filter(
        (r) => r.headSha === sha && (!appId || r.appId === Number(appId)) && (!name || r.name === name),
      );
      if (req.query.get('filter') !== 'all') {
        const latest = new Map<string, CheckRun>();
        for (const run of runs) latest.set(`${run.appId}:${run.name}`, run);
        runs = [...latest.values()];
      }
      const rows = runs.sort((a, b) => b.id - a.id).map((r) => checkRunJson(hub, repo, r));
      return paginate(req, rows, (items) => ({ total_count: rows.length, check_runs: items }));
    },
  },
  {
    method: 'GET',
    template: '/repos/{owner}/{repo}/commits/{ref}/status',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const sha = (await repo.git.ref(req.params.ref as string)) ?? req.params.ref;
      // The latest status per context; the combined state is failure if any failed or errored,
      // pending if any is pending (or there are none), else success (docs: "Get the combined status").
      const latest = new Map<string, Repo['statuses'][number]>();
      for (const status of repo.statuses) if (status.sha === sha) latest.set(status.context, status);
      const statuses = [...latest.values()];
      const state = statuses.some((st) => st.state === 'failure' || st.state === 'error')
        ? 'failure'
        : statuses.length === 0 || statuses.some((st) => st.state === 'pending')
          ? 'pending'
          : 'success';
      return ok({
        state,
        sha,
        total_count: statuses.length,
        statuses: statuses.map((st) => ({
          context: st.context,
          state: st.state,
          description: st.description,
          created_at: st.at,
          updated_at: st.at,
        })),
      });
    },
  },
  {
    method: 'POST',
    template: '/repos/{owner}/{repo}/statuses/{sha}',
    handle: async (hub, req) => {
      const repo = repoOf(hub, req);
      const sha = req.params.sha as string;
      if (!(await repo.git.commit(sha))) throw new HttpError(422, 'No commit found for SHA');
      const state = String(req.body.state);
      if (!['error', 'failure', 'pending', 'success'].includes(state))
        throw new HttpError(422, 'state is not valid');
      const status = {
        sha,
        context: String(req.body.context ?? 'default'),
        state,
        description: typeof req.body.description === 'string' ? req.body.description : null,
        at: hub.nowIso(),
      };
      repo.statuses.push(status);
      return ok({ id: hub.nextId(), ...status, created_at: status.at, updated_at: status.at }, 201);
    },
  },
];
