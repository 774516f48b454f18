// pnpm rehearse as a test: push-main.yml and deploy.yml run as written through every committed bundle.
import { describe, expect, it } from '@jest/globals';
import { rehearsePipeline } from '@wingman/rehearsal';

describe('the push-main rehearsal', () => {
  it('deploys staging, then promotes to production: migrations, schema, backend, frontend, smoke, Sentry, Slack', async () => {
    const lines: string[] = [];
    const r = await rehearsePipeline({ print: (l) => lines.push(l) });
    expect(r.ok).toBe(true);
    expect(Object.fromEntries(Object.entries(r.run.jobs).map(([k, v]) => [k, v.result]))).toEqual({
      staging: 'success',
      production: 'success',
    });
    const ran = r.run.steps.filter((s) => s.action).map((s) => `${s.job} › ${s.action}`);
    for (const env of ['staging', 'production'])
      expect(ran).toEqual(
        expect.arrayContaining([
          `${env} / migrate › run-migrations`,
          `${env} / verify-schema › verify-schema`,
          `${env} / deploy-backend › deploy-heroku`,
          `${env} / deploy-frontend › deploy-vercel`,
          `${env} / smoke › smoke-health`,
          `${env} / sentry › sentry-release`,
          `${env} / notify-result › notify-slack`,
        ]),
      );
    // Production runs what staging ran: the promoted slug, and the frontend was promoted after the smoke test.
    expect(ran).toContain('production / promote-frontend › deploy-vercel');
    expect(r.heroku.production.slugOfCurrent).toBe(r.heroku.staging.slugOfCurrent);
    expect(r.vercelProduction).toMatch(/^dpl_/);
    // One Slack message per environment, posted as started and updated in place.
    expect(r.slack.map((m) => m.text)).toEqual([
      expect.stringMatching(/staging: deploy succeeded/),
      expect.stringMatching(/production: deploy succeeded/),
    ]);
    expect(r.slack.every((m) => m.edits === 1)).toBe(true);
    expect(r.sentryReleases).toHaveLength(1);
    expect(lines.join('\n')).toMatch(/Pipeline \(happy\) passed/);
  }, 180_000);

  it('rolls production back automatically when the smoke test fails, and says so in Slack', async () => {
    const r = await rehearsePipeline({ scenario: 'smoke-fails' });
    expect(r.run.jobs.production!.result).toBe('failure');
    const production = r.run.steps.filter((s) => s.job.startsWith('production /'));
    expect(production.find((s) => s.job === 'production / smoke')?.result).toBe('failure');
    expect(production.find((s) => s.job === 'production / rollback')?.result).toBe('success');
    expect(production.some((s) => s.job === 'production / promote-frontend')).toBe(false);
    // The previous Heroku release's slug is current again; the frontend never took production traffic.
    expect(r.heroku.production.slugOfCurrent).toBe(r.heroku.production.previousSlug);
    expect(r.vercelProduction).toBeUndefined();
    expect(r.slack.map((m) => m.text)).toEqual([
      expect.stringMatching(/staging: deploy succeeded/),
      expect.stringMatching(/production: deploy rolled back/),
    ]);
  }, 180_000);
});
