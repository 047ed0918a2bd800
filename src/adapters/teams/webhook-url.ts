/**
 * Teams Workflows webhook URLs are credentials (the `sig` query parameter). Only URLs of a Teams
 * "Workflows" flow are accepted: https on port 443, a host under `.environment.api.powerplatform.com`
 * or `.logic.azure.com`, a path ending in `/triggers/manual/paths/invoke`, and a `sig` parameter.
 * Office 365 connector URLs (`*.webhook.office.com`, `outlook.office.com/webhook`) were shut down in
 * May 2026 and are refused with a message that says what to do instead. (Source: shared
 * PLATFORM-NOTES.md, "Microsoft Teams".)
 */

export type UrlCheck =
  | { readonly ok: true; readonly url: URL }
  | { readonly ok: false; readonly reason: string };

const ALLOWED_HOSTS = ['.environment.api.powerplatform.com', '.logic.azure.com'];
const INVOKE_PATH = '/triggers/manual/paths/invoke';

/**
 * Checks one configured URL against the allow-list.
 *
 * @param options.allowLoopback also accept `http://127.0.0.1:<port>/...` (the local demo's fake
 *   Teams endpoint; server env `TEAMS_ALLOW_LOOPBACK`, never for production).
 */
export function checkWorkflowUrl(raw: string, options: { allowLoopback?: boolean } = {}): UrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'is not a URL' };
  }
  const host = url.hostname.toLowerCase();
  if (options.allowLoopback && url.protocol === 'http:' && host === '127.0.0.1') return { ok: true, url };
  if (
    host.endsWith('.webhook.office.com') ||
    (host === 'outlook.office.com' && url.pathname.startsWith('/webhook'))
  ) {
    return {
      ok: false,
      reason:
        'is an Office 365 connector webhook; connectors were shut down in May 2026. Create a Teams Workflows flow ' +
        '("Send webhook alerts to a channel") and use its URL instead',
    };
  }
  if (url.protocol !== 'https:') return { ok: false, reason: 'must use https' };
  if (url.port !== '' && url.port !== '443') return { ok: false, reason: 'must use port 443' };
  if (url.username || url.password) return { ok: false, reason: 'must not carry user info' };
  if (!ALLOWED_HOSTS.some((suffix) => host.endsWith(suffix))) {
    return { ok: false, reason: `host must end with ${ALLOWED_HOSTS.join(' or ')} (a Teams Workflows URL)` };
  }
  if (!url.pathname.endsWith(INVOKE_PATH)) return { ok: false, reason: `path must end with ${INVOKE_PATH}` };
  if (!url.searchParams.get('sig'))
    return { ok: false, reason: 'has no sig parameter (copy the whole URL from the flow)' };
  return { ok: true, url };
}

/** The URL without its query (where the credential lives), safe for logs: `https://host/path?<redacted>`. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}${url.search ? '?<redacted>' : ''}`;
  } catch {
    return '<invalid URL>';
  }
}
