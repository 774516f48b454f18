// The verify-config bundle against the Heroku and Vercel simulators: a complete configuration passes;
// missing, wrong shape, misaligned, shared across environments, an unreadable sensitive variable and a
// missing permission are each reported; no value (nor its SHA-256) appears in any output.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type ActionResult, HerokuSim, runAction, VercelSimulator, visible } from '@wingman/testkit';

const HEROKU_KEY = 'hrku-verify-config-key-000001';
const VERCEL_TOKEN = 'vercel-verify-config-token-01';

const MANIFEST = `environments: [staging, production]          # preview is implied for Vercel
variables:
  SUPABASE_URL:
    heroku: SUPABASE_URL
    vercel: NEXT_PUBLIC_SUPABASE_URL
    pattern: '^https://[a-z]{20}\\.supabase\\.co$'
    isolated: true
  REDIS_URL:      { heroku: REDIS_URL, pattern: '^rediss://', environments: [production] }
  RESEND_API_KEY: { heroku: RESEND_API_KEY, pattern: '^re_' }
  SENTRY_DSN:     { heroku: SENTRY_DSN, vercel: NEXT_PUBLIC_SENTRY_DSN }
  ENVIRONMENT:    { heroku: ENVIRONMENT, equals: '{environment}' }
`;

const VALUES = {
  stagingSupabase: 'https://abcdefghijklmnopqrst.supabase.co',
  productionSupabase: 'https://zyxwvutsrqponmlkjihg.supabase.co',
  previewSupabase: 'https://pqrstuvwxyzabcdefghi.supabase.co',
  redis: 'rediss://default:redis-secret-4242@redis.example.com:6380',
  resendStaging: 're_staging_secret_0123456789',
  resendProduction: 're_production_secret_0123456789',
  dsn: 'https://0123456789abcdef@o1.ingest.sentry.io/42',
};

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('verify-config bundle', () => {
  let heroku: HerokuSim;
  let vercel: VercelSimulator;
  let projectId: string;
  let cwd: string;

  beforeEach(async () => {
    heroku = new HerokuSim({ token: HEROKU_KEY });
    vercel = new VercelSimulator({ token: VERCEL_TOKEN });
    await Promise.all([heroku.start(), vercel.start()]);
    heroku.addApp('wingman-api-staging');
    heroku.addApp('wingman-api');
    heroku.seedConfig('wingman-api-staging', {
      SUPABASE_URL: VALUES.stagingSupabase,
      RESEND_API_KEY: VALUES.resendStaging,
      SENTRY_DSN: VALUES.dsn,
      ENVIRONMENT: 'staging',
    });
    heroku.seedConfig('wingman-api', {
      SUPABASE_URL: VALUES.productionSupabase,
      REDIS_URL: VALUES.redis,
      RESEND_API_KEY: VALUES.resendProduction,
      SENTRY_DSN: VALUES.dsn,
      ENVIRONMENT: 'production',
    });
    projectId = vercel.addProject({ name: 'wingmanmatch', customEnvironments: ['staging'] }).id;
    vercel.addEnv(projectId, {
      key: 'NEXT_PUBLIC_SUPABASE_URL',
      value: VALUES.productionSupabase,
      target: ['production'],
    });
    vercel.addEnv(projectId, {
      key: 'NEXT_PUBLIC_SUPABASE_URL',
      value: VALUES.stagingSupabase,
      target: [],
      customEnvironments: ['staging'],
    });
    vercel.addEnv(projectId, { key: 'NEXT_PUBLIC_SUPABASE_URL', value: VALUES.previewSupabase, target: ['preview'] });
    vercel.addEnv(projectId, {
      key: 'NEXT_PUBLIC_SENTRY_DSN',
      value: VALUES.dsn,
      type: 'plain',
      target: ['production', 'preview'],
      customEnvironments: ['staging'],
    });
    cwd = mkdtempSync(join(tmpdir(), 'wm-verify-config-'));
    dirs.push(cwd);
    mkdirSync(join(cwd, 'deploy'));
    writeFileSync(join(cwd, 'deploy/config.yml'), MANIFEST);
  });
  afterEach(async () => {
    await Promise.all([heroku.stop(), vercel.stop()]);
  });

  const run = (environment: string, inputs: Record<string, string> = {}) =>
    runAction('verify-config', {
      cwd,
      inputs: {
        environment,
        'heroku-api-key': HEROKU_KEY,
        'heroku-apps': 'staging=wingman-api-staging, production=wingman-api',
        'vercel-token': VERCEL_TOKEN,
        'vercel-project-id': projectId,
        'heroku-api-url': heroku.url,
        'vercel-api-url': vercel.url,
        ...inputs,
      },
    });
  const errors = (r: ActionResult) => r.annotations.filter((a) => a.level === 'error').map((a) => a.message);
  /** No value, nor its SHA-256, anywhere a person or a later step can see. */
  const leaksNothing = (r: ActionResult) => {
    const seen = visible(r);
    for (const v of Object.values(VALUES)) {
      expect(seen).not.toContain(v);
      expect(seen).not.toContain(createHash('sha256').update(v).digest('hex'));
    }
  };

  it('passes a complete configuration, with a matrix per variable and platform', async () => {
    for (const env of ['staging', 'production']) {
      const r = await run(env);
      expect(errors(r)).toEqual([]);
      expect(r.exitCode).toBe(0);
      expect(r.outputs).toMatchObject({ errors: '0', warnings: '0' });
      leaksNothing(r);
    }
    const r = await run('production');
    expect(r.summary).toContain('## ✅ verify-config: production');
    expect(r.summary).toContain('| SUPABASE_URL | heroku | ✅ | ✅ | ✅ | ✅ |');
    expect(r.summary).toContain('| SUPABASE_URL | vercel | ✅ | ✅ | ✅ | ✅ |');
    expect(r.summary).toContain('| REDIS_URL | heroku | ✅ | ✅ | – | – |');
    expect(JSON.parse(r.outputs.report!).cells).toHaveLength(7);
  });

  it('reports a missing variable, a wrong shape, and a value that is not what the environment needs', async () => {
    heroku.seedConfig('wingman-api', { REDIS_URL: 'redis://default:plain-redis-secret@redis.example.com:6379' });
    const app = heroku.app('wingman-api')!;
    delete app.config.RESEND_API_KEY;
    app.config.ENVIRONMENT = 'staging';
    const r = await run('production');
    expect(r.exitCode).toBe(1);
    expect(errors(r)).toEqual([
      'REDIS_URL on Heroku app wingman-api does not match ^rediss://: it is a redis:// URL on …example.com',
      'RESEND_API_KEY on Heroku app wingman-api is missing: set it',
      "ENVIRONMENT on Heroku app wingman-api is not 'production'",
    ]);
    // Annotated at the variable's line in the manifest.
    expect(r.annotations.find((a) => a.message.startsWith('REDIS_URL'))).toMatchObject({
      file: 'deploy/config.yml',
      line: 8,
    });
    expect(visible(r)).not.toContain('plain-redis-secret');
    leaksNothing(r);
  });

  it('reports a value that differs between the platforms, and one shared with another environment', async () => {
    // Staging's backend points at production's Supabase: shared with production, misaligned with staging's frontend.
    heroku.seedConfig('wingman-api-staging', { SUPABASE_URL: VALUES.productionSupabase });
    const r = await run('staging');
    expect(r.exitCode).toBe(1);
    expect(errors(r)).toEqual([
      'SUPABASE_URL on Heroku app wingman-api-staging has the same value as SUPABASE_URL on Heroku app wingman-api: give each environment its own (isolated: true)',
      'NEXT_PUBLIC_SUPABASE_URL on Vercel custom environment staging differs from SUPABASE_URL on Heroku app wingman-api-staging: the same value must reach both',
    ]);
    expect(r.summary).toContain('| SUPABASE_URL | heroku | ✅ | ✅ | ❌ | ❌ |');
    leaksNothing(r);
  });

  it('checks only the presence of a sensitive Vercel variable, and says so', async () => {
    const fresh = new VercelSimulator({ token: VERCEL_TOKEN });
    await fresh.start();
    try {
      const id = fresh.addProject({ name: 'wingmanmatch', customEnvironments: ['staging'] }).id;
      fresh.addEnv(id, { key: 'NEXT_PUBLIC_SUPABASE_URL', value: VALUES.productionSupabase, target: ['production'] });
      fresh.addEnv(id, { key: 'NEXT_PUBLIC_SUPABASE_URL', value: VALUES.previewSupabase, target: ['preview'] });
      fresh.addEnv(id, {
        key: 'NEXT_PUBLIC_SUPABASE_URL',
        value: VALUES.stagingSupabase,
        target: [],
        customEnvironments: ['staging'],
      });
      fresh.addEnv(id, { key: 'NEXT_PUBLIC_SENTRY_DSN', value: VALUES.dsn, type: 'sensitive', target: ['production'] });
      const r = await run('production', { 'vercel-api-url': fresh.url, 'vercel-project-id': id });
      expect(r.exitCode).toBe(0);
      expect(r.annotations.filter((a) => a.level === 'notice').map((a) => a.message)).toContain(
        'NEXT_PUBLIC_SENTRY_DSN on Vercel target production is sensitive and cannot be read back: only its presence is checked',
      );
      expect(r.summary).toContain('| SENTRY_DSN | vercel | ✅ (sensitive: presence only) | – | – | – |');
      leaksNothing(r);
    } finally {
      await fresh.stop();
    }
  });

  it('fails when a platform refuses to show the configuration, naming the permission', async () => {
    // Another environment it cannot read is a warning: isolation from it is not checked.
    const partial = await run('production', { 'heroku-apps': 'staging=wingman-api-gone, production=wingman-api' });
    expect(partial.exitCode).toBe(0);
    expect(partial.annotations.filter((a) => a.level === 'warning').map((a) => a.message)).toEqual([
      "Heroku app wingman-api-gone was not found (404): check input 'heroku-apps'; isolation from staging is not checked",
    ]);
    expect(
      (
        await run('production', {
          'heroku-apps': 'staging=wingman-api-gone, production=wingman-api',
          'fail-on': 'warn',
        })
      ).exitCode,
    ).toBe(1);
    vercel.forbidEnv(projectId);
    const r = await run('production');
    expect(r.exitCode).toBe(1);
    expect(errors(r)[0]).toBe(
      `the Vercel token may not read the environment variables of project ${projectId} (403 forbidden): use a token of a team member allowed to read them`,
    );
    const wrongKey = await run('production', { 'heroku-api-key': 'hrku-not-the-key-000000000' });
    expect(errors(wrongKey)[0]).toBe(
      'the Heroku API key may not read the config vars of app wingman-api (401): use a key of an account with access to it',
    );
  });

  it('points at the manifest line of a mistake', async () => {
    writeFileSync(join(cwd, 'deploy/config.yml'), `${MANIFEST}  BROKEN: { herokku: X }\n`);
    const r = await run('production');
    expect(r.exitCode).toBe(1);
    expect(errors(r)[0]).toMatch(/^deploy\/config\.yml:12: variables\.BROKEN: /);
  });
});
