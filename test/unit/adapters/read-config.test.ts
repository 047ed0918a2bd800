/**
 * `.github/coordinator.yml` is read the way Probot's `context.config` reads it: the repo file and
 * the `_extends` base deep-merged. Each case is judged against Probot's own `context.config` on the
 * same nock'd answers, so the merge cannot drift from the plugin's behaviour.
 */
import nock from 'nock';
import { Context, ProbotOctokit } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Octokit } from '../../../src/adapters/github/octokit.js';
import { mergeConfigs, readRepoConfig } from '../../../src/adapters/github/read-config.js';
import { parseRepoConfig } from '../../../src/config/repo-config.js';

const API = 'https://api.github.com';
const owner = 'acme';
const repo = 'wraith';

function octokit(): Octokit {
  return new ProbotOctokit({
    auth: { token: 'test' },
    throttle: { enabled: false },
    retry: { enabled: false },
  } as never) as unknown as Octokit;
}

/** Serves `files` (`repo:path` -> YAML text); everything else is 404. Persisted for two readers. */
function serve(files: Record<string, string>): void {
  nock(API)
    .persist()
    .get(/\/repos\/acme\/[^/]+\/contents\/.+/)
    .reply((uri) => {
      const match = /\/repos\/acme\/([^/]+)\/contents\/([^?]+)/.exec(uri) as RegExpExecArray;
      const body = files[`${match[1]}:${decodeURIComponent(match[2] as string)}`];
      return body === undefined
        ? [404, { message: 'Not Found' }]
        : [200, body, { 'content-type': 'text/plain; charset=utf-8' }];
    });
}

/** What Probot's `context.config('coordinator.yml')` returns for the same repository. */
async function probotConfig(): Promise<unknown> {
  const context = new Context(
    { id: '1', name: 'push', payload: { repository: { owner: { login: owner }, name: repo } } } as never,
    octokit() as never,
    { child: () => ({}) } as never,
  );
  return context.config('coordinator.yml');
}

beforeEach(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('readRepoConfig', () => {
  const cases: { name: string; files: Record<string, string>; expect: (config: unknown) => void }[] = [
    {
      name: 'an org base keeps nested keys the repo file does not set',
      files: {
        'wraith:.github/coordinator.yml': '_extends: .github\nmerge:\n  trigger: label\n',
        '.github:.github/coordinator.yml': 'merge:\n  strategy: direct\n  method: squash\n  batch_size: 3\n',
      },
      expect: (c) =>
        expect(c).toMatchObject({
          merge: { trigger: 'label', strategy: 'direct', method: 'squash', batch_size: 3 },
        }),
    },
    {
      name: 'the repo file wins over its base on the same key',
      files: {
        'wraith:.github/coordinator.yml': '_extends: .github\nmerge:\n  method: rebase\n',
        '.github:.github/coordinator.yml': 'merge:\n  method: squash\n',
      },
      expect: (c) => expect(c).toMatchObject({ merge: { method: 'rebase' } }),
    },
    {
      name: 'without a repo file the owner .github repo is the config',
      files: { '.github:.github/coordinator.yml': 'merge:\n  batch_size: 2\n' },
      expect: (c) => expect(c).toMatchObject({ merge: { batch_size: 2 } }),
    },
    {
      name: 'an _extends chain with a path merges three files',
      files: {
        'wraith:.github/coordinator.yml': '_extends: shared:policies/base.yml\nmerge:\n  parallel: 1\n',
        'shared:policies/base.yml': '_extends: .github\nmerge:\n  retries: 2\n',
        '.github:.github/coordinator.yml': 'merge:\n  method: squash\n',
      },
      expect: (c) => expect(c).toMatchObject({ merge: { parallel: 1, retries: 2, method: 'squash' } }),
    },
    {
      name: 'arrays concatenate, base first, as deepmerge does by default',
      files: {
        'wraith:.github/coordinator.yml': '_extends: .github\nbranches:\n  prefixes: [task/]\n',
        '.github:.github/coordinator.yml': 'branches:\n  prefixes: [feat/]\n',
      },
      expect: (c) => expect(c).toMatchObject({ branches: { prefixes: ['feat/', 'task/'] } }),
    },
  ];

  it.each(cases)('$name, as context.config does', async ({ files, expect: check }) => {
    serve(files);
    const ours = await readRepoConfig(octokit(), { owner, repo });
    const probots = parseRepoConfig(await probotConfig());
    expect(ours.ok).toBe(true);
    expect(ours).toEqual(probots);
    if (ours.ok) check(ours.config);
  });

  it('no file anywhere means the defaults, like context.config returning null', async () => {
    serve({});
    expect(await probotConfig()).toBeNull();
    expect(await readRepoConfig(octokit(), { owner, repo })).toEqual(parseRepoConfig(null));
  });

  it('a base that breaks the schema is reported with the merged key path', async () => {
    serve({
      'wraith:.github/coordinator.yml': '_extends: .github\nmerge:\n  trigger: label\n',
      '.github:.github/coordinator.yml': 'merge:\n  strategy: octopus\n',
    });
    const result = await readRepoConfig(octokit(), { owner, repo });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.key)).toContain('merge.strategy');
  });

  it('mergeConfigs does not mutate the files it merges', () => {
    const base = { merge: { strategy: 'squash' } };
    const repoFile = { merge: { trigger: 'label' } };
    expect(mergeConfigs([base, repoFile])).toEqual({ merge: { strategy: 'squash', trigger: 'label' } });
    expect(base).toEqual({ merge: { strategy: 'squash' } });
  });
});
