import merge from 'deepmerge';
import { CONFIG_FILE, type ConfigResult, parseRepoConfig } from '../../config/repo-config.js';
import type { Octokit, RepoRef } from './octokit.js';

/**
 * Merges the config files Probot's config plugin read, lowest precedence first (the `_extends`
 * base, then the file that extends it), exactly as Probot 14's `context.config` does:
 * `deepmerge.all([defaults, ...configs])`, so nested keys of the base survive a repo file that sets
 * a sibling, and arrays are concatenated (deepmerge's default). Source:
 * probot/lib/context.js `config()` and @probot/octokit-plugin-config `composeConfigGet`.
 */
export function mergeConfigs(configs: readonly object[]): Record<string, unknown> {
  return merge.all([{}, ...configs]) as Record<string, unknown>;
}

/**
 * Reads `.github/coordinator.yml` through Probot's config plugin (the owner's `.github` repo as a
 * fallback when the repo has no file, `_extends` supported), deep-merges the files as
 * `context.config` does and validates the result. A YAML syntax error is a config problem too.
 *
 * @throws the Octokit error of a GitHub answer other than 404 (the plugin reads a 404 as "no file").
 */
export async function readRepoConfig(octokit: Octokit, repo: RepoRef): Promise<ConfigResult> {
  try {
    const { config, files } = await octokit.config.get({
      ...repo,
      path: `.github/${CONFIG_FILE}`,
      defaults: (configs: object[]) => mergeConfigs(configs),
    });
    return parseRepoConfig(files.some((file) => file.config !== null) ? config : null);
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== undefined) throw error;
    return {
      ok: false,
      problems: [{ key: '(root)', message: `cannot be read: ${(error as Error).message}` }],
    };
  }
}
