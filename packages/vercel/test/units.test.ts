import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createGitHubClient, type GitHubClient } from '@wingman/github';
import { RecordingLog } from '@wingman/log';
import { GitHubSimulator } from '@wingman/testkit';
import { commentMarker, deploymentRef, PullRequestReport, renderAliases, type VercelDeployment } from '../src';

describe('renderAliases', () => {
  it('fills {pr}, a DNS-safe {branch} and a 7-character {sha}, and drops duplicates', () => {
    expect(
      renderAliases(
        ['pr-{pr}-web.vercel.app', 'https://{branch}.preview.acme.com/', '{sha}.acme.com', 'pr-{pr}-web.vercel.app'],
        {
          pr: 12,
          branch: 'Feature/Match_Score!!',
          sha: 'abcdef1234567890',
        },
      ),
    ).toEqual(['pr-12-web.vercel.app', 'feature-match-score.preview.acme.com', 'abcdef1.acme.com']);
  });

  it('names the template that cannot be rendered', () => {
    expect(() => renderAliases(['pr-{pr}.vercel.app'], { branch: 'main' })).toThrow(
      "alias 'pr-{pr}.vercel.app' uses {pr} but this run is not for a pull request",
    );
    expect(() => renderAliases(['web_{sha}.acme.com'], { sha: 'abc1234' })).toThrow(
      /renders to "web_abc1234.acme.com", which is not a valid hostname/,
    );
    expect(() => renderAliases(['localhost'], {})).toThrow(/not a valid hostname/);
  });
});

describe('deploymentRef', () => {
  it('keeps dpl_ ids and turns URLs into hostnames', () => {
    expect(deploymentRef('dpl_AbC123')).toBe('dpl_AbC123');
    expect(deploymentRef('https://Web-abc123-acme.vercel.app/some/path?x=1')).toBe('web-abc123-acme.vercel.app');
    expect(() => deploymentRef('not a deployment')).toThrow(
      "input 'deployment' must be a dpl_… id or a deployment URL",
    );
  });
});

describe('PullRequestReport', () => {
  const REPO = { owner: 'o', repo: 'r' };
  const SHA = 'c'.repeat(40);
  let sim: GitHubSimulator;
  let gh: GitHubClient;
  let log: RecordingLog;
  const deployment: VercelDeployment = {
    id: 'dpl_1',
    url: 'web-1-acme.vercel.app',
    name: 'web',
    readyState: 'ERROR',
    inspectorUrl: 'https://vercel.com/acme/web/1',
  };

  beforeEach(async () => {
    sim = new GitHubSimulator();
    await sim.start();
    sim.addPullRequest('o/r', 3, { sha: SHA, ref: 'feat' });
    gh = createGitHubClient({ token: 't', apiUrl: sim.url, retries: 0 });
    log = new RecordingLog();
  });
  afterEach(async () => {
    await gh.close();
    await sim.stop();
  });

  const report = () =>
    new PullRequestReport({
      github: gh,
      repo: REPO,
      pr: 3,
      sha: SHA,
      projectId: 'prj_1',
      projectName: 'web',
      log,
      runUrl: 'https://github.com/o/r/actions/runs/1',
    });

  it('reports a failed deploy: failure status with the inspector link and a ❌ comment with the message', async () => {
    const r = report();
    await r.start();
    await r.fail('Vercel deployment dpl_1 failed: BUILD_FAILED', deployment);
    const [d] = sim.deployments('o/r');
    const statuses = sim.statuses('o/r', d!.id);
    expect(statuses.map((s) => [s.state, s.log_url])).toEqual([
      ['in_progress', 'https://github.com/o/r/actions/runs/1'],
      ['failure', 'https://vercel.com/acme/web/1'],
    ]);
    const [c] = sim.comments('o/r', 3);
    expect(c!.body.startsWith(commentMarker('prj_1'))).toBe(true);
    expect(c!.body).toContain('### ❌ Vercel preview of **web** failed');
    expect(c!.body).toContain('> Vercel deployment dpl_1 failed: BUILD_FAILED');
    expect(c!.body).toContain('| Inspect | https://vercel.com/acme/web/1 |');
    expect(r.warnings).toEqual([]);
  });

  it('warns once per problem and keeps going when GitHub is down', async () => {
    sim.inject('*', '/repos/o/r/deployments', { status: 500, body: { message: 'Server Error' } }, { times: 10 });
    const r = report();
    await r.start();
    await r.succeed({ ...deployment, readyState: 'READY' }, [], false);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(
      /GitHub: could not create the GitHub deployment: GitHub API POST \/repos\/o\/r\/deployments failed: 500/,
    );
    expect(sim.comments('o/r', 3)).toHaveLength(1);
    expect(log.messages('warning')).toHaveLength(1);
  });
});
