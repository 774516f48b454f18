import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { deploying, readEvent, readGitHubContext, runLinks } from '../src';

const dir = mkdtempSync(join(tmpdir(), 'gh-ctx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function eventFile(event: unknown): string {
  const p = join(dir, `${Math.random()}.json`);
  writeFileSync(p, JSON.stringify(event));
  return p;
}

describe('readGitHubContext', () => {
  it('uses the PR head commit and branch on pull_request (GITHUB_SHA is the merge commit there)', () => {
    const ctx = readGitHubContext({
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_SHA: 'merge0000000000000000000000000000000000',
      GITHUB_REF_NAME: '12/merge',
      GITHUB_RUN_ID: '99',
      GITHUB_EVENT_PATH: eventFile({
        number: 12,
        pull_request: {
          number: 12,
          head: { sha: 'head1111111111111111111111111111111111111', ref: 'feat/x', repo: { full_name: 'fork/r' } },
          base: { ref: 'main', repo: { full_name: 'o/r' } },
        },
      }),
    });
    expect(ctx).toMatchObject({
      owner: 'o',
      repo: 'r',
      sha: 'head1111111111111111111111111111111111111',
      branch: 'feat/x',
      pullRequest: { number: 12, fromFork: true, baseRef: 'main' },
      runUrl: 'https://github.com/o/r/actions/runs/99',
    });
  });

  it('reads push events from GITHUB_SHA and GITHUB_REF_NAME', () => {
    const ctx = readGitHubContext({
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_SHA: 'abc',
      GITHUB_REF_NAME: 'main',
      GITHUB_EVENT_PATH: eventFile({ head_commit: { message: 'Fix it' }, repository: { private: true } }),
    });
    expect(ctx).toMatchObject({ sha: 'abc', branch: 'main', commitMessage: 'Fix it', repositoryVisibility: 'private' });
    expect(ctx.pullRequest).toBeUndefined();
  });
});

describe('deploying', () => {
  const merge = 'e'.repeat(40);
  const head = 'f'.repeat(40);
  const pr = {
    GITHUB_REPOSITORY: 'o/r',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_SHA: merge,
    GITHUB_EVENT_PATH: eventFile({
      number: 12,
      pull_request: { number: 12, head: { sha: head, ref: 'feat/x' }, base: { ref: 'main' } },
    }),
  };

  it("keeps a pull request's head and branch when given the merge commit actions/checkout checked out", () => {
    const ctx = readGitHubContext(pr);
    expect(deploying(ctx, merge, pr)).toBe(ctx);
    expect(deploying(ctx, head, pr)).toBe(ctx);
    expect(deploying(ctx, undefined, pr)).toBe(ctx);
  });

  it("names another commit, without the run's branch and message, which are not its", () => {
    const env = {
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_EVENT_NAME: 'workflow_dispatch',
      GITHUB_SHA: 'a'.repeat(40),
      GITHUB_REF_NAME: 'main',
      GITHUB_EVENT_PATH: eventFile({ head_commit: { message: 'the run' } }),
    };
    const other = 'b'.repeat(40);
    expect(deploying(readGitHubContext(env), other, env)).toMatchObject({
      sha: other,
      branch: '',
      commitMessage: undefined,
      owner: 'o',
    });
  });
});

describe('readEvent', () => {
  it('reads the payload; a missing, broken or non-object file is an empty payload', () => {
    expect(readEvent(eventFile({ after: 'abc' }))).toEqual({ after: 'abc' });
    expect(readEvent(undefined)).toEqual({});
    expect(readEvent(join(dir, 'missing.json'))).toEqual({});
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"after":');
    expect(readEvent(broken)).toEqual({});
    expect(readEvent(eventFile(null))).toEqual({});
    expect(readEvent(eventFile([1, 2]))).toEqual({});
  });
});

describe('runLinks', () => {
  it("links a re-run to its own attempt, the commit and the repository, on the runner's server", () => {
    const links = runLinks({
      GITHUB_SERVER_URL: 'https://ghe.example.test/',
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_RUN_ID: '99',
      GITHUB_RUN_ATTEMPT: '3',
    });
    expect(links).toMatchObject({
      serverUrl: 'https://ghe.example.test',
      repositoryUrl: 'https://ghe.example.test/o/r',
      runUrl: 'https://ghe.example.test/o/r/actions/runs/99/attempts/3',
      attempt: '3',
    });
    expect(links.commitUrl('abc123')).toBe('https://ghe.example.test/o/r/commit/abc123');
    expect(links.commitUrl(undefined)).toBeUndefined();
  });

  it('links a first attempt to the run, and nothing without a repository', () => {
    expect(runLinks({ GITHUB_REPOSITORY: 'o/r', GITHUB_RUN_ID: '7' }).runUrl).toBe(
      'https://github.com/o/r/actions/runs/7',
    );
    const none = runLinks({ GITHUB_RUN_ID: '7' });
    expect([none.runUrl, none.repositoryUrl, none.commitUrl('abc')]).toEqual([undefined, undefined, undefined]);
    expect(runLinks({ GITHUB_RUN_ID: '7' }, 'from/event').runUrl).toBe('https://github.com/from/event/actions/runs/7');
  });
});
