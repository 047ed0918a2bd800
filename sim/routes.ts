/**
 * The REST routes the stand-in serves, each under its template from GitHub's OpenAPI description
 * (a test checks every template exists there), with GitHub's status codes (see
 * ../shared/PLATFORM-NOTES.md: 409/405 on merges, 422 on non-fast-forward ref updates and rule
 * violations, 403 for missing app permissions, 202 on update-branch, 204 on ref deletion).
 */
import { APP_ROUTES } from './routes/app.js';
import { CHECK_ROUTES } from './routes/checks.js';
import { GIT_ROUTES } from './routes/git.js';
import { ISSUE_ROUTES } from './routes/issues.js';
import { PULL_ROUTES } from './routes/pulls.js';
import { REPO_ROUTES } from './routes/repos.js';
import { RULE_ROUTES } from './routes/rules.js';
import type { Route } from './routes/shared.js';

export type { Request, Response, Route } from './routes/shared.js';
export { checkRunJson, commentJson, issueJson, reviewJson } from './routes/shared.js';

/** Every route, in match order (literal paths before parameterised ones). */
export const ROUTES: readonly Route[] = [
  ...APP_ROUTES,
  ...RULE_ROUTES,
  ...REPO_ROUTES,
  ...GIT_ROUTES,
  ...PULL_ROUTES,
  ...ISSUE_ROUTES,
  ...CHECK_ROUTES,
];
