/**
 * Health endpoints on the webhook port: `GET /healthz` answers 200 while the process serves (a
 * liveness probe and the image's HEALTHCHECK); `GET /readyz` answers 200 only when every readiness
 * check passes (the store answers, the private key loads, a GitHub App JWT can be minted) and 503
 * with a JSON reason per failed check otherwise, or while the server shuts down.
 */
import githubAppJwt from 'universal-github-app-jwt';
import type { RouteHandler } from './http-server.js';

/** One readiness check: resolves when fine, throws (or rejects) with the reason otherwise. */
export interface ReadinessCheck {
  readonly name: string;
  readonly check: () => void | Promise<void>;
}

/** What `/readyz` answers: `checks` maps each check to `ok` or the reason it failed. */
export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, string>>;
}

/** Runs every check (each bounded by `timeoutMs`, default 2 s), never throwing. */
export async function readiness(checks: readonly ReadinessCheck[], timeoutMs = 2_000): Promise<Readiness> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        await Promise.race([Promise.resolve().then(check), timeout]);
        return [name, 'ok'] as const;
      } catch (error) {
        return [name, error instanceof Error ? error.message : String(error)] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ready: results.every(([, result]) => result === 'ok'), checks: Object.fromEntries(results) };
}

/**
 * The app's own readiness checks: the store answers a query, and the app can mint the JWT it
 * authenticates to GitHub with (RS256 over the private key: GitHub docs, "Generating a JSON Web
 * Token (JWT) for a GitHub App"). A key that does not parse fails here, not on the first webhook.
 */
export function appChecks(options: {
  appId: number;
  privateKey: string;
  store: { ping(): void } | null;
}): ReadinessCheck[] {
  return [
    ...(options.store ? [{ name: 'store', check: () => options.store?.ping() }] : []),
    {
      name: 'github_app_jwt',
      check: async () => {
        try {
          await githubAppJwt({ id: options.appId, privateKey: options.privateKey });
        } catch (error) {
          throw new Error(`the private key does not sign a GitHub App JWT: ${(error as Error).message}`);
        }
      },
    },
  ];
}

/**
 * The routes. @param state `draining` is true once shutdown began (`/readyz` then answers 503, so a
 * load balancer stops sending deliveries here).
 */
export function healthRoutes(
  checks: readonly ReadinessCheck[],
  state: { readonly draining: boolean },
): Record<string, RouteHandler> {
  const json = (res: Parameters<RouteHandler>[1], status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  return {
    'GET /healthz': (_req, res) => json(res, 200, { status: 'ok' }),
    'GET /readyz': async (_req, res) => {
      if (state.draining) return json(res, 503, { ready: false, reason: 'shutting down', checks: {} });
      const result = await readiness(checks);
      const failed = Object.entries(result.checks).filter(([, r]) => r !== 'ok');
      json(res, result.ready ? 200 : 503, {
        ...result,
        ...(failed.length > 0 ? { reason: failed.map(([name, r]) => `${name}: ${r}`).join('; ') } : {}),
      });
    },
  };
}
