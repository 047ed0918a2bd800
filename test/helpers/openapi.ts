/**
 * Checks a request the app makes against GitHub's OpenAPI description (@octokit/openapi): the route
 * template and method exist, and every body key is in the operation's request schema.
 */
import { createRequire } from 'node:module';

type Schema = { properties?: Record<string, unknown>; oneOf?: Schema[]; anyOf?: Schema[] };
type Operation = {
  parameters?: { name: string; in: string }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
};

/** Every property name a body schema allows, through `oneOf`/`anyOf` alternatives (e.g. add labels). */
function allowedKeys(schema: Schema | undefined): Set<string> {
  const keys = new Set(Object.keys(schema?.properties ?? {}));
  for (const alternative of [...(schema?.oneOf ?? []), ...(schema?.anyOf ?? [])])
    for (const key of allowedKeys(alternative)) keys.add(key);
  return keys;
}
const require = createRequire(import.meta.url);
const spec = require('@octokit/openapi/generated/api.github.com.deref.json') as {
  paths: Record<string, Record<string, Operation>>;
};

const OCTOKIT_KEYS = new Set(['method', 'url', 'baseUrl', 'headers', 'request', 'mediaType', 'data']);

const templates = Object.keys(spec.paths).map((template) => {
  const literal = template.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'));
  return { template, pattern: new RegExp(`^${literal.join('[^/]+')}$`) };
});

/** `octokit.paginate` hands the hook expanded URLs (`https://host/repos/o/r/pulls?page=2`): map them back. */
function templateOf(url: string): string {
  if (!/^https?:\/\//.test(url)) return url.replace(/\{\?[^}]*\}$/, '');
  const path = new URL(url).pathname.replace(/^\/api\/v3/, '');
  const matches = templates.filter((t) => t.pattern.test(path));
  // Prefer the most literal template (fewest parameters) when several match.
  matches.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
  return matches[0]?.template ?? path;
}

/** Problems with one request (empty when it matches the spec). `options` is octokit's request options. */
export function specProblems(options: Record<string, unknown>): string[] {
  const url = templateOf(String(options.url));
  const method = String(options.method).toLowerCase();
  const operation = spec.paths[url]?.[method];
  if (!operation) return [`${method.toUpperCase()} ${url} is not in the GitHub REST API description`];
  const pathParams = [...url.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const declared = new Set((operation.parameters ?? []).map((p) => p.name));
  const bodyKeys = Object.keys(options).filter(
    (key) => !OCTOKIT_KEYS.has(key) && !pathParams.includes(key) && !declared.has(key),
  );
  const allowed = allowedKeys(operation.requestBody?.content?.['application/json']?.schema);
  return bodyKeys
    .filter((key) => !allowed.has(key))
    .map((key) => `${method.toUpperCase()} ${url}: body key "${key}" is not in the request schema`);
}
