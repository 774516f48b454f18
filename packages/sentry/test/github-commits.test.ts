import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Simulator } from '@wingman/testkit';
import { compareCommits } from '../src/index';

const GH_TOKEN = 'ghs_sentryPackageCompareToken000001';
const SHAS = ['c'.repeat(40), 'b'.repeat(40), 'a'.repeat(40)]; // newest first

describe("compareCommits (GitHub's compare API, for a checkout without history)", () => {
  let github: Simulator;
  beforeEach(async () => {
    github = new Simulator({ name: 'GitHub', token: GH_TOKEN });
    github.route('GET', '/repos/:owner/:repo/compare/:range', (req) => {
      const [base, head] = (req.params.range ?? '').split('...');
      if (base !== SHAS[2] || head !== SHAS[0]) return { status: 404, body: { message: 'Not Found' } };
      // GitHub lists the range oldest first.
      const range = [SHAS[1]!, SHAS[0]!];
      return {
        status: 200,
        body: {
          status: 'ahead',
          total_commits: range.length,
          commits: range.map((sha, i) => ({
            sha,
            commit: {
              message: `change ${i}`,
              author: { name: 'Dev', email: 'dev@x.test', date: '2026-01-01T00:00:00Z' },
            },
          })),
        },
      };
    });
    await github.start();
  });
  afterEach(async () => {
    await github.stop();
  });

  const source = () => ({ apiUrl: github.url, token: GH_TOKEN, repository: 'org/app', http: { retries: 0 } });

  it("gives the range in Sentry's shape, newest first, with the token on the one request", async () => {
    expect(await compareCommits(source(), SHAS[2]!, SHAS[0]!)).toEqual([
      {
        id: SHAS[0],
        repository: 'org/app',
        message: 'change 1',
        author_name: 'Dev',
        author_email: 'dev@x.test',
        timestamp: '2026-01-01T00:00:00Z',
      },
      expect.objectContaining({ id: SHAS[1], message: 'change 0' }),
    ]);
    const [req] = github.requests;
    expect(github.requests).toHaveLength(1);
    expect(req!.path).toBe(`/repos/org/app/compare/${SHAS[2]}...${SHAS[0]}`);
    expect(req!.query).toEqual({ per_page: '100', page: '1' });
    expect(req!.headers.authorization).toBe(`Bearer ${GH_TOKEN}`);
  });

  it("fails with GitHub's 404 when the base is unknown (the caller falls back to the push event)", async () => {
    await expect(compareCommits(source(), 'f'.repeat(40), SHAS[0]!)).rejects.toThrow(/GitHub API GET .* failed: 404/);
  });
});
