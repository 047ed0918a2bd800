import nock from 'nock';
import { ProbotOctokit } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Octokit } from '../../../src/adapters/github/octokit.js';
import { PermissionCache } from '../../../src/adapters/github/permissions.js';

const API = 'https://api.github.com';
const repo = { owner: 'acme', repo: 'widgets' };
const octokit = new ProbotOctokit({
  auth: { token: 't' },
  throttle: { enabled: false },
  retry: { enabled: false },
} as never) as unknown as Octokit;

describe('PermissionCache', () => {
  beforeEach(() => nock.disableNetConnect());
  afterEach(() => {
    expect(nock.pendingMocks()).toEqual([]);
    nock.cleanAll();
  });

  it.each([
    ['role_name refines write into maintain', { permission: 'write', role_name: 'maintain' }, 'maintain'],
    ['role_name refines read into triage', { permission: 'read', role_name: 'triage' }, 'triage'],
    ['a plain permission', { permission: 'admin' }, 'admin'],
    ['an unknown value is none', { permission: 'superuser', role_name: 'custom-role' }, 'none'],
  ])('%s', async (_intent, body, expected) => {
    nock(API).get('/repos/acme/widgets/collaborators/ana/permission').reply(200, body);
    expect(await new PermissionCache().permission(octokit, repo, 'ana')).toBe(expected);
  });

  it('treats a 404 (no such user, no access) as none', async () => {
    nock(API).get('/repos/acme/widgets/collaborators/ghost/permission').reply(404, { message: 'Not Found' });
    expect(await new PermissionCache().permission(octokit, repo, 'ghost')).toBe('none');
  });

  it('asks GitHub once per user and repo within the TTL, again after it', async () => {
    const clock = { now: 0 };
    const cache = new PermissionCache({ ttlMs: 60_000, now: () => clock.now });
    nock(API).get('/repos/acme/widgets/collaborators/ana/permission').reply(200, { permission: 'write' });
    expect(await cache.permission(octokit, repo, 'ana')).toBe('write');
    clock.now = 59_999;
    expect(await cache.permission(octokit, repo, 'ANA')).toBe('write'); // logins are case-insensitive
    clock.now = 60_000;
    nock(API).get('/repos/acme/widgets/collaborators/ana/permission').reply(200, { permission: 'read' });
    expect(await cache.permission(octokit, repo, 'ana')).toBe('read');
  });

  it('lets other errors through (the command is not run on a guess)', async () => {
    nock(API).get('/repos/acme/widgets/collaborators/ana/permission').reply(500, { message: 'boom' });
    await expect(new PermissionCache().permission(octokit, repo, 'ana')).rejects.toMatchObject({
      status: 500,
    });
  });
});
