// pnpm rehearse as a test: the caller repository's thin workflows (examples/wingmanmatch/.github/workflows)
// call the suite's reusable workflows @v1 the way GitHub runs them, through every committed bundle.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { PR_MIGRATIONS, rehearsePipeline, STAGING_CONFIG_VARS } from '@wingman/rehearsal';
import { visible } from '@wingman/testkit';

const actionsOf = (r: Awaited<ReturnType<typeof rehearsePipeline>>, run = 0) =>
  r.runs[run]!.run.steps.map((s) => `${s.job} › ${s.action ?? s.step}${s.result === 'failure' ? ' ✗' : ''}`);

describe('the rehearsal of the caller repository', () => {
  it('push-main: staging, then production with one approval, one job and one deployment record each', async () => {
    const lines: string[] = [];
    const r = await rehearsePipeline({ print: (l) => lines.push(l) });
    expect(r.ok).toBe(true);
    const { run } = r.runs[0]!;
    expect(Object.fromEntries(Object.entries(run.jobs).map(([k, v]) => [k, v.result]))).toEqual({
      staging: 'success',
      production: 'success',
    });
    const ran = actionsOf(r);
    for (const env of ['staging', 'production'])
      for (const action of [
        'actions/checkout',
        'notify-slack',
        'verify-config',
        'run-migrations',
        'verify-schema',
        'feature-flags',
        'deploy-heroku',
        'deploy-vercel',
        'smoke-health',
        'sentry-release',
      ])
        expect(ran).toContain(`${env} / deploy › ${action}`);
    expect(ran.filter((s) => s === 'production / deploy › deploy-vercel')).toHaveLength(2); // staged deploy, then promote
    expect(run.report.approvals).toEqual([{ environment: 'production', job: 'production / deploy' }]);
    expect(run.report.runnerStarts).toEqual(['staging / deploy', 'production / deploy']);
    expect(run.report.deployments.map((d) => d.environment)).toEqual(['staging', 'production']);
    expect(run.report.deployments.every((d) => d.url.includes('/_sites/dpl_'))).toBe(true);
    expect(r.closing).toEqual(
      expect.arrayContaining([
        '  approvals: staging 0, production 1, preview 0',
        expect.stringMatching(/^ {2}jobs \(runner starts\): 2 — /),
      ]),
    );
    expect(lines.join('\n')).toMatch(/approvals: staging 0, production 1/);
    // Production runs the slug staging ran, and its frontend was promoted after the smoke check.
    expect(r.heroku.production.slugOfCurrent).toBe(r.heroku.staging.slugOfCurrent);
    expect(r.vercelProduction).not.toBe(r.vercelEarlierProduction);
    expect(r.slack.map((m) => m.text)).toEqual([
      expect.stringMatching(/staging: deploy succeeded/),
      expect.stringMatching(/production: deploy succeeded/),
    ]);
    expect(r.sentryReleases).toHaveLength(1);
    // Vercel builds the frontend from source in each environment (no build step in the job), and
    // production was held to the files staging built: staging's digest went in as expect-source-digest.
    expect(ran).not.toContain('staging / deploy › Build the frontend');
    const [stagingVercel, productionVercel] = ['staging', 'production'].map(
      (env) => run.steps.find((s) => s.job === `${env} / deploy` && s.action?.endsWith('deploy-vercel'))!,
    );
    const digest = stagingVercel!.outputs['source-digest'];
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(run.jobs.staging!.outputs['frontend-source-digest']).toBe(digest);
    expect(productionVercel!.detail!.childEnv['INPUT_EXPECT-SOURCE-DIGEST']).toBe(digest);
    expect(productionVercel!.outputs['source-digest']).toBe(digest);
    expect(productionVercel!.summary).toContain('source, built by Vercel');
    // Staging's HEROKU_CONFIG_VARS secret reached the build's release by name; no value was printed.
    expect(r.heroku.staging.configOfCurrent.sort()).toEqual([
      'DATABASE_URL',
      'ENVIRONMENT',
      'RESEND_API_KEY',
      'SENTRY_DSN',
    ]);
    const stagingHeroku = run.steps.find((s) => s.job === 'staging / deploy' && s.id === 'heroku')!;
    expect(stagingHeroku.outputs['config-changes']).toBe('added RESEND_API_KEY; 1 unchanged');
    const printed = run.steps.map((s) => (s.detail ? visible(s.detail) : s.summary)).join('');
    expect(printed).not.toContain(STAGING_CONFIG_VARS.split('\n')[0]!.split('=')[1]!);
    // Production promotes: it keeps its own config, and maintenance mode was never touched.
    expect(r.heroku.production.configOfCurrent.sort()).toEqual(['DATABASE_URL', 'ENVIRONMENT', 'SENTRY_DSN']);
    // After its migrations each environment synced feature-flags.json with its own overrides, through
    // its own Data API (SUPABASE_URL, an environment variable) with its service_role key.
    expect(r.flags.staging).toEqual([
      { flag: 'chat_reactions', enabled: true, rollout: 100 },
      { flag: 'new_matching', enabled: true, rollout: 50 },
    ]);
    expect(r.flags.production).toEqual([
      { flag: 'chat_reactions', enabled: true, rollout: 100 },
      { flag: 'new_matching', enabled: false, rollout: 100 },
    ]);
    // verify-config checked each environment's configuration (deploy/config.yml) before it migrated.
    for (const env of ['staging', 'production']) {
      const steps = run.steps.filter((s) => s.job === `${env} / deploy`).map((s) => s.id);
      expect(steps.indexOf('config')).toBeGreaterThan(-1);
      expect(steps.indexOf('config')).toBeLessThan(steps.indexOf('migrate'));
      const config = run.steps.find((s) => s.job === `${env} / deploy` && s.id === 'config')!;
      expect(config.outputs).toMatchObject({ errors: '0', warnings: '0' });
    }
    expect(run.steps.some((s) => s.id?.startsWith('maintenance'))).toBe(false);
    expect(r.heroku.production.maintenanceSwitches).toEqual([]);
    // Each deploy is a DORA deployment in Datadog (the commit, the run's start before its end) and an
    // event; the backend health endpoints are watched, one monitor each, made once.
    expect(r.datadog.deployments).toEqual(
      ['staging', 'production'].map((env) => {
        // The marker's commit is the one the job checked out (deploy.yml's ref when a caller gives one).
        const checkout = run.steps.find((s) => s.job === `${env} / deploy` && s.id === 'checkout')!;
        return {
          env,
          version: checkout.outputs.commit,
          commit: checkout.outputs.commit,
          startedBeforeFinished: true,
        };
      }),
    );
    expect(r.datadog.deployments[0]!.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(r.datadog.events).toEqual([
      expect.stringMatching(/^Deployed wingmanmatch [0-9a-f]{7} to staging$/),
      expect.stringMatching(/^Deployed wingmanmatch [0-9a-f]{7} to production$/),
    ]);
    expect(r.uptime.monitors).toEqual([
      { url: expect.stringMatching(/\/health$/), status: 'STARTED', interval: 300 },
      { url: expect.stringMatching(/\/health$/), status: 'STARTED', interval: 300 },
    ]);
    expect(r.uptime.writes).toBe(2);
    // The marker step reads when the run started (actions: read), so no fallback notice.
    const record = run.steps.find((s) => s.job === 'production / deploy' && s.id === 'record')!;
    expect(
      record.detail!.annotations.filter((a) => a.level !== 'notice' || /started-at|run start/i.test(a.message)),
    ).toEqual([]);
  }, 180_000);

  it('smoke-fails: production rolls back in the same job, with no second approval', async () => {
    const r = await rehearsePipeline({ scenario: 'smoke-fails' });
    const { run } = r.runs[0]!;
    expect(run.jobs.production!.result).toBe('failure');
    const production = actionsOf(r).filter((s) => s.startsWith('production /'));
    // MAINTENANCE_DURING_MIGRATIONS: on before the migrations, off once the backend was out, before the
    // smoke check that failed; the app is not left in maintenance.
    const productionSteps = run.steps.filter((s) => s.job === 'production / deploy').map((s) => s.id);
    const at = (id: string) => productionSteps.indexOf(id);
    expect(at('maintenance-on')).toBeGreaterThan(-1);
    expect(at('maintenance-on')).toBeLessThan(at('migrate'));
    expect(at('maintenance-off')).toBeGreaterThan(at('heroku'));
    expect(at('maintenance-off')).toBeLessThan(at('smoke'));
    expect(r.heroku.production.maintenanceSwitches).toEqual([true, false]);
    expect(r.heroku.production.maintenance).toBe(false);
    expect(production.slice(production.indexOf('production / deploy › smoke-health ✗'))).toEqual([
      'production / deploy › smoke-health ✗',
      'production / deploy › deploy-heroku', // the rollback
      'production / deploy › record-deployment',
      'production / deploy › notify-slack',
      'production / deploy › record-deployment', // its post step: nothing was paused
    ]);
    // Datadog sees the rollback as an event; the failed release is no DORA deployment.
    expect(r.datadog.deployments.map((d) => d.env)).toEqual(['staging']);
    expect(r.datadog.events.at(-1)).toMatch(/^Rolled back wingmanmatch in production from [0-9a-f]{7}$/);
    expect(run.report.approvals.filter((a) => a.environment === 'production')).toHaveLength(1);
    expect(r.heroku.production.slugOfCurrent).toBe(r.heroku.production.previousSlug);
    expect(r.vercelProduction).toBe(r.vercelEarlierProduction); // staged, never promoted
    expect(r.slack.map((m) => m.text)).toEqual([
      expect.stringMatching(/staging: deploy succeeded/),
      expect.stringMatching(/production: deploy rolled back/),
    ]);
  }, 180_000);

  it('rollback: the dispatch with a reason, one approval, one job, under 60 s of action time', async () => {
    const r = await rehearsePipeline({ scenario: 'rollback' });
    expect(r.ok).toBe(true);
    const { run } = r.runs[1]!;
    expect(run.report.approvals).toEqual([{ environment: 'production', job: 'rollback / rollback' }]);
    expect(run.report.runnerStarts).toEqual(['rollback / rollback']);
    expect(run.steps.reduce((ms, s) => ms + s.durationMs, 0)).toBeLessThan(60_000);
    expect(r.heroku.production.slugOfCurrent).toBe(r.heroku.production.previousSlug);
    expect(r.vercelProduction).toBe(r.vercelEarlierProduction);
    expect(r.slack.at(-1)?.text).toMatch(/Rollback of production by rehearsal: rolled back/);
    expect(r.datadog.events.at(-1)).toMatch(/^Rolled back wingmanmatch in production from [0-9a-f]{7}$/);
  }, 180_000);

  it('preview: migrations rehearsed, then the PR’s own stack (database, review app, Vercel preview) in one comment; a second push reuses it; cleanup and its re-run; the sweep', async () => {
    const r = await rehearsePipeline({ scenario: 'preview' });
    expect(r.ok).toBe(true);
    const opened = actionsOf(r, 0);
    expect(opened).toEqual(
      expect.arrayContaining([
        'preview / rehearse-migrations › run-migrations',
        'preview / rehearse-migrations › verify-schema',
        'preview / preview › preview-database',
        'preview / preview › deploy-heroku',
        'preview / preview › deploy-vercel',
        'preview / preview › smoke-health',
        'preview / preview › preview-comment',
      ]),
    );
    // The stack: the PR's database with the PR's migrations, a review app on it (its URL in the
    // frontend's build), smoke-checked together.
    const step = (run: number, id: string) =>
      r.runs[run]!.run.steps.find((s) => s.job === 'preview / preview' && s.id === id)!;
    expect(step(0, 'db').outputs).toMatchObject({ name: 'wingman_pr_7', created: 'true', kind: 'database' });
    expect(step(0, 'migrate').outputs.applied).toBe(
      String(readdirSync('examples/wingmanmatch/supabase/migrations').length),
    );
    const backend = step(0, 'review').outputs['app-url']!;
    expect(backend).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(step(0, 'vercel').detail!.childEnv['INPUT_BUILD-ENV']).toContain(`NEXT_PUBLIC_API_URL=${backend}`);
    expect(JSON.parse(step(0, 'smoke').outputs.report!).targets.map((t: { url: string }) => t.url)).toEqual([
      expect.stringMatching(/\/_sites\/dpl_/),
      `${backend}health`,
    ]);
    // The second push: the same database and review app, built again; nothing made twice.
    expect(step(1, 'db').outputs.created).toBe('false');
    expect(step(1, 'migrate').outputs.applied).toBe('0');
    expect(step(1, 'review').outputs['app-url']).toBe(backend);
    // The service is Supabase's image as it starts (no storage tables, the 2018 auth.users): the
    // bootstrap gives it the platform's part and the base branch's migrations apply; then the PR's own
    // (the Supabase-style corpus: storage buckets and policies, unqualified pgcrypto, a Vault reader,
    // a Realtime publication change) are linted against that schema and each proven to roll back.
    const [baseRun, prRun] = r.runs[0]!.run.steps.filter((s) => s.action === 'run-migrations');
    const all = readdirSync('examples/wingmanmatch/supabase/migrations').sort();
    expect(baseRun!.outputs).toMatchObject({ applied: String(all.length - PR_MIGRATIONS), pending: '0' });
    expect(baseRun!.summary).toMatch(/Supabase shape \(bootstrap: supabase\): given to the database/);
    expect(prRun!.outputs).toMatchObject({ applied: String(PR_MIGRATIONS), pending: '0', 'lint-findings': '[]' });
    expect(prRun!.summary.match(/rollback verified/g)).toHaveLength(PR_MIGRATIONS);
    expect(prRun!.summary).toMatch(/20250808090000 \| avatar_storage/);
    expect(prRun!.summary).toMatch(/Migration lint: no hazard in the pending migrations/);
    expect(r.github.comments.filter((c) => c.includes('Migration lint'))).toEqual([
      expect.stringMatching(new RegExp(`✅ Migration lint: no hazard in ${PR_MIGRATIONS} pending migration\\(s\\)`)),
    ]);
    // One comment for the stack (deploy-vercel's own is off), edited in place: at the end, removed.
    const stack = r.github.comments.filter((c) => c.includes('Full-stack preview'));
    expect(stack).toHaveLength(1);
    expect(stack[0]).toMatch(/### 🧹 Full-stack preview of #7 was removed/);
    expect(r.github.comments).toHaveLength(2); // the migration lint's and the stack's
    // A cleanup that failed half-way (Heroku down): the other parts were still removed; its re-run finished.
    expect(r.runs.map((x) => [x.name, Object.values(x.run.jobs).map((j) => j.result)])).toEqual([
      ['preview (opened)', ['success']],
      ['preview (synchronize)', ['success']],
      ['preview (closed)', ['failure']],
      ['preview (closed, re-run)', ['success']],
      ['preview #8 (opened)', ['failure']],
      ['preview #9 (opened)', ['failure']],
      ['previews-sweep', ['success']],
    ]);
    expect(r.runs.filter((x) => x.expectFailure).map((x) => x.name)).toEqual([
      'preview (closed)',
      'preview #8 (opened)',
      'preview #9 (opened)',
    ]);
    // Failures in the PR's comment, each with its one-line reason: #8's review app did not build; #9
    // met the preview limit (ten others hold a database).
    expect(r.previews!.comments[8]).toMatch(/### ❌ Full-stack preview of #8 has a failed part/);
    expect(r.previews!.comments[8]).toMatch(
      /\| Backend \| ❌ failed \| [^|]* \| Heroku review app of pull request #8 errored: Build failed; last lines of the build output: .*npm ERR! missing script: start \|/,
    );
    expect(r.previews!.comments[8]).toContain('| Frontend | ⏭️ skipped |');
    expect(r.previews!.comments[8]).toMatch(/\| migrations applied \| 20250801120000, 20250801120100, /);
    expect(r.previews!.comments[9]).toContain(
      '| Database | ❌ failed |  | the preview limit is reached: 10 pull requests (#8, #101, #102, #103, #104, #105, #106, #107, #108, #109) have a preview database and max-previews is 10; close one of them, or raise max-previews |',
    );
    expect(actionsOf(r, 2)).toEqual([
      'preview / cleanup › preview-database',
      'preview / cleanup › deploy-heroku ✗',
      'preview / cleanup › deploy-vercel',
      'preview / cleanup › preview-comment',
    ]);
    expect(r.previews!.reviewApps.every((a) => a.status === 'deleting' || a.status === 'deleted')).toBe(true);
    // The sweep removed what missed close events left (#8's database and errored review app, the old
    // PRs' databases); nothing of any preview remains.
    const sweep = r.runs.at(-1)!.run.steps;
    // #8's frontend never deployed (its review app failed first): no alias for the sweep to remove.
    expect(sweep.map((x) => x.outputs.removed)).toEqual(['8,101,102,103,104,105,106,107,108,109', '8', '']);
    expect(r.previews!.aliases).toEqual([]);
    expect(r.previews!.databases).toEqual([]);
    expect(r.previews!.reviewApps.map((a) => a.pr)).toEqual([7, 8]);
    expect(r.github.deployments.every((d) => d.state === 'inactive')).toBe(true);
    expect(r.runs.flatMap((x) => x.run.report.deployments)).toEqual([]); // deployment: false; deploy-vercel records its own
  }, 180_000);

  it('preview-branch: a team on Supabase branching gets each PR a preview branch of staging, with its API, migrated and verified, removed on close', async () => {
    const r = await rehearsePipeline({ scenario: 'preview-branch' });
    expect(r.ok).toBe(true);
    expect(r.runs.map((x) => [x.name, Object.values(x.run.jobs).map((j) => j.result)])).toEqual([
      ['preview (opened)', ['success']],
      ['preview (synchronize)', ['success']],
      ['preview (closed)', ['success']],
      ['preview #8 (opened)', ['success']],
      ['previews-sweep', ['success']],
    ]);
    const step = (run: number, id: string) =>
      r.runs[run]!.run.steps.find((s) => s.job === 'preview / preview' && s.id === id)!;
    // The PR's database is a branch of the staging project: its project URL (here the simulator's
    // stand-in for https://<ref>.supabase.co) and its own keys reach verify-schema and the review app.
    const db = step(0, 'db').outputs;
    expect(db).toMatchObject({ kind: 'supabase-branch', created: 'true' });
    expect(db['api-url']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/project\/[a-z]{20}$/);
    expect(step(0, 'migrate').outputs.applied).toBe(
      String(readdirSync('examples/wingmanmatch/supabase/migrations').length),
    );
    // verify-schema's Data API probe ran against the branch's API with its anon key.
    expect(step(0, 'verify').result).toBe('success');
    expect(step(0, 'verify').detail!.childEnv['INPUT_SUPABASE-URL']).toBe(db['api-url']);
    const config = step(0, 'review').detail!.childEnv['INPUT_CONFIG-VARS']!;
    expect(config).toContain(`SUPABASE_URL=${db['api-url']}`);
    expect(config).toMatch(/DATABASE_URL=postgres(ql)?:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/postgres/);
    // The second push finds the same branch; nothing made twice. Closing removes it with the rest.
    expect(step(1, 'db').outputs).toMatchObject({ created: 'false', 'api-url': db['api-url'] });
    expect(step(1, 'migrate').outputs.applied).toBe('0');
    expect(r.runs[2]!.run.steps.find((s) => s.id === 'db')!.outputs.removed).toBeTruthy();
    // #8, closed without its close event, is the sweep's: its branch and review app are removed.
    expect(r.runs[4]!.run.steps.map((x) => x.outputs.removed)).toEqual(['8', '8', '8']);
    expect(r.previews!.aliases).toEqual([]);
    expect(r.previews!.supabaseBranches).toEqual([]);
    expect(r.previews!.databases).toEqual([]);
    expect(r.previews!.reviewApps.map((a) => [a.pr, a.status])).toEqual([
      [7, 'deleted'],
      [8, 'deleted'],
    ]);
  }, 180_000);

  it('repair: the history repaired under production approval, reverted then applied, with no migration run and Slack told', async () => {
    const r = await rehearsePipeline({ scenario: 'repair' });
    expect(r.ok).toBe(true);
    const versions = readdirSync('examples/wingmanmatch/supabase/migrations')
      .sort()
      .map((f) => f.split('_')[0]!);
    const [newest, before] = [versions.at(-1)!, versions.at(-2)!];
    const repairs = r.runs.filter((x) => x.name.startsWith('migration-repair'));
    expect(repairs.map((x) => x.name)).toEqual(['migration-repair (reverted)', 'migration-repair (applied)']);
    for (const { run } of repairs) {
      expect(run.report.approvals).toEqual([{ environment: 'production', job: 'repair / repair' }]);
      expect(run.report.deployments).toEqual([]);
    }
    const step = (i: number) => repairs[i]!.run.steps.find((s) => s.action === 'run-migrations')!;
    expect(step(0).outputs).toMatchObject({ 'current-version': before, applied: '0', pending: '1' });
    expect(step(0).summary).toMatch(new RegExp(`History repair: ${newest} marked reverted .*no migration ran`));
    expect(step(1).outputs).toMatchObject({ 'current-version': newest, applied: '0', pending: '0' });
    expect(
      r.slack.filter((m) => /Migration history repair on production by rehearsal/.test(m.text ?? '')),
    ).toHaveLength(2);
  }, 180_000);

  it('flag: one flag changed under production approval, audited and announced; the next deploy keeps it', async () => {
    const r = await rehearsePipeline({ scenario: 'flag' });
    expect(r.ok).toBe(true);
    const flag = r.runs.find((x) => x.name === 'feature-flag')!.run;
    expect(flag.report.approvals).toEqual([{ environment: 'production', job: 'flag / flag' }]);
    expect(flag.steps.map((s) => s.action)).toEqual(['feature-flags', 'notify-slack']);
    // The change, then the next deploy's sync of the same file: the runtime value stays.
    expect(r.flags.production).toContainEqual({ flag: 'new_matching', enabled: true, rollout: 25 });
    const again = r.runs.find((x) => x.name === 'push-main (again)')!.run;
    const sync = again.steps.find((s) => s.job === 'production / deploy' && s.id === 'flags')!;
    expect(JSON.parse(sync.outputs.report!)).toMatchObject({ changes: [], keptRuntime: ['new_matching'] });
    expect(r.flagAudit.filter((a) => a.flag_name === 'new_matching').at(-1)).toMatchObject({
      actor: 'rehearsal',
      reason: 'A/B test of the new matching',
      // The feature-flag dispatch: the scenario's second run.
      run_url: expect.stringMatching(/\/actions\/runs\/4243$/),
    });
    expect(r.slack.map((m) => m.text)).toContainEqual(
      expect.stringMatching(/Feature flag new_matching on production by rehearsal: A\/B test of the new matching/),
    );
  }, 180_000);

  it('redeploy: staging deployed by branch name as it moves, then a known-good commit by SHA; every provider records the commit checked out', async () => {
    const r = await rehearsePipeline({ scenario: 'redeploy' });
    expect(r.ok).toBe(true);
    const [hotfix, next, back] = r.redeploys!;
    // ref: main twice, main having moved in between: the second is built, not skipped as "already runs main".
    expect(hotfix!.expected).not.toBe(next!.expected);
    expect(back!.expected).toBe(hotfix!.expected);
    for (const d of r.redeploys!) {
      expect(d).toMatchObject({ heroku: d.expected, vercel: d.expected, sentry: d.expected, datadog: d.expected });
      expect(d.slack).toContain(`deploy succeeded — ${d.expected.slice(0, 7)}`);
    }
    const runs = r.runs.filter((x) => x.name.startsWith('deploy-ref'));
    expect(runs).toHaveLength(3);
    for (const { run } of runs) {
      const heroku = run.steps.find((s) => s.job === 'staging / deploy' && s.id === 'heroku')!;
      expect(heroku.outputs.skipped).not.toBe('true');
    }
    // Three runs, three DORA deployments (each run its own id).
    expect(r.datadog.deployments.map((d) => d.commit)).toEqual([hotfix!.expected, next!.expected, hotfix!.expected]);
  }, 180_000);
});
