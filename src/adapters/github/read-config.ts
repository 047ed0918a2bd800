import { CONFIG_FILE, type ConfigResult, parseRepoConfig } from '../../config/repo-config.js';
import type { Octokit, RepoRef } from './octokit.js';

/**
 * Reads `.github/coordinator.yml` through Probot's config plugin (the owner's `.github` repo as a
 * fallback, `_extends` supported) and validates it. A YAML syntax error is a config problem too.
 */
export async function readRepoConfig(octokit: Octokit, repo: RepoRef): Promise<ConfigResult> {
  try {
    const { config } = await octokit.config.get({ ...repo, path: `.github/${CONFIG_FILE}` });
    return parseRepoConfig(config);
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== undefined) throw error;
    return {
      ok: false,
      problems: [{ key: '(root)', message: `cannot be read: ${(error as Error).message}` }],
    };
  }
}
