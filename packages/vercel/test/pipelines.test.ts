// The per-mode pipelines deploy-vercel calls: ship (deploy mode) and cleanUpPreview (cleanup mode).
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createGitHubClient, type GitHubClient, type GitHubContext } from '@wingman/github';
import type { RecordingLog } from '@wingman/log';
import { GitHubSimulator, type VercelSimulator } from '@wingman/testkit';
import { cleanUpPreview, commentMarker, type ShipOptions, ship, type VercelApi } from '../src';
import { prebuiltOutput, startVercelFixture, tempDir } from './helpers';

const TOKEN = 'vercel_sim_token_pipelines_0123456';
const FULL = 'wingman-org/wingmanmatch';
const SHA = '3333333333333333333333333333333333333333';

const prContext: GitHubContext = {
  owner: 'wingman-org',
  repo: 'wingmanmatch',
  eventName: 'pull_request',
  sha: SHA,
  branch: 'feat/score',
  pullRequest: { number: 7, headSha: SHA, headRef: 'feat/score', baseRef: 'main', fromFork: false },
  commitMessage: 'Score matches\n\nbody',
  actor: 'octocat',
  serverUrl: 'https://github.com',
  apiUrl: 'https://api.github.com',
  runUrl: 'https://github.com/wingman-org/wingmanmatch/actions/runs/1',
};

describe('deploy-vercel pipelines', () => {
  let vercel: VercelSimulator;
  let api: VercelApi;
  let project: { id: string; name: string };
  let log: RecordingLog;
  let github: GitHubSimulator;
  let gh: GitHubClient;
  let fixture: Awaited<ReturnType<typeof startVercelFixture>>;

  beforeEach(async () => {
    fixture = await startVercelFixture(TOKEN, 10);
    ({ sim: vercel, project, api, log } = fixture);
    github = new GitHubSimulator();
    await github.start();
    github.addPullRequest(FULL, 7, { sha: SHA, ref: 'feat/score' });
    gh = createGitHubClient({ token: 't', apiUrl: github.url, retries: 0 });
  });
  afterEach(async () => {
    await gh.close();
    await github.stop();
    await fixture.stop();
  });

  const shipOptions = (extra: Partial<ShipOptions> = {}): ShipOptions => {
    const dir = tempDir();
    prebuiltOutput(dir);
    return {
      api,
      projectId: project.id,
      target: 'preview',
      outputDir: `${dir}/.vercel/output`,
      timeoutMs: 10_000,
      aliases: ['pr-7-web.vercel.app'],
      log,
      poll: { initialMs: 5, maxMs: 20 },
      context: prContext,
      github: gh,
      redact: (text) => text,
      ...extra,
    };
  };

  describe('ship', () => {
    it('starts a GitHub deployment before deploying, then marks it success and comments the preview', async () => {
      const r = await ship(shipOptions());
      expect(r.deployment.readyState).toBe('READY');
      const [d] = github.deployments(FULL);
      expect(d).toMatchObject({ environment: 'Preview – web', transient_environment: true });
      expect(github.statuses(FULL, d!.id).map((s) => s.state)).toEqual(['in_progress', 'success']);
      expect(github.statuses(FULL, d!.id)[1]!.environment_url).toBe('https://pr-7-web.vercel.app');
      const [comment] = github.comments(FULL, 7);
      expect(comment!.body).toContain(commentMarker(project.id));
      expect(comment!.body).toContain('### ✅ Vercel preview of **web** is ready');
      expect(log.messages('group')[0]).toBe('GitHub deployment for #7');
      expect(log.messages('group').at(-1)).toBe('Pull request #7');
      // The runner's context is the commit Vercel records.
      expect(vercel.deployment(r.deployment.id)!.meta).toMatchObject({
        githubCommitSha: SHA,
        githubCommitRef: 'feat/score',
        githubOrg: 'wingman-org',
        githubRepo: 'wingmanmatch',
        githubPrId: '7',
        githubCommitMessage: 'Score matches',
        githubCommitAuthorLogin: 'octocat',
      });
    });

    it("tells the pull request a failure with the redacted message, and rethrows the deploy's error", async () => {
      const failure = await ship(shipOptions({ staged: true, redact: (text) => text.replace('staged', '***') })).catch(
        (e: unknown) => e,
      );
      expect((failure as Error).message).toMatch(/^input 'staged' applies to target production only/);
      const [d] = github.deployments(FULL);
      expect(github.statuses(FULL, d!.id).map((s) => s.state)).toEqual(['in_progress', 'failure']);
      const [comment] = github.comments(FULL, 7);
      expect(comment!.body).toContain('### ❌ Vercel preview of **web** failed');
      expect(comment!.body).toContain("> input '***' applies to target production only");
    });

    it('leaves GitHub alone without a client or off a pull request', async () => {
      await ship(shipOptions({ github: undefined }));
      await ship(shipOptions({ context: { ...prContext, eventName: 'push', pullRequest: undefined } }));
      expect(github.requests).toHaveLength(0);
      expect(log.messages('group')).not.toContain('GitHub deployment for #7');
    });
  });

  describe('cleanUpPreview', () => {
    it('removes the aliases, tells so before asking GitHub, then marks the deployments inactive; again changes nothing', async () => {
      await ship(shipOptions());
      github.clearRequests();
      const told: number[] = [];
      const options = {
        api,
        projectId: project.id,
        aliases: ['pr-7-web.vercel.app'],
        context: prContext,
        github: gh,
        log,
        onAliasesRemoved: () => told.push(github.requests.length),
      };
      const r = await cleanUpPreview(options);
      expect(told).toEqual([0]);
      expect(r.changed).toBe(true);
      expect(r.aliases.removed.map((a) => a.alias)).toEqual(['pr-7-web.vercel.app']);
      expect(r.aliases.project.name).toBe('web');
      expect(r.github?.deactivated).toHaveLength(1);
      expect(vercel.aliasTarget('pr-7-web.vercel.app')).toBeUndefined();
      expect(github.comments(FULL, 7)[0]!.body).toContain('### 🧹 Vercel preview of **web** was removed');
      expect(log.messages('group').slice(-2)).toEqual(['Remove 1 alias(es)', 'GitHub deployments of #7']);

      const again = await cleanUpPreview(options);
      expect(again.changed).toBe(false);
      expect(again.aliases.alreadyGone).toEqual(['pr-7-web.vercel.app']);
      expect(again.github?.alreadyInactive).toHaveLength(1);
    });

    it('reports the removed aliases before a GitHub failure fails it', async () => {
      await ship(shipOptions());
      github.inject('POST', '/repos/:o/:r/deployments/:id/statuses', {
        status: 422,
        body: { message: 'Validation Failed' },
      });
      const removed: string[][] = [];
      await expect(
        cleanUpPreview({
          api,
          projectId: project.id,
          aliases: ['pr-7-web.vercel.app'],
          context: prContext,
          github: gh,
          log,
          onAliasesRemoved: (r) => removed.push(r.removed.map((a) => a.alias)),
        }),
      ).rejects.toThrow(/422/);
      expect(removed).toEqual([['pr-7-web.vercel.app']]);
    });

    it('without a GitHub client, removes the aliases only', async () => {
      await ship(shipOptions({ github: undefined }));
      const r = await cleanUpPreview({
        api,
        projectId: project.id,
        aliases: ['pr-7-web.vercel.app'],
        context: prContext,
        log,
      });
      expect(r.github).toBeUndefined();
      expect(r.changed).toBe(true);
      expect(github.requests).toHaveLength(0);
    });
  });
});
