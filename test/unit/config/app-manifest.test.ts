/**
 * `app.yml` is the manifest Probot's set-up page sends to GitHub (`npm start` without APP_ID). The
 * test builds the manifest with Probot's own code and checks what GitHub requires of it (a `url`;
 * docs "Registering a GitHub App from a manifest") and the permissions the app needs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');

describe('the app manifest', () => {
  it("passes through Probot's manifest creation with a url and the permissions the app uses", async () => {
    // Probot does not export ManifestCreation; its file is imported directly.
    const { ManifestCreation } = (await import(
      pathToFileURL(path.join(ROOT, 'node_modules/probot/lib/manifest-creation.js')).href
    )) as { ManifestCreation: new () => { getManifest(o: unknown): string } };
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const cwd = process.cwd();
    process.chdir(ROOT);
    try {
      const manifest = JSON.parse(
        new ManifestCreation().getManifest({ pkg, baseUrl: 'http://localhost:3000' }),
      );
      expect(manifest.url).toMatch(/^https:\/\//);
      expect(manifest.public).toBe(false);
      expect(manifest.hook_attributes.url).toBe('http://localhost:3000/');
      expect(manifest.redirect_url).toBe('http://localhost:3000/probot/setup');
      expect(manifest.default_permissions).toEqual({
        administration: 'read',
        checks: 'write',
        contents: 'write',
        issues: 'write',
        metadata: 'read',
        pull_requests: 'write',
        statuses: 'read',
        workflows: 'write',
      });
      expect(manifest.default_events).toEqual(
        expect.arrayContaining(['pull_request', 'pull_request_review', 'check_run', 'issue_comment', 'push']),
      );
    } finally {
      process.chdir(cwd);
    }
  });
});
