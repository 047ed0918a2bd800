/**
 * The writer's round trips against nock (every mock must be used, nothing else may be asked): a
 * merge's answer carries its tree, so a commit on top of it reads nothing; a branch the snapshot did
 * not list is created at once; one that exists after all is force-moved.
 */
import nock from 'nock';
import { describe, expect, it } from 'vitest';
import { RepoWriter } from '../../../src/adapters/github/repo-writer.js';
import { testOctokit } from '../../helpers/octokit.js';
import { API, strictNock } from '../../helpers/probot.js';

const R = '/repos/o/r';
const sha = (c: string) => c.repeat(40);
const writer = () => new RepoWriter(testOctokit(), { owner: 'o', repo: 'r' });

describe('RepoWriter', () => {
  strictNock();

  it('returns the tree GitHub answers a merge with (REST "Commit": commit.tree.sha)', async () => {
    nock(API)
      .post(`${R}/merges`)
      .reply(201, { sha: sha('m'), commit: { tree: { sha: sha('t') } } });
    expect(await writer().mergeInto('coordinator/build', sha('1'), 'Merge')).toEqual({
      kind: 'merged',
      sha: sha('m'),
      treeSha: sha('t'),
    });
  });

  it('commits on a known parent tree without reading the parent', async () => {
    nock(API)
      .post(`${R}/git/trees`, {
        base_tree: sha('t'),
        tree: [{ path: 'a.md', mode: '100644', type: 'blob', content: 'x' }],
      })
      .reply(201, { sha: sha('e') })
      .post(`${R}/git/commits`, { message: 'm', tree: sha('e'), parents: [sha('m')] })
      .reply(201, { sha: sha('f') });
    const made = await writer().commit({
      parentSha: sha('m'),
      parentTreeSha: sha('t'),
      files: [{ path: 'a.md', text: 'x' }],
      message: 'm',
    });
    expect(made).toBe(sha('f'));
  });

  it('reads the parent when its tree is not known', async () => {
    nock(API)
      .get(`${R}/git/commits/${sha('m')}`)
      .reply(200, { sha: sha('m'), tree: { sha: sha('t') } })
      .post(`${R}/git/commits`, { message: 'm', tree: sha('t'), parents: [sha('m')] })
      .reply(201, { sha: sha('f') });
    expect(await writer().commit({ parentSha: sha('m'), files: [], message: 'm' })).toBe(sha('f'));
  });

  it.each([
    [
      'a branch the snapshot did not list is created at once',
      false,
      (scope: nock.Scope) =>
        scope
          .post(`${R}/git/refs`, { ref: 'refs/heads/coordinator/staging-2', sha: sha('f') })
          .reply(201, {}),
    ],
    [
      'one that exists after all (422 on create) is force-moved',
      false,
      (scope: nock.Scope) =>
        scope
          .post(`${R}/git/refs`)
          .reply(422, { message: 'Reference already exists' })
          .patch(`${R}/git/refs/heads%2Fcoordinator%2Fstaging-2`, { sha: sha('f'), force: true })
          .reply(200, {}),
    ],
    [
      'a listed branch is force-moved, and created when it is gone (422 on update)',
      true,
      (scope: nock.Scope) =>
        scope
          .patch(`${R}/git/refs/heads%2Fcoordinator%2Fstaging-2`)
          .reply(422, { message: 'Reference does not exist' })
          .post(`${R}/git/refs`)
          .reply(201, {}),
    ],
  ])('%s', async (_intent, exists, mock) => {
    mock(nock(API));
    expect(await writer().reset('coordinator/staging-2', sha('f'), exists)).toEqual({ kind: 'moved' });
  });
});
