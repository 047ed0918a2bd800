import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ChannelsFileError,
  loadChannelsFile,
  parseChannels,
} from '../../../src/adapters/teams/channels-file.js';
import { checkWorkflowUrl, redactUrl } from '../../../src/adapters/teams/webhook-url.js';

const GOOD =
  'https://prod-01.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=SECRETSIG';
const GOOD_PP =
  'https://default1234.56.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=SECRETSIG';

describe('checkWorkflowUrl', () => {
  it.each([
    ['a Logic Apps Workflows URL', GOOD],
    ['a Power Platform Workflows URL', GOOD_PP],
  ])('accepts %s', (_intent, url) => {
    expect(checkWorkflowUrl(url).ok).toBe(true);
  });

  it.each([
    [
      'a retired connector (webhook.office.com)',
      'https://contoso.webhook.office.com/webhookb2/x/IncomingWebhook/y/z',
      'connectors were shut down in May 2026',
    ],
    [
      'a retired connector (outlook.office.com/webhook)',
      'https://outlook.office.com/webhook/x/IncomingWebhook/y',
      'connectors were shut down in May 2026',
    ],
    ['http', GOOD.replace('https:', 'http:').replace(':443', ''), 'must use https'],
    ['another port', GOOD.replace(':443', ':8443'), 'must use port 443'],
    ['user info', GOOD.replace('https://', 'https://me:pw@'), 'must not carry user info'],
    ['another host', 'https://evil.example.com/triggers/manual/paths/invoke?sig=x', 'host must end with'],
    [
      'a look-alike host',
      'https://logic.azure.com.evil.example/triggers/manual/paths/invoke?sig=x',
      'host must end with',
    ],
    ['another path', GOOD.replace('/triggers/manual/paths/invoke', '/run'), 'path must end with'],
    ['no sig', GOOD.replace('&sig=SECRETSIG', ''), 'has no sig parameter'],
    ['not a URL', 'teams general', 'is not a URL'],
  ])('refuses %s', (_intent, url, reason) => {
    const check = checkWorkflowUrl(url);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toContain(reason);
  });

  it('redacts the query, where the credential is', () => {
    expect(redactUrl(GOOD)).toBe(
      'https://prod-01.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?<redacted>',
    );
    expect(redactUrl('nonsense')).toBe('<invalid URL>');
  });
});

describe('the channels file', () => {
  it('gives each owner its own channels, and "*" to everyone else', () => {
    const directory = parseChannels({ acme: { general: GOOD, alerts: GOOD_PP }, '*': { general: GOOD_PP } });
    expect([...directory.channelsFor('ACME').keys()]).toEqual(['general', 'alerts']);
    expect([...directory.channelsFor('someone-else').entries()]).toEqual([['general', GOOD_PP]]);
  });

  it('gives nothing to other owners without "*"', () => {
    expect(parseChannels({ acme: { general: GOOD } }).channelsFor('other').size).toBe(0);
  });

  it('refuses retired and foreign URLs at boot, naming owner and key, never the secret', () => {
    let message = '';
    try {
      parseChannels({ acme: { general: GOOD, old: 'https://acme.webhook.office.com/webhookb2/x?sig=LEAK' } });
    } catch (error) {
      expect(error).toBeInstanceOf(ChannelsFileError);
      message = (error as Error).message;
    }
    expect(message).toContain('acme.old');
    expect(message).toContain('shut down in May 2026');
    expect(message).not.toContain('LEAK');
  });

  it.each([
    ['not a mapping', ['x']],
    ['a URL that is not a string', { acme: { general: 3 } }],
    ['a bad key', { acme: { 'two words': GOOD } }],
  ])('refuses a file that is %s', (_intent, data) => {
    expect(() => parseChannels(data)).toThrow(ChannelsFileError);
  });

  it('loads from disk and reports unreadable or non-JSON files clearly', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'channels-'));
    writeFileSync(path.join(dir, 'ok.json'), JSON.stringify({ '*': { general: GOOD } }));
    writeFileSync(path.join(dir, 'bad.json'), '{ nope');
    expect((await loadChannelsFile(path.join(dir, 'ok.json'))).channelsFor('x').has('general')).toBe(true);
    await expect(loadChannelsFile(path.join(dir, 'bad.json'))).rejects.toThrow('is not valid JSON');
    await expect(loadChannelsFile(path.join(dir, 'missing.json'))).rejects.toThrow('cannot be read');
  });

  it('accepts loopback http URLs only when asked (the local demo), never other http hosts', () => {
    const local = { acme: { general: 'http://127.0.0.1:4567/teams/general' } };
    expect(() => parseChannels(local)).toThrow('must use https');
    expect(parseChannels(local, { allowLoopback: true }).channelsFor('acme').get('general')).toBe(
      'http://127.0.0.1:4567/teams/general',
    );
    expect(() => parseChannels({ acme: { general: 'http://10.0.0.1/x' } }, { allowLoopback: true })).toThrow(
      'must use https',
    );
  });
});
