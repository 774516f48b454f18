// Every input does what it says. For each action, the inputs are read from its action.yml; each one is
// set to a distinctive non-default value and the test looks for its effect where it acts — the settings
// the database received, the requests a simulator got, the time it gave up — not at the action's own
// report of its inputs. An input with no case below fails this test (run-migrations once parsed three
// inputs and never used them). Exempt inputs are listed with the reason, per action.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { platformPackage } from '@wingman/sentry';
import {
  behaviours,
  DatadogSimulator,
  DEFAULT_REPOSITORY,
  DEFAULT_SHA,
  GitHubSimulator,
  HerokuSim,
  HttpTarget,
  isolatedSentryCliEnv,
  parseActionMetadata,
  queryRows,
  REPO_ROOT,
  runAction,
  SentrySimulator,
  SlackSimulator,
  SupabaseSim,
  sentryCliBinary,
  startDataApi,
  startNpmRegistry,
  startPostgres,
  type TargetBehaviour,
  type TestDatabase,
  UptimeRobotSimulator,
  VercelSimulator,
  visible,
} from '@wingman/testkit';
import pg from 'pg';
import { type DrillSource, startDrillSource } from '../packages/backup/test/source-fixture';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};

type Case = () => Promise<void>;
interface Coverage {
  cases: Record<string, Case>;
  /** Inputs with no effect of their own to observe here, and why. */
  exempt: Record<string, string>;
}

const inputsOf = (action: string) =>
  Object.keys(parseActionMetadata(readFileSync(join(REPO_ROOT, 'actions', action, 'action.yml'), 'utf8')).inputs);

/** One test per input of the action's action.yml; a missing case fails with the input named. */
function everyInput(action: string, coverage: () => Coverage) {
  it.each(inputsOf(action))(`${action}: input '%s' has an observable effect`, async (input) => {
    const { cases, exempt } = coverage();
    if (exempt[input]) {
      expect(exempt[input]!.length).toBeGreaterThan(10);
      return;
    }
    const run = cases[input];
    if (!run) throw new Error(`${action} input '${input}' has no effect case and is not exempt: add one`);
    await run();
  });
  it(`${action}: cases and exemptions name only inputs of action.yml`, () => {
    const { cases, exempt } = coverage();
    expect([...Object.keys(cases), ...Object.keys(exempt)].filter((k) => !inputsOf(action).includes(k))).toEqual([]);
  });
}

// ---------------------------------------------------------------------------------------------------
// run-migrations: effects on the database

describe('run-migrations', () => {
  let db: TestDatabase;
  let other: TestDatabase;
  beforeAll(async () => {
    [db, other] = await Promise.all([startPostgres(), startPostgres()]);
  });
  afterAll(async () => {
    await Promise.all([db?.stop(), other?.stop()]);
  });

  /** A fresh project folder with migrations (name → sql) and down scripts. */
  function project(
    migrations: Record<string, string>,
    rollbacks: Record<string, string> = {},
    dirsAs = ['migrations', 'rollbacks'],
  ) {
    const root = tempDir('wingman-effects-');
    mkdirSync(join(root, dirsAs[0]!), { recursive: true });
    mkdirSync(join(root, dirsAs[1]!), { recursive: true });
    for (const [f, sql] of Object.entries(migrations)) writeFileSync(join(root, dirsAs[0]!, f), sql);
    for (const [f, sql] of Object.entries(rollbacks)) writeFileSync(join(root, dirsAs[1]!, f), sql);
    return root;
  }
  const query = async (database: TestDatabase, sql: string) => {
    const c = new pg.Client({ connectionString: database.url });
    await c.connect();
    try {
      return (await c.query(sql)).rows;
    } finally {
      await c.end();
    }
  };
  const fresh = async () => {
    await query(
      db,
      'drop schema if exists supabase_migrations cascade; drop schema if exists effects cascade; create schema effects;',
    );
  };
  /** An existing 20,000-row table: above lint-small-table-rows' default, so locking findings count. */
  const bigTable = () =>
    query(
      db,
      'create table effects.big (id int); insert into effects.big select generate_series(1, 20000); analyze effects.big',
    );
  const run = (cwd: string, inputs: Record<string, string>, database = db) =>
    runAction('run-migrations', {
      cwd,
      inputs: { 'database-url': database.url, 'migrations-dir': 'migrations', 'rollbacks-dir': 'rollbacks', ...inputs },
    });
  const two = {
    '20260101000000_a.sql': 'create table effects.a (id int);',
    '20260102000000_b.sql': 'create table effects.b (id int);',
  };
  const downs = {
    '20260101000000_a.sql': 'drop table effects.a;',
    '20260102000000_b.sql': 'drop table effects.b;',
  };
  const tables = async (database = db) =>
    (
      await query(
        database,
        "select table_name from information_schema.tables where table_schema = 'effects' order by 1",
      )
    ).map((r) => r.table_name);

  everyInput('run-migrations', () => ({
    exempt: {},
    cases: {
      'database-url': async () => {
        await query(
          other,
          'drop schema if exists effects cascade; create schema effects; drop schema if exists supabase_migrations cascade;',
        );
        expect((await run(project(two), {}, other)).exitCode).toBe(0);
        expect(await tables(other)).toEqual(['a', 'b']);
      },
      'migrations-dir': async () => {
        await fresh();
        const cwd = project(two, downs, ['db/up', 'db/down']);
        expect((await run(cwd, { 'migrations-dir': 'db/up', 'rollbacks-dir': 'db/down' })).exitCode).toBe(0);
        expect(await tables()).toEqual(['a', 'b']);
      },
      'rollbacks-dir': async () => {
        await fresh();
        const cwd = project(two, downs, ['migrations', 'db/down']);
        expect((await run(cwd, { 'rollbacks-dir': 'db/down' })).exitCode).toBe(0);
        expect((await run(cwd, { 'rollbacks-dir': 'db/down', direction: 'down' })).exitCode).toBe(0);
        expect(await tables()).toEqual(['a']);
      },
      direction: async () => {
        await fresh();
        const cwd = project(two, downs);
        await run(cwd, {});
        const r = await run(cwd, { direction: 'down' });
        expect(r.outputs['reverted-versions']).toBe('["20260102000000"]');
        expect(await tables()).toEqual(['a']);
      },
      'target-version': async () => {
        await fresh();
        expect((await run(project(two), { 'target-version': '20260101000000' })).exitCode).toBe(0);
        expect(await tables()).toEqual(['a']);
      },
      'dry-run': async () => {
        await fresh();
        const r = await run(project(two), { 'dry-run': 'true' });
        expect(r.outputs.pending).toBe('2');
        expect(await tables()).toEqual([]);
      },
      atomic: async () => {
        await fresh();
        const cwd = project({ ...two, '20260103000000_bad.sql': 'select no_such_function();' });
        expect((await run(cwd, { atomic: 'true' })).exitCode).toBe(1);
        expect(await tables()).toEqual([]); // one transaction: nothing stays
      },
      'allow-out-of-order': async () => {
        await fresh();
        await run(project({ '20260102000000_b.sql': two['20260102000000_b.sql'] }), {});
        const cwd = project(two);
        expect((await run(cwd, {})).exitCode).toBe(1);
        expect((await run(cwd, { 'allow-out-of-order': 'true' })).exitCode).toBe(0);
        expect(await tables()).toEqual(['a', 'b']);
      },
      'lock-timeout': async () => {
        await fresh();
        const cwd = project({
          '20260101000000_s.sql': "create table effects.s as select current_setting('lock_timeout') as v;",
        });
        await run(cwd, { 'lock-timeout': '7s' });
        expect(await query(db, 'select v from effects.s')).toEqual([{ v: '7s' }]);
      },
      'statement-timeout': async () => {
        await fresh();
        const cwd = project({
          '20260101000000_s.sql': "create table effects.s as select current_setting('statement_timeout') as v;",
        });
        await run(cwd, { 'statement-timeout': '9s' });
        expect(await query(db, 'select v from effects.s')).toEqual([{ v: '9s' }]);
      },
      'lock-retries': async () => {
        await fresh();
        await query(db, 'create table effects.locked (id int)');
        const holder = new pg.Client({ connectionString: db.url });
        await holder.connect();
        try {
          await holder.query('begin; lock table effects.locked in access exclusive mode');
          const cwd = project({ '20260101000000_l.sql': 'alter table effects.locked add column x int;' });
          const r = await run(cwd, { 'lock-timeout': '100ms', 'lock-retries': '0' });
          expect(r.exitCode).toBe(1);
          expect(r.stdout).not.toMatch(/retry 1 of/); // the default (3) would retry
        } finally {
          await holder.end();
        }
      },
      'wait-for-lock': async () => {
        await fresh();
        const holder = new pg.Client({ connectionString: db.url });
        await holder.connect();
        try {
          await holder.query("select pg_advisory_lock('7304613893201154881'::bigint)");
          const r = await run(project(two), { 'wait-for-lock': '1s' });
          expect(r.exitCode).toBe(1);
          expect(r.durationMs).toBeLessThan(8_000);
        } finally {
          await holder.end();
        }
      },
      'seed-file': async () => {
        await fresh();
        const cwd = project(two);
        writeFileSync(join(cwd, 'seed.sql'), 'insert into effects.a values (42);');
        writeFileSync(join(cwd, 'seed-2.sql'), 'insert into effects.a values (43);');
        await run(cwd, { 'seed-file': 'seed.sql, seed-2.sql' });
        expect(await query(db, 'select id from effects.a order by id')).toEqual([{ id: 42 }, { id: 43 }]);
      },
      lint: async () => {
        // An index without CONCURRENTLY on an existing 20,000-row table: warn applies and annotates,
        // error stops before anything is applied, off says nothing.
        await fresh();
        await bigTable();
        const cwd = project({ '20260101000000_i.sql': 'create index big_id_idx on effects.big (id);' });
        const warned = await run(cwd, {});
        expect(warned.exitCode).toBe(0);
        expect(warned.annotations).toContainEqual(
          expect.objectContaining({ level: 'warning', file: 'migrations/20260101000000_i.sql', line: 1 }),
        );
        expect(JSON.parse(warned.outputs['lint-findings']!)).toEqual([
          expect.objectContaining({ rule: 'create_index_not_concurrently', level: 'warning', line: 1 }),
        ]);
        expect(warned.summary).toMatch(
          /\| warning \| create_index_not_concurrently \| migrations\/20260101000000_i\.sql:1 \|/,
        );
        await fresh();
        await bigTable();
        const stopped = await run(cwd, { lint: 'error' });
        expect(stopped.exitCode).toBe(1);
        expect(stopped.stdout).toMatch(
          /::error[^:]*::the migration lint found 1 hazard\(s\) in the pending migrations \(lint: error\), so nothing was applied/,
        );
        expect(await query(db, "select to_regclass('effects.big_id_idx') as i")).toEqual([{ i: null }]);
        const off = await run(cwd, { lint: 'off' });
        expect(off.exitCode).toBe(0);
        expect(off.outputs['lint-findings']).toBe('[]');
      },
      'lint-sarif-file': async () => {
        await fresh();
        await bigTable();
        const cwd = project({ '20260101000000_i.sql': 'create index big_id_idx on effects.big (id);' });
        expect((await run(cwd, { 'lint-sarif-file': 'out/lint.sarif' })).exitCode).toBe(0);
        const sarif = JSON.parse(readFileSync(join(cwd, 'out/lint.sarif'), 'utf8'));
        expect(sarif.runs[0].results).toEqual([
          expect.objectContaining({
            ruleId: 'create_index_not_concurrently',
            level: 'warning',
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: 'migrations/20260101000000_i.sql' },
                  region: { startLine: 1 },
                },
              },
            ],
          }),
        ]);
        // The migrations are in: a path that cannot take the file is a warning, not a failed deploy.
        writeFileSync(join(cwd, 'taken'), '');
        await fresh();
        await bigTable();
        const unwritable = await run(cwd, { 'lint-sarif-file': 'taken/lint.sarif' });
        expect(unwritable.exitCode).toBe(0);
        expect(unwritable.annotations).toContainEqual(
          expect.objectContaining({
            level: 'warning',
            message: expect.stringMatching(
              /^input 'lint-sarif-file' taken\/lint\.sarif: the SARIF report cannot be written there/,
            ),
          }),
        );
      },
      'github-token': async () => {
        // On a pull request the findings become one comment, edited in place on the next run.
        const github = new GitHubSimulator({ token: 'ghs_lintEffects0000000000001' });
        await github.start();
        try {
          github.addPullRequest(DEFAULT_REPOSITORY, 9, { sha: 'a'.repeat(40), ref: 'feature/lint' });
          const pr = {
            event: {
              action: 'synchronize',
              number: 9,
              pull_request: {
                number: 9,
                head: { sha: 'a'.repeat(40), ref: 'feature/lint', repo: { full_name: DEFAULT_REPOSITORY } },
                base: { ref: 'main' },
              },
              repository: { full_name: DEFAULT_REPOSITORY },
            },
            eventName: 'pull_request',
            env: { GITHUB_API_URL: github.url },
          };
          const lintRun = (cwd: string) =>
            runAction('run-migrations', {
              cwd,
              ...pr,
              inputs: {
                'database-url': db.url,
                'migrations-dir': 'migrations',
                'rollbacks-dir': 'rollbacks',
                'github-token': 'ghs_lintEffects0000000000001',
              },
            });
          await fresh();
          await bigTable();
          const cwd = project({ '20260101000000_i.sql': 'create index big_id_idx on effects.big (id);' });
          expect((await lintRun(cwd)).exitCode).toBe(0);
          const comments = github.comments(DEFAULT_REPOSITORY, 9);
          expect(comments).toHaveLength(1);
          expect(comments[0]!.body).toMatch(/Migration lint: 1 hazard\(s\) in 1 pending migration/);
          expect(comments[0]!.body).toMatch(/`create_index_not_concurrently` \| `migrations\/20260101000000_i\.sql:1`/);
          // The next push: nothing pending any more, the same comment says so.
          await query(db, 'drop schema supabase_migrations cascade; drop index effects.big_id_idx');
          writeFileSync(
            join(cwd, 'migrations/20260101000000_i.sql'),
            'create index concurrently big_id_idx on effects.big (id);',
          );
          expect((await lintRun(cwd)).exitCode).toBe(0);
          expect(github.comments(DEFAULT_REPOSITORY, 9)).toEqual([expect.objectContaining({ id: comments[0]!.id })]);
          expect(github.comments(DEFAULT_REPOSITORY, 9)[0]!.body).toMatch(
            /✅ Migration lint: no hazard in 1 pending migration/,
          );
        } finally {
          await github.stop();
        }
      },
      'lint-small-table-rows': async () => {
        // 20,000 rows: a warning under the default 10,000, a notice once the threshold is above it.
        await fresh();
        await bigTable();
        const cwd = project({ '20260101000000_i.sql': 'create index big_id_idx on effects.big (id);' });
        const r = await run(cwd, { lint: 'error', 'lint-small-table-rows': '50000' });
        expect(r.exitCode).toBe(0);
        expect(JSON.parse(r.outputs['lint-findings']!)).toEqual([expect.objectContaining({ level: 'notice' })]);
      },
      'include-seed': async () => {
        // The seeds of supabase/config.toml run only when asked, as with db push --include-seed.
        await fresh();
        const cwd = project(two);
        mkdirSync(join(cwd, 'supabase'));
        writeFileSync(join(cwd, 'supabase/config.toml'), '[db.seed]\nsql_paths = ["./seed-*.sql"]\n');
        writeFileSync(join(cwd, 'supabase/seed-1.sql'), 'insert into effects.a values (7);');
        expect((await run(cwd, {})).exitCode).toBe(0);
        expect(await query(db, 'select id from effects.a')).toEqual([]);
        const seeded = await run(cwd, { 'include-seed': 'true' });
        expect(seeded.exitCode).toBe(0);
        expect(seeded.summary).toMatch(
          /Seeds \(from supabase\/config\.toml \[db\.seed\] sql_paths\): supabase\/seed-1\.sql applied/,
        );
        expect(await query(db, 'select id from effects.a')).toEqual([{ id: 7 }]);
      },
      mode: async () => {
        await fresh();
        const cwd = project(two);
        // repair records history without running the migration; migrate runs it.
        expect((await run(cwd, { mode: 'repair', status: 'applied', versions: '20260101000000' })).exitCode).toBe(0);
        expect(await query(db, "select to_regclass('effects.a') as t")).toEqual([{ t: null }]);
        expect(await query(db, 'select version from supabase_migrations.schema_migrations')).toEqual([
          { version: '20260101000000' },
        ]);
        expect((await run(cwd, {})).exitCode).toBe(0);
        expect(await query(db, "select to_regclass('effects.b') is not null as t")).toEqual([{ t: true }]);
      },
      status: async () => {
        await fresh();
        const cwd = project(two);
        expect((await run(cwd, {})).exitCode).toBe(0);
        const r = await run(cwd, { mode: 'repair', status: 'reverted', versions: '20260102000000' });
        expect(r.exitCode).toBe(0);
        expect(r.summary).toMatch(/History repair: 20260102000000 marked reverted/);
        expect(await query(db, 'select version from supabase_migrations.schema_migrations')).toEqual([
          { version: '20260101000000' },
        ]);
      },
      versions: async () => {
        await fresh();
        const cwd = project(two);
        const r = await run(cwd, { mode: 'repair', status: 'applied', versions: '20260102000000,\n20260101000000' });
        expect(r.exitCode).toBe(0);
        expect(await query(db, 'select version from supabase_migrations.schema_migrations order by version')).toEqual([
          { version: '20260101000000' },
          { version: '20260102000000' },
        ]);
        const unknown = await run(cwd, { mode: 'repair', status: 'applied', versions: '20260109000000' });
        expect(unknown.exitCode).toBe(1);
        expect(unknown.stdout).toMatch(/::error::input 'versions': 20260109000000 has no file in migrations/);
      },
      'shadow-database-url': async () => {
        // A database built by hand (no history) is adopted only after its schema is compared with the
        // migrations built in the shadow; the shadow named is the one built (it gains the tables).
        await fresh();
        await query(db, 'create table effects.a (id int)');
        const cwd = project(two);
        const shadow = await startPostgres({ bootstrap: 'none' });
        try {
          await query(shadow, 'create schema effects'); // the fixture's migrations expect it, as in db
          const r = await run(cwd, {
            mode: 'baseline',
            'target-version': '20260101000000',
            'shadow-database-url': shadow.url,
          });
          expect(r.stdout.split('\n').filter((l) => l.startsWith('::error'))).toEqual([]);
          expect(r.exitCode).toBe(0);
          expect(r.summary).toMatch(
            /Baseline: the schema is what the migrations up to 20260101000000 build; 1 migration\(s\) recorded/,
          );
          expect(await query(shadow, "select to_regclass('effects.a') is not null as built")).toEqual([
            { built: true },
          ]);
          expect(await query(db, 'select version from supabase_migrations.schema_migrations')).toEqual([
            { version: '20260101000000' },
          ]);
          expect(r.masks).toContain(shadow.url);
        } finally {
          await shadow.stop();
        }
      },
      bootstrap: async () => {
        // A plain database (no Supabase shape) gets storage only when asked; one with history is refused.
        const plain = await startPostgres({ bootstrap: 'none' });
        try {
          const cwd = project({
            '20260101000000_bucket.sql': "insert into storage.buckets (id, name) values ('b', 'b');",
          });
          const without = await run(cwd, {}, plain);
          expect(without.exitCode).toBe(1);
          expect(without.stdout).toMatch(/relation "storage\.buckets" does not exist/);
          expect((await run(cwd, { bootstrap: 'supabase' }, plain)).exitCode).toBe(0);
          expect(await query(plain, 'select id from storage.buckets')).toEqual([{ id: 'b' }]);
          const again = await run(cwd, { bootstrap: 'supabase' }, plain);
          expect(again.exitCode).toBe(1);
          expect(again.stdout).toMatch(
            /input 'bootstrap' is supabase, but input 'database-url' already has 1 migration/,
          );
        } finally {
          await plain.stop();
        }
      },
      'verify-rollbacks': async () => {
        await fresh();
        // A down script that does not restore the schema is caught only when rollbacks are verified.
        const cwd = project(two, { ...downs, '20260102000000_b.sql': 'select 1;' });
        expect((await run(cwd, {})).exitCode).toBe(0);
        await fresh();
        expect((await run(cwd, { 'verify-rollbacks': 'true' })).exitCode).toBe(1);
      },
    },
  }));
});

// ---------------------------------------------------------------------------------------------------
// deploy-heroku: effects on the Platform API (simulator)

describe('deploy-heroku', () => {
  const KEY = 'hrku-effects-key';
  let sim: HerokuSim;
  let appDir: string;
  beforeAll(async () => {
    appDir = tempDir('wingman-heroku-app-');
    writeFileSync(join(appDir, 'package.json'), '{"name":"app"}');
    writeFileSync(join(appDir, 'server.js'), 'console.log(1)');
    writeFileSync(join(appDir, 'secret.log'), 'debug');
  });
  const fresh = async () => {
    await sim?.stop();
    sim = new HerokuSim({ token: KEY, buildMs: 50, releasePhaseMs: 20, promotionMs: 20 });
    await sim.start();
    sim.addApp('wm-staging');
    sim.addApp('wm-production');
    sim.seedDeploy('wm-production', 'v-old');
    sim.addPipeline('wm', [
      { app: 'wm-staging', stage: 'staging' },
      { app: 'wm-production', stage: 'production' },
    ]);
  };
  afterAll(async () => {
    await sim?.stop();
  });
  const run = (inputs: Record<string, string>) =>
    runAction('deploy-heroku', {
      cwd: appDir,
      inputs: { 'api-key': KEY, app: 'wm-staging', 'api-url': sim.url, version: 'sha-effects', ...inputs },
    });
  const builds = (app: string) => sim.builds(app);

  everyInput('deploy-heroku', () => ({
    exempt: {},
    cases: {
      'api-key': async () => {
        await fresh();
        await run({});
        expect(
          sim.requests.every((r) => r.headers.authorization === `Bearer ${KEY}` || !r.path.startsWith('/apps')),
        ).toBe(true);
        // Empty, it is HEROKU_API_KEY, as the Heroku CLI reads it; the summary names the variable, never the key.
        await fresh();
        const fromEnv = await runAction('deploy-heroku', {
          cwd: appDir,
          env: { HEROKU_API_KEY: KEY },
          inputs: { 'api-key': '', app: 'wm-staging', 'api-url': sim.url, version: 'sha-effects' },
        });
        expect(fromEnv.exitCode).toBe(0);
        expect(fromEnv.summary).toMatch(/Inputs taken from the environment: 'api-key' from HEROKU_API_KEY\./);
        expect(fromEnv.masks).toContain(KEY);
        const printed = fromEnv.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'));
        expect(printed.join('\n') + fromEnv.summary).not.toContain(KEY.slice(4));
        expect(builds('wm-staging')).toHaveLength(1);
      },
      app: async () => {
        await fresh();
        await run({ app: 'wm-production' });
        expect(builds('wm-production').filter((b) => b.source_blob.version === 'sha-effects')).toHaveLength(1);
        expect(builds('wm-staging')).toHaveLength(0);
      },
      mode: async () => {
        await fresh();
        const before = sim.currentRelease('wm-production')!.version;
        await run({ app: 'wm-production', mode: 'rollback' });
        expect(sim.currentRelease('wm-production')!.version).toBe(before + 1);
        expect(builds('wm-production')).toHaveLength(1); // only the seeded one: nothing built
      },
      'app-dir': async () => {
        await fresh();
        mkdirSync(join(appDir, 'nested'), { recursive: true });
        writeFileSync(join(appDir, 'nested', 'only-here.txt'), 'x');
        const r = await run({ 'app-dir': 'nested' });
        expect(r.exitCode).toBe(0);
        expect(r.stdout).toMatch(/Packing nested/);
        expect(r.stdout).toMatch(/\b1 entries\b/);
      },
      exclude: async () => {
        await fresh();
        const entries = (r: { stdout: string }) => Number(/(\d+) entries/.exec(r.stdout)?.[1]);
        const all = entries(await run({ force: 'true' }));
        expect(entries(await run({ exclude: '*.log', force: 'true' }))).toBe(all - 1); // secret.log left out
      },
      version: async () => {
        await fresh();
        await run({ version: 'v-distinct-42' });
        expect(builds('wm-staging')[0]!.source_blob.version).toBe('v-distinct-42');
        // promote: the commit this run deploys; staging running another one's slug is refused.
        const other = await run({ mode: 'promote', 'pipeline-stage': 'production', version: 'v-distinct-43' });
        expect(other.exitCode).toBe(1);
        expect(other.annotations[0]?.message).toContain('runs a slug of v-distinct-42, not of v-distinct-43');
        const same = await run({ mode: 'promote', 'pipeline-stage': 'production', version: 'v-distinct-42' });
        expect(same.exitCode).toBe(0);
      },
      force: async () => {
        await fresh();
        await run({});
        await run({});
        expect(builds('wm-staging')).toHaveLength(1);
        await run({ force: 'true' });
        expect(builds('wm-staging')).toHaveLength(2);
      },
      'pipeline-stage': async () => {
        await fresh();
        await run({});
        const r = await run({ mode: 'promote', 'pipeline-stage': 'production' });
        expect(r.exitCode).toBe(0);
        expect(sim.currentRelease('wm-production')!.slug?.id).toBe(sim.currentRelease('wm-staging')!.slug?.id);
      },
      to: async () => {
        await fresh();
        sim.seedDeploy('wm-production', 'v-newer');
        const first = sim.releases('wm-production')[0]!;
        const r = await run({ app: 'wm-production', mode: 'rollback', to: `v${first.version}` });
        expect(r.exitCode).toBe(0);
        // Not the previous release (the default) but the one named.
        expect(sim.requestsTo('POST', '/apps/:app/releases').at(-1)!.body).toEqual({ release: first.id });
      },
      timeout: async () => {
        await fresh();
        sim.inject('GET', '/apps/:app', { delayMs: 10_000 });
        const r = await run({ timeout: '1500ms' });
        expect(r.exitCode).toBe(1);
        expect(r.durationMs).toBeLessThan(4_000);
      },
      'config-vars': async () => {
        await fresh();
        const secret = 're_effects_value_0123456789';
        const r = await run({ 'config-vars': `RESEND_API_KEY=${secret}\nNODE_ENV=production` });
        expect(r.exitCode).toBe(0);
        expect(sim.app('wm-staging')!.config).toEqual({ RESEND_API_KEY: secret, NODE_ENV: 'production' });
        // The build's release carries them; the keys are named, the values never printed.
        expect(sim.currentRelease('wm-staging')!.config).toEqual({ RESEND_API_KEY: secret, NODE_ENV: 'production' });
        expect(r.outputs['config-changes']).toBe('added RESEND_API_KEY, NODE_ENV');
        expect(r.summary).toContain('| config vars | added RESEND_API_KEY, NODE_ENV |');
        expect(r.masks).toContain(secret);
        expect(visible(r)).not.toContain(secret);
        // Misplaced: a promotion keeps each app's own config.
        const wrong = await run({ mode: 'promote', 'pipeline-stage': 'production', 'config-vars': 'A=1' });
        expect(wrong.exitCode).toBe(1);
        expect(wrong.stdout).toContain("input 'config-vars' applies to modes deploy and review-app, not promote");
      },
      prune: async () => {
        await fresh();
        sim.seedConfig('wm-staging', { STALE: 'x', KEEP: 'k' });
        await run({ 'config-vars': 'KEEP=k' });
        expect(sim.app('wm-staging')!.config).toEqual({ STALE: 'x', KEEP: 'k' });
        const r = await run({ 'config-vars': 'KEEP=k', prune: 'true' });
        expect(r.exitCode).toBe(0);
        expect(sim.app('wm-staging')!.config).toEqual({ KEEP: 'k' });
        expect(r.outputs['config-changes']).toBe('removed STALE; 1 unchanged');
      },
      'pull-request': async () => {
        await fresh();
        sim.addApp('wm-review-base');
        sim.addPipeline('wm-reviews', [{ app: 'wm-review-base', stage: 'staging' }], { reviewApps: true });
        const made = await run({
          app: 'wm-review-base',
          mode: 'review-app',
          'pull-request': '41',
          'config-vars': 'A=1',
        });
        expect(made.exitCode).toBe(0);
        expect(sim.reviewApps.map((r) => [r.pr_number, r.status])).toEqual([[41, 'created']]);
        expect(made.outputs['app-url']).toBe(sim.app(sim.reviewApps[0]!.appId!)!.web_url);
        const gone = await run({ app: 'wm-review-base', mode: 'delete-review-app', 'pull-request': '41' });
        expect(gone.exitCode).toBe(0);
        expect(['deleting', 'deleted']).toContain(sim.reviewApps[0]!.status);
        const none = await run({ app: 'wm-review-base', mode: 'review-app' });
        expect(none.stdout).toContain(
          "input 'pull-request' is required for mode review-app outside a pull_request event",
        );
      },
      'github-token': async () => {
        await fresh();
        sim.addApp('wm-review-base');
        sim.addPipeline('wm-reviews', [{ app: 'wm-review-base', stage: 'staging' }], { reviewApps: true });
        const github = new GitHubSimulator({ token: 'ghs_herokuSweep000000000001' });
        await github.start();
        try {
          for (const n of [51, 52]) {
            github.addPullRequest(DEFAULT_REPOSITORY, n, { sha: 'c'.repeat(40), ref: `feature/${n}` });
            await run({ app: 'wm-review-base', mode: 'review-app', 'pull-request': String(n) });
          }
          github.closePullRequest(DEFAULT_REPOSITORY, 51);
          const sweep = (inputs: Record<string, string>) =>
            runAction('deploy-heroku', {
              cwd: appDir,
              env: { GITHUB_API_URL: github.url },
              inputs: {
                'api-key': KEY,
                app: 'wm-review-base',
                'api-url': sim.url,
                mode: 'sweep-review-apps',
                ...inputs,
              },
            });
          expect((await sweep({})).stdout).toContain("input 'github-token' is required for mode sweep-review-apps");
          const swept = await sweep({ 'github-token': 'ghs_herokuSweep000000000001' });
          expect(swept.exitCode).toBe(0);
          expect(swept.outputs.removed).toBe('51');
          expect(sim.reviewApps.map((r) => [r.pr_number, r.status === 'created'])).toEqual([
            [51, false],
            [52, true],
          ]);
        } finally {
          await github.stop();
        }
      },
      maintenance: async () => {
        await fresh();
        const on = await run({ app: 'wm-production', mode: 'maintenance', maintenance: 'on' });
        expect(on.exitCode).toBe(0);
        expect(sim.app('wm-production')!.maintenance).toBe(true);
        expect(on.outputs).toMatchObject({ maintenance: 'on', skipped: 'false', 'release-version': '' });
        const off = await run({ app: 'wm-production', mode: 'maintenance', maintenance: 'off' });
        expect(off.outputs.maintenance).toBe('off');
        expect(sim.app('wm-production')!.maintenance).toBe(false);
        expect(builds('wm-production')).toHaveLength(1); // nothing built
        const missing = await run({ app: 'wm-production', mode: 'maintenance' });
        expect(missing.exitCode).toBe(1);
        expect(missing.stdout).toContain("input 'maintenance' is required for mode maintenance: set it to on or off");
      },
      'api-url': async () => {
        await fresh();
        await run({});
        expect(sim.requestsTo('GET', '/apps/:app').length).toBeGreaterThan(0);
      },
    },
  }));
});

// ---------------------------------------------------------------------------------------------------
// notify-slack: effects on Slack (simulator)

describe('notify-slack', () => {
  const BOT = 'xoxb-effects';
  let slack: SlackSimulator;
  let channel: string;
  let webhook: string;
  const fresh = async () => {
    await slack?.stop();
    slack = new SlackSimulator({ botToken: BOT });
    await slack.start();
    channel = slack.addChannel({ name: 'deploys' }).id;
    webhook = slack.addWebhook(channel).url;
  };
  afterAll(async () => {
    await slack?.stop();
  });
  const run = (inputs: Record<string, string>) =>
    runAction('notify-slack', {
      cwd: REPO_ROOT,
      inputs: { 'bot-token': BOT, channel, status: 'started', 'api-url': `${slack.url}/api`, ...inputs },
    });
  const last = () => slack.topLevel(channel).at(-1)!;
  const text = () => JSON.stringify(slack.topLevel(channel).map((m) => [m.text, m.blocks, m.history]));

  everyInput('notify-slack', () => ({
    exempt: {},
    cases: {
      status: async () => {
        await fresh();
        await run({ status: 'failed' });
        expect(last().text).toMatch(/failed/);
        // GitHub's own job status words, as ${{ job.status }} gives them.
        await run({ status: 'failure' });
        expect(last().text).toMatch(/failed/);
        await run({ status: 'success' });
        expect(last().text).toMatch(/succeeded/);
      },
      'webhook-url': async () => {
        await fresh();
        await run({ 'bot-token': '', channel: '', 'webhook-url': webhook });
        expect(slack.topLevel(channel)[0]!.author).toMatch(/^webhook:/);
      },
      'bot-token': async () => {
        await fresh();
        await run({});
        expect(last().author).toBe('bot');
      },
      channel: async () => {
        await fresh();
        const other = slack.addChannel({ name: 'other' }).id;
        await run({ channel: other });
        expect(slack.topLevel(other)).toHaveLength(1);
      },
      'message-ts': async () => {
        await fresh();
        const first = await run({});
        await run({ 'message-ts': first.outputs.ts!, status: 'succeeded' });
        expect(slack.topLevel(channel)).toHaveLength(1);
        expect(last().history).toHaveLength(1);
      },
      environment: async () => {
        await fresh();
        await run({ environment: 'env-distinct-7' });
        expect(text()).toContain('env-distinct-7');
      },
      commit: async () => {
        // A workflow that deploys another ref than the run's commit names what it checked out; the push's
        // commit message and author are the run's commit's, not this one's.
        const checkedOut = 'c0ffee0123456789abcdef0123456789abcdef01';
        await fresh();
        await run({});
        expect(last().text).toContain(`${DEFAULT_SHA.slice(0, 7)} Add match scoring migration`);
        await run({ commit: checkedOut });
        expect(last().text).toContain('c0ffee0');
        expect(text()).toContain(`/commit/${checkedOut}`);
        expect(last().text).not.toContain(DEFAULT_SHA.slice(0, 7));
        expect(last().text).not.toContain('Add match scoring migration');
        expect((await run({ commit: 'main' })).exitCode).toBe(1);
      },
      title: async () => {
        await fresh();
        await run({ title: 'Title distinct 7' });
        expect(text()).toContain('Title distinct 7');
      },
      details: async () => {
        await fresh();
        await run({ details: '{"detail-key-7": "detail-value-7"}' });
        expect(text()).toContain('detail-value-7');
      },
      links: async () => {
        await fresh();
        await run({ links: 'Runbook distinct=https://runbook.example/7' });
        expect(text()).toContain('https://runbook.example/7');
      },
      'mention-on-failure': async () => {
        await fresh();
        await run({ status: 'failed', 'mention-on-failure': '<!subteam^S0DISTINCT>' });
        expect(JSON.stringify(slack.messagesIn(channel).map((m) => [m.text, m.blocks]))).toContain('S0DISTINCT');
      },
      'thread-details': async () => {
        await fresh();
        // On by default: a failure gets its details in a thread reply; false keeps the thread empty.
        await run({ status: 'failed', details: '{"k": "v"}' });
        expect(slack.replies(channel, last().ts)).toHaveLength(1);
        await run({ status: 'failed', details: '{"k": "v"}', 'thread-details': 'false' });
        expect(slack.replies(channel, last().ts)).toHaveLength(0);
      },
      payload: async () => {
        await fresh();
        await run({ payload: '{"text": "payload distinct 7"}' });
        expect(last().text).toBe('payload distinct 7');
      },
      'started-at': async () => {
        await fresh();
        await run({ status: 'succeeded', 'started-at': String(Math.floor(Date.now() / 1000) - 3 * 3600) });
        expect(last().text).toMatch(/in 3h|in 3 h|3h 0m|180 ?min/);
      },
      timeout: async () => {
        await fresh();
        slack.inject('POST', '/api/chat.postMessage', { delayMs: 10_000 });
        const r = await run({ timeout: '1500ms' });
        expect(r.durationMs).toBeLessThan(4_000);
        expect(r.outputs.delivered).toBe('false');
      },
      'fail-on-error': async () => {
        await fresh();
        const r = await run({ channel: 'C0NOSUCH', 'fail-on-error': 'true' });
        expect(r.exitCode).toBe(1);
      },
      'api-url': async () => {
        await fresh();
        await run({});
        expect(slack.requestsTo('POST', '/api/chat.postMessage')).toHaveLength(1);
      },
    },
  }));
});

// ---------------------------------------------------------------------------------------------------
// verify-schema: effects on what it reads and writes

describe('verify-schema', () => {
  let db: TestDatabase;
  let shadow: TestDatabase;
  let root: string;
  beforeAll(async () => {
    [db, shadow] = await Promise.all([startPostgres(), startPostgres({ bootstrap: 'supabase' })]);
    root = tempDir('wingman-verify-effects-');
    mkdirSync(join(root, 'migrations'));
    // public.notes without RLS: an error finding (rls_disabled_in_public), created by this migration.
    writeFileSync(
      join(root, 'migrations', '20260101000000_notes.sql'),
      '\n\ncreate table public.notes (id bigint primary key);\n',
    );
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query(
      'create table public.notes (id bigint primary key); create schema api; create table api.hidden (id bigint primary key); grant usage on schema api to anon; grant select on api.hidden to anon;' +
        // A warning: a function without a fixed search_path (function_search_path_mutable).
        " create function public.effects_answer() returns int language sql as 'select 42';",
    );
    await c.end();
  });
  afterAll(async () => {
    await Promise.all([db?.stop(), shadow?.stop()]);
  });
  const run = (inputs: Record<string, string>, database = db) =>
    runAction('verify-schema', {
      cwd: root,
      inputs: { 'database-url': database.url, 'migrations-dir': 'migrations', ...inputs },
    });
  const findings = (r: { outputs: Record<string, string> }) =>
    JSON.parse(r.outputs.findings ?? '[]') as { rule: string; object: { schema?: string; name: string } }[];

  everyInput('verify-schema', () => ({
    exempt: {},
    cases: {
      'database-url': async () => {
        expect(Number((await run({}, shadow)).outputs.errors)).toBe(0);
        expect(findings(await run({})).some((f) => f.object.name === 'notes')).toBe(true);
      },
      'exposed-schemas': async () => {
        expect(findings(await run({})).some((f) => f.object.schema === 'api')).toBe(false);
        expect(findings(await run({ 'exposed-schemas': 'public, api' })).some((f) => f.object.name === 'hidden')).toBe(
          true,
        );
        // Left empty, config.toml's [api] schemas apply (graphql_public, Supabase's own, left out); the input wins.
        mkdirSync(join(root, 'supabase'), { recursive: true });
        writeFileSync(join(root, 'supabase/config.toml'), '[api]\nschemas = ["public", "api", "graphql_public"]\n');
        try {
          const fromConfig = await run({});
          expect(fromConfig.summary).toMatch(
            /exposed schemas public, api \(from supabase\/config\.toml \[api\] schemas\)/,
          );
          expect(findings(fromConfig).some((f) => f.object.name === 'hidden')).toBe(true);
          expect(findings(await run({ 'exposed-schemas': 'public' })).some((f) => f.object.schema === 'api')).toBe(
            false,
          );
        } finally {
          rmSync(join(root, 'supabase'), { recursive: true, force: true });
        }
      },
      'fail-on': async () => {
        expect((await run({})).exitCode).toBe(1);
        expect((await run({ 'fail-on': 'none' })).exitCode).toBe(0);
        // With the error ignored only a warning is left: 'warn' fails on it, and so does 'warning', as the
        // Supabase CLI spells it; 'error' does not.
        writeFileSync(
          join(root, 'only-warnings.yml'),
          `ignore:\n${[
            'rls_disabled_in_public',
            'rls_coverage_open_to_anon',
            'rls_probe_read',
            'rls_probe_update',
            'rls_probe_delete',
            'rls_probe_insert',
          ]
            .map(
              (rule) => `  - rule: ${rule}\n    object: public.notes\n    reason: a server-only table, never exposed\n`,
            )
            .join('')}`,
        );
        const at = (level: string) => run({ 'fail-on': level, 'config-file': 'only-warnings.yml' });
        expect([(await at('error')).exitCode, (await at('warn')).exitCode, (await at('warning')).exitCode]).toEqual([
          0, 1, 1,
        ]);
      },
      'config-file': async () => {
        writeFileSync(
          join(root, 'ignore.yml'),
          'ignore:\n  - rule: rls_disabled_in_public\n    object: public.notes\n    reason: a server-only table, never exposed\n',
        );
        const r = await run({ 'config-file': 'ignore.yml' });
        expect(findings(r).some((f) => f.rule === 'rls_disabled_in_public')).toBe(false);
      },
      'migrations-dir': async () => {
        const r = await run({});
        expect(r.annotations).toContainEqual(
          expect.objectContaining({ file: 'migrations/20260101000000_notes.sql', line: 3 }),
        );
        const none = await run({ 'migrations-dir': 'nowhere' });
        expect(none.annotations.some((a) => a.file?.endsWith('_notes.sql'))).toBe(false);
      },
      'shadow-database-url': async () => {
        const r = await run({ 'shadow-database-url': shadow.url });
        // The live database has api.hidden, which no migration creates: drift.
        expect(findings(r).some((f) => f.rule.includes('drift') && f.object.name === 'hidden')).toBe(true);
      },
      'supabase-url': async () => {
        const api = await startDataApi({ databaseUrl: db.url });
        try {
          await run({ 'supabase-url': api.url, 'anon-key': api.anonKey });
          expect(api.requests.some((q) => q.url.includes('/rest/v1/notes'))).toBe(true);
        } finally {
          await api.stop();
        }
      },
      'anon-key': async () => {
        const api = await startDataApi({ databaseUrl: db.url });
        try {
          await run({ 'supabase-url': api.url, 'anon-key': api.anonKey });
          expect(api.requests.length).toBeGreaterThan(0);
          expect(api.requests.every((q) => q.role === 'anon' || q.role === undefined)).toBe(true);
        } finally {
          await api.stop();
        }
      },
      'sarif-file': async () => {
        await run({ 'sarif-file': 'out/effects.sarif' });
        expect(JSON.parse(readFileSync(join(root, 'out/effects.sarif'), 'utf8')).version).toBe('2.1.0');
      },
      'workload-lints': async () => {
        const ran = (r: { summary: string }) => Number(/(\d+) lints ran/.exec(r.summary)?.[1]);
        expect(ran(await run({ 'workload-lints': 'true' }))).toBeGreaterThan(ran(await run({})));
      },
    },
  }));
});

// ---------------------------------------------------------------------------------------------------
// smoke-health: effects on the targets

describe('smoke-health', () => {
  const targets: HttpTarget[] = [];
  afterAll(async () => {
    await Promise.all(targets.map((t) => t.stop()));
  });
  const serve = async (routes: Record<string, TargetBehaviour>) => {
    const t = new HttpTarget({ routes });
    targets.push(t);
    await t.start();
    return t;
  };
  const run = (inputs: Record<string, string>) =>
    runAction('smoke-health', { cwd: REPO_ROOT, inputs: { 'wait-timeout': '3s', samples: '5', ...inputs } });
  /** Most requests the target had in flight at once. */
  const inFlight = (t: HttpTarget, path: string) => {
    const spans = t.requestsTo(path).map((q) => [q.atMs, q.atMs + (q.appliedMs ?? 0)] as const);
    // 10 ms of slack: the next request of a one-at-a-time client can arrive as the server still notes the end.
    return Math.max(...spans.map(([s]) => spans.filter(([a, b]) => a <= s && s < b - 10).length));
  };

  everyInput('smoke-health', () => ({
    exempt: {},
    cases: {
      url: async () => {
        const t = await serve({ '/u': behaviours.ok() });
        await run({ url: t.at('/u') });
        expect(t.requestsTo('/u').length).toBeGreaterThan(0);
      },
      targets: async () => {
        const t = await serve({ '/a': behaviours.ok(), '/b': behaviours.ok() });
        await run({ targets: `- ${t.at('/a')}\n- ${t.at('/b')}\n` });
        expect([t.requestsTo('/a').length, t.requestsTo('/b').length].every((n) => n > 0)).toBe(true);
      },
      headers: async () => {
        const t = await serve({ '/h': behaviours.ok() });
        await run({ url: t.at('/h'), headers: 'x-effect: distinct-7' });
        expect(t.requestsTo('/h').every((q) => q.headers['x-effect'] === 'distinct-7')).toBe(true);
      },
      'wait-timeout': async () => {
        const t = await serve({ '/w': () => ({ status: 503 }) });
        const r = await run({ url: t.at('/w'), 'wait-timeout': '1s' });
        expect(r.exitCode).toBe(1);
        expect(r.durationMs).toBeLessThan(2_500);
      },
      'request-timeout': async () => {
        const t = await serve({ '/slow': behaviours.delayed(() => 1500) });
        const r = await run({ url: t.at('/slow'), 'request-timeout': '300ms', 'wait-timeout': '1s' });
        expect(r.exitCode).toBe(1); // every poll gave up at 300 ms; without it the 1.5 s answer would pass
      },
      samples: async () => {
        const t = await serve({ '/s': behaviours.ok() });
        await run({ url: t.at('/s'), samples: '13' });
        expect(t.requestsTo('/s').length).toBe(1 + 13); // the readiness poll, then the samples
      },
      concurrency: async () => {
        const t = await serve({ '/c': behaviours.delayed(() => 120) });
        await run({ url: t.at('/c'), samples: '12', concurrency: '1' });
        expect(inFlight(t, '/c')).toBe(1);
        const u = await serve({ '/c': behaviours.delayed(() => 120) });
        await run({ url: u.at('/c'), samples: '12', concurrency: '6' });
        expect(inFlight(u, '/c')).toBeGreaterThan(3);
      },
      'error-rate-budget': async () => {
        const pattern = ['up', 'up', 'up', 'down'] as const;
        const strict = await serve({ '/f': behaviours.flapping(pattern) });
        expect((await run({ url: strict.at('/f'), samples: '8' })).exitCode).toBe(1);
        const lenient = await serve({ '/f': behaviours.flapping(pattern) });
        expect((await run({ url: lenient.at('/f'), samples: '8', 'error-rate-budget': '50%' })).exitCode).toBe(0);
      },
      'follow-redirects': async () => {
        const t = await serve({ '/r': behaviours.redirect('/ok'), '/ok': behaviours.ok() });
        await run({ url: t.at('/r'), 'follow-redirects': 'false' });
        expect(t.requestsTo('/ok')).toHaveLength(0);
        await run({ url: t.at('/r') });
        expect(t.requestsTo('/ok').length).toBeGreaterThan(0);
      },
      'allow-redirects-to': async () => {
        const other = await serve({ '/landing': behaviours.ok() });
        const t = await serve({ '/r': behaviours.redirect(other.at('/landing')) });
        expect((await run({ url: t.at('/r') })).exitCode).toBe(1);
        expect(other.requestsTo('/landing')).toHaveLength(0);
        expect((await run({ url: t.at('/r'), 'allow-redirects-to': other.url })).exitCode).toBe(0);
        expect(other.requestsTo('/landing').length).toBeGreaterThan(0);
      },
      'p95-budget': async () => {
        const t = await serve({ '/p': behaviours.delayed(() => 200) });
        expect((await run({ url: t.at('/p') })).exitCode).toBe(0);
        expect((await run({ url: t.at('/p'), 'p95-budget': '50ms' })).exitCode).toBe(1);
      },
    },
  }));
});

// ---------------------------------------------------------------------------------------------------
// deploy-vercel: effects on Vercel and GitHub (simulators)

describe('deploy-vercel', () => {
  const TOKEN = 'vercel_effects_token_0001';
  const GH_TOKEN = 'ghs_effectsInstallationToken000000001';
  const TEAM = 'team_effects000000000000000000';
  const SHA = 'e'.repeat(40);
  let vercel: VercelSimulator;
  let github: GitHubSimulator;
  let projectId: string;
  let workspace: string;
  const fresh = async () => {
    await Promise.all([vercel?.stop(), github?.stop()]);
    vercel = new VercelSimulator({ token: TOKEN, teams: [{ id: TEAM, slug: 'effects' }], stepMs: 20 });
    github = new GitHubSimulator({ token: GH_TOKEN });
    await Promise.all([vercel.start(), github.start()]);
    projectId = vercel.addProject({ name: 'effects-web', teamId: TEAM, domains: [{ name: 'effects.app' }] }).id;
    github.addPullRequest(DEFAULT_REPOSITORY, 7, { sha: SHA, ref: 'feature/effects' });
    workspace = tempDir('wingman-vercel-effects-');
    mkdirSync(join(workspace, 'site'));
    for (let i = 0; i < 8; i++) writeFileSync(join(workspace, 'site', `page-${i}.html`), `<p>${i}</p>`);
    // An app for Vercel to build from source.
    mkdirSync(join(workspace, 'app', 'public'), { recursive: true });
    writeFileSync(join(workspace, 'app', 'package.json'), JSON.stringify({ scripts: { build: 'next build' } }));
    writeFileSync(join(workspace, 'app', 'public', 'index.html'), '<h1>app</h1>');
  };
  afterAll(async () => {
    await Promise.all([vercel?.stop(), github?.stop()]);
  });
  const pushEvent = {
    ref: 'refs/heads/main',
    after: SHA,
    head_commit: { id: SHA, message: 'effects' },
    repository: { full_name: DEFAULT_REPOSITORY },
  };
  const prEvent = {
    action: 'opened',
    number: 7,
    pull_request: {
      number: 7,
      head: { sha: SHA, ref: 'feature/effects', repo: { full_name: DEFAULT_REPOSITORY } },
      base: { ref: 'main' },
    },
    repository: { full_name: DEFAULT_REPOSITORY },
  };
  const run = (inputs: Record<string, string>, pr = false) =>
    runAction('deploy-vercel', {
      cwd: workspace,
      event: pr ? prEvent : pushEvent,
      eventName: pr ? 'pull_request' : 'push',
      env: { GITHUB_API_URL: github.url },
      inputs: {
        token: TOKEN,
        'project-id': projectId,
        'team-id': TEAM,
        'api-url': vercel.url,
        'output-dir': 'site',
        static: 'true',
        ...inputs,
      },
    });
  /** A build from source: no built output named. */
  const fromSource = (inputs: Record<string, string> = {}) =>
    run({ 'output-dir': '', static: 'false', source: 'app', ...inputs });
  const deployments = () => [...vercel.deployments.values()];

  everyInput('deploy-vercel', () => ({
    exempt: {},
    cases: {
      token: async () => {
        await fresh();
        await run({});
        expect(vercel.requests.every((q) => q.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
      },
      'project-id': async () => {
        await fresh();
        await run({});
        expect(deployments().map((d) => d.projectId)).toEqual([projectId]);
      },
      'team-id': async () => {
        await fresh();
        await run({});
        expect(vercel.requests.every((q) => q.query.teamId === TEAM)).toBe(true);
        expect(deployments()[0]!.ownerId).toBe(TEAM);
      },
      mode: async () => {
        await fresh();
        const staged = await run({ target: 'production', staged: 'true' });
        expect(vercel.productionOf(projectId)).toBeUndefined();
        await run({ mode: 'promote', deployment: staged.outputs['deployment-id']! });
        expect(vercel.productionOf(projectId)).toBe(staged.outputs['deployment-id']);
        // sweep: the preview alias of a closed pull request comes off; an open one's stays.
        github.addPullRequest(DEFAULT_REPOSITORY, 8, { sha: SHA, ref: 'feature/other' });
        await run({ aliases: 'effects-pr-7.vercel.app' });
        await run({ aliases: 'effects-pr-8.vercel.app' });
        github.closePullRequest(DEFAULT_REPOSITORY, 7);
        const swept = await run({ mode: 'sweep', aliases: 'effects-pr-{pr}.vercel.app', 'github-token': GH_TOKEN });
        expect(swept.exitCode).toBe(0);
        expect(swept.outputs.removed).toBe('7');
        expect(vercel.aliasTarget('effects-pr-7.vercel.app')).toBeUndefined();
        expect(vercel.aliasTarget('effects-pr-8.vercel.app')).toBeDefined();
      },
      target: async () => {
        await fresh();
        await run({ target: 'production' });
        expect(deployments()[0]!.target).toBe('production');
      },
      staged: async () => {
        await fresh();
        await run({ target: 'production', staged: 'true' });
        expect(deployments()[0]!.autoAssignCustomDomains).toBe(false);
        expect(vercel.productionOf(projectId)).toBeUndefined();
      },
      'output-dir': async () => {
        await fresh();
        await run({});
        // The static folder goes up as Vercel's build output (…/static/page-N.html): the pages of 'site'.
        expect(deployments()[0]!.files.filter((f) => /static\/page-\d\.html$/.test(f.file))).toHaveLength(8);
      },
      source: async () => {
        await fresh();
        expect((await fromSource()).exitCode).toBe(0);
        const d = deployments()[0]!;
        expect(d.prebuilt).toBe(false);
        // Paths are relative to 'source': its package.json, not app/package.json.
        expect(d.files.map((f) => f.file).sort()).toEqual(['package.json', 'public/index.html']);
      },
      static: async () => {
        await fresh();
        const refused = await run({ static: 'false' });
        expect(refused.exitCode).toBe(1);
        expect(refused.stdout).toMatch(/output-dir site has no config.json.*set static: true/);
        expect(deployments()).toHaveLength(0);
        expect((await run({ static: 'true' })).exitCode).toBe(0);
        expect(deployments()).toHaveLength(1);
      },
      framework: async () => {
        await fresh();
        await fromSource({ framework: 'distinct-framework' });
        expect(deployments()[0]!.projectSettings.framework).toBe('distinct-framework');
      },
      'build-command': async () => {
        await fresh();
        await fromSource({ 'build-command': 'npm run distinct-build' });
        expect(deployments()[0]!.projectSettings.buildCommand).toBe('npm run distinct-build');
      },
      'install-command': async () => {
        await fresh();
        await fromSource({ 'install-command': 'pnpm install --distinct' });
        expect(deployments()[0]!.projectSettings.installCommand).toBe('pnpm install --distinct');
      },
      'build-output-directory': async () => {
        await fresh();
        await fromSource({ 'build-output-directory': 'distinct-out' });
        expect(deployments()[0]!.projectSettings.outputDirectory).toBe('distinct-out');
      },
      env: async () => {
        await fresh();
        const r = await fromSource({
          env: 'API_URL=https://distinct-runtime.example.com/{sha}\n# comment\nMODE=effects',
        });
        // {sha} filled in (7 characters of the commit), and the filled-in value masked too.
        expect(deployments()[0]!.env).toEqual({
          API_URL: 'https://distinct-runtime.example.com/eeeeeee',
          MODE: 'effects',
        });
        expect(r.masks).toContain('https://distinct-runtime.example.com/eeeeeee');
        expect(visible(r)).not.toContain('distinct-runtime.example.com');
      },
      'build-env': async () => {
        await fresh();
        const r = await fromSource({ 'build-env': 'NEXT_PUBLIC_API_URL=https://distinct-build.example.com' });
        expect(deployments()[0]!.buildEnv).toEqual({ NEXT_PUBLIC_API_URL: 'https://distinct-build.example.com' });
        expect(r.masks).toContain('https://distinct-build.example.com');
        expect(visible(r)).not.toContain('distinct-build.example.com');
      },
      'expect-source-digest': async () => {
        await fresh();
        const first = await fromSource();
        const digest = first.outputs['source-digest']!;
        expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
        const other = await fromSource({ 'expect-source-digest': `sha256:${'0'.repeat(64)}`, force: 'true' });
        expect(other.exitCode).toBe(1);
        expect(deployments()).toHaveLength(1);
        expect((await fromSource({ 'expect-source-digest': digest, force: 'true' })).exitCode).toBe(0);
        expect(deployments()).toHaveLength(2);
      },
      'bypass-secret': async () => {
        await fresh();
        const secret = 'distinct-bypass-secret-000000000001';
        const guarded = vercel.addProject({ name: 'guarded', teamId: TEAM, bypassSecrets: [secret] }).id;
        const r = await run({ 'project-id': guarded, 'bypass-secret': secret });
        expect(r.outputs['protection-bypass']).toBe(`x-vercel-protection-bypass: ${secret}`);
        expect(r.masks).toContain(secret);
        expect((await run({ 'project-id': guarded, 'bypass-secret': 'another-secret-00000000000' })).exitCode).toBe(1);
      },
      deployment: async () => {
        await fresh();
        const a = await run({ target: 'production', staged: 'true' });
        writeFileSync(join(workspace, 'site', 'page-0.html'), 'changed');
        await run({ target: 'production', staged: 'true', force: 'true' });
        await run({ mode: 'promote', deployment: a.outputs['deployment-id']! });
        expect(vercel.productionOf(projectId)).toBe(a.outputs['deployment-id']); // the one named, not the newest
      },
      aliases: async () => {
        await fresh();
        const r = await run({ aliases: 'effects-distinct-7.vercel.app' });
        expect(vercel.aliasTarget('effects-distinct-7.vercel.app')).toBe(r.outputs['deployment-id']);
      },
      'github-token': async () => {
        await fresh();
        await run({ 'github-token': GH_TOKEN }, true);
        expect(github.comments(DEFAULT_REPOSITORY, 7)).toHaveLength(1);
        expect(
          github.requests.every(
            (q) => q.headers.authorization === `Bearer ${GH_TOKEN}` || q.headers.authorization === `token ${GH_TOKEN}`,
          ),
        ).toBe(true);
      },
      comment: async () => {
        await fresh();
        await run({ 'github-token': GH_TOKEN, comment: 'false' }, true);
        // The GitHub deployment is recorded; the PR's comment is left to another step.
        expect(github.comments(DEFAULT_REPOSITORY, 7)).toHaveLength(0);
        expect(github.deployments(DEFAULT_REPOSITORY).length).toBeGreaterThan(0);
        await run({ 'github-token': GH_TOKEN, force: 'true' }, true);
        expect(github.comments(DEFAULT_REPOSITORY, 7)).toHaveLength(1);
      },
      commit: async () => {
        // A workflow that deploys another ref than the run's commit (SHA) names what it checked out.
        const checkedOut = 'c0ffee0123456789abcdef0123456789abcdef01';
        await fresh();
        expect((await run({ commit: checkedOut })).exitCode).toBe(0);
        expect(deployments()[0]!.meta?.githubCommitSha).toBe(checkedOut);
        // The push's message is the run's commit's, not this one's.
        expect(deployments()[0]!.meta?.githubCommitMessage).toBeUndefined();
        // Reuse matches the commit deployed: the same again is reused, the run's own commit is not it.
        await run({ commit: checkedOut });
        expect(deployments()).toHaveLength(1);
        await run({});
        expect(deployments().map((d) => d.meta?.githubCommitSha)).toEqual([checkedOut, SHA]);
        const branch = await run({ commit: 'main' });
        expect(branch.exitCode).toBe(1);
        expect(branch.stdout).toMatch(/::error::input 'commit' .*a full commit SHA \(40 hexadecimal digits\)/);
      },
      force: async () => {
        await fresh();
        await run({});
        await run({});
        expect(deployments()).toHaveLength(1);
        await run({ force: 'true' });
        expect(deployments()).toHaveLength(2);
      },
      'upload-concurrency': async () => {
        await fresh();
        vercel.inject('POST', '/v2/files', { delayMs: 150 }, { times: 8 });
        await run({ 'upload-concurrency': '1' });
        const times = vercel.requestsTo('POST', '/v2/files').map((q) => q.time);
        // One at a time: each upload arrived after the previous one's 150 ms answer.
        expect(times.slice(1).every((t, i) => t - times[i]! >= 140)).toBe(true);
      },
      timeout: async () => {
        await fresh();
        vercel.inject('GET', '/v9/projects/:id', { delayMs: 10_000 });
        const r = await run({ timeout: '1500ms' });
        expect(r.exitCode).toBe(1);
        expect(r.durationMs).toBeLessThan(4_000);
      },
      'api-url': async () => {
        await fresh();
        await run({});
        expect(vercel.requestsTo('POST', '/v13/deployments').length).toBeGreaterThan(0);
      },
    },
  }));
});

// ---------------------------------------------------------------------------------------------------
// sentry-release: effects on Sentry (simulator) and on what runs

describe('sentry-release', () => {
  const TOKEN = 'sntry_effects_token_0001';
  const RELEASE = 'effects-1.0.0';
  const CLI = sentryCliBinary();
  let sentry: SentrySimulator;
  let workspace: string;
  let home: string;
  const fresh = async (repos: string[] = []) => {
    await sentry?.stop();
    sentry = new SentrySimulator({ token: TOKEN, org: 'acme', projects: ['backend', 'frontend'], repos });
    await sentry.start();
    workspace = tempDir('wingman-sentry-effects-');
    home = tempDir('wingman-sentry-home-');
    mkdirSync(join(workspace, 'dist'));
    writeFileSync(join(workspace, 'dist', 'app.js'), 'function a(){}a();\n//# sourceMappingURL=app.js.map\n');
    writeFileSync(
      join(workspace, 'dist', 'app.js.map'),
      JSON.stringify({
        version: 3,
        file: 'app.js',
        sources: ['../src/a.ts'],
        sourcesContent: ['function a() {}'],
        names: [],
        mappings: 'AAAA',
      }),
    );
  };
  afterAll(async () => {
    await sentry?.stop();
  });
  const run = (inputs: Record<string, string | undefined>) =>
    runAction('sentry-release', {
      cwd: workspace,
      env: isolatedSentryCliEnv(home),
      inputs: {
        'auth-token': TOKEN,
        org: 'acme',
        projects: 'backend',
        url: sentry.url,
        release: RELEASE,
        'set-commits': 'skip',
        'cli-path': CLI,
        ...inputs,
      },
    });
  const release = () => sentry.releases.get(RELEASE);

  everyInput('sentry-release', () => ({
    exempt: {
      'github-token':
        "read only on a shallow checkout whose previous release has commits, for GitHub's compare API; exercised in sentry-release.test.ts ('takes the range since the previous release from GitHub's compare API')",
    },
    cases: {
      'auth-token': async () => {
        await fresh();
        const r = await run({ 'auth-token': 'sntry_wrong' });
        expect(r.exitCode).toBe(1); // the simulator takes only TOKEN
        expect(release()).toBeUndefined();
      },
      org: async () => {
        await fresh();
        await run({});
        expect(
          sentry.requests
            .filter((q) => q.path.includes('/organizations/'))
            .every((q) => q.path.includes('/organizations/acme/')),
        ).toBe(true);
        expect((await run({ org: 'other-org' })).exitCode).toBe(1);
      },
      projects: async () => {
        await fresh();
        await run({ projects: 'backend, frontend' });
        expect(release()?.projects.sort()).toEqual(['backend', 'frontend']);
      },
      url: async () => {
        await fresh();
        await run({});
        expect(sentry.requests.length).toBeGreaterThan(0);
      },
      release: async () => {
        await fresh();
        await run({ release: 'distinct-7.7.7' });
        expect(sentry.releases.has('distinct-7.7.7')).toBe(true);
        // github.ref of a tag push: the tag is the release.
        await run({ release: 'refs/tags/v7.7.8' });
        expect(sentry.releases.has('v7.7.8')).toBe(true);
      },
      commit: async () => {
        // A workflow that deploys another ref than the run's commit names what it checked out: the
        // release is named after it and it is the release's head, not the push's commits.
        const checkedOut = 'c0ffee0123456789abcdef0123456789abcdef01';
        await fresh();
        const runSha = 'f'.repeat(40);
        const r = await runAction('sentry-release', {
          cwd: workspace,
          env: { ...isolatedSentryCliEnv(home), GITHUB_SHA: runSha },
          event: { after: runSha, head_commit: { id: runSha }, commits: [{ id: runSha, message: 'the run' }] },
          inputs: {
            'auth-token': TOKEN,
            org: 'acme',
            projects: 'backend',
            url: sentry.url,
            'cli-path': CLI,
            commit: checkedOut,
          },
        });
        expect(r.exitCode).toBe(0);
        expect(r.outputs.release).toBe(checkedOut);
        expect(sentry.releases.get(checkedOut)?.commits.map((c) => c.id)).toEqual([checkedOut]);
        expect((await run({ commit: 'main' })).stdout).toMatch(/::error::input 'commit' .*a full commit SHA/);
      },
      environment: async () => {
        await fresh();
        await run({ environment: 'env-distinct-7' });
        expect(release()?.deploys.map((d) => d.environment)).toEqual(['env-distinct-7']);
      },
      'set-commits': async () => {
        await fresh(['acme/app']);
        await run({ 'set-commits': `acme/app@${'c'.repeat(40)}` });
        expect(release()?.refs).toEqual([expect.objectContaining({ repository: 'acme/app', commit: 'c'.repeat(40) })]);
      },
      sourcemaps: async () => {
        await fresh();
        await run({ sourcemaps: 'dist' });
        expect([...sentry.bundles.values()].flatMap((b) => b.files.map((f) => f.type)).sort()).toEqual([
          'minified_source',
          'source_map',
        ]);
      },
      'url-prefix': async () => {
        await fresh();
        await run({ sourcemaps: 'dist', 'url-prefix': '~/static/js' });
        expect([...sentry.bundles.values()].flatMap((b) => b.files.map((f) => f.url))).toContain('~/static/js/app.js');
      },
      finalize: async () => {
        await fresh();
        await run({ finalize: 'false' });
        expect(release()?.dateReleased).toBeNull();
        await run({});
        expect(release()?.dateReleased).not.toBeNull();
      },
      timeout: async () => {
        await fresh();
        sentry.inject('GET', '/api/0/organizations/:org/releases/:version/', { delayMs: 10_000 });
        const r = await run({ timeout: '1500ms' });
        expect(r.exitCode).toBe(1);
        expect(r.durationMs).toBeLessThan(4_000);
      },
      'cli-path': async () => {
        await fresh();
        // A wrapper that notes each call, then runs the real sentry-cli.
        const wrapper = join(workspace, 'sentry-cli-wrapper.sh');
        writeFileSync(wrapper, `#!/bin/sh\necho "$1 $2" >> "${workspace}/calls.log"\nexec "${CLI}" "$@"\n`, {
          mode: 0o755,
        });
        await run({ 'cli-path': wrapper });
        expect(readFileSync(join(workspace, 'calls.log'), 'utf8')).toMatch(/^releases /m);
      },
      'cli-version': async () => {
        await fresh();
        const registry = await startNpmRegistry({
          name: platformPackage().name,
          version: '3.7.1',
          files: { 'bin/sentry-cli': { content: readFileSync(CLI), mode: 0o755 } },
        });
        try {
          const r = await run({ 'cli-path': undefined, 'cli-version': '3.7.1', 'npm-registry': registry.url });
          expect(registry.requests.map((q) => q.path)).toContain('/@sentry%2fcli-linux-x64/3.7.1');
          expect(r.exitCode).toBe(0);
        } finally {
          await registry.stop();
        }
      },
      'npm-registry': async () => {
        await fresh();
        const registry = await startNpmRegistry({
          name: platformPackage().name,
          version: '3.8.0',
          files: { 'bin/sentry-cli': { content: readFileSync(CLI), mode: 0o755 } },
        });
        try {
          expect((await run({ 'cli-path': undefined, 'npm-registry': registry.url })).exitCode).toBe(0);
          expect(registry.requests.length).toBeGreaterThan(0);
        } finally {
          await registry.stop();
        }
      },
    },
  }));
});

// ---------------------------------------------------------------------------------------------------
// preview-database: effects on the staging server and on Supabase (simulator)

describe('preview-database', () => {
  const TOKEN = 'sbp_effects_token_000000000001';
  const REF = 'effectsstagingrefabc';
  let staging: TestDatabase;
  let supabase: SupabaseSim;
  const admin = (sql: string) => queryRows(staging.serverUrl, sql);
  const databases = async () =>
    (await admin(`select datname from pg_database where datname ~ '^wingman_pr_' order by datname`)).map(
      (r) => r.datname,
    );
  const clean = async () => {
    for (const name of await databases()) await admin(`drop database "${name}" with (force)`);
  };
  beforeAll(async () => {
    staging = await startPostgres({ bootstrap: 'none', ownServer: true });
    await clean();
    supabase = new SupabaseSim({ token: TOKEN, stepMs: 10 });
    await supabase.start();
    supabase.addProject(REF);
  });
  afterAll(async () => {
    await clean();
    await Promise.all([staging?.stop(), supabase?.stop()]);
  });
  const pr = (n: number) => ({
    eventName: 'pull_request',
    event: {
      action: 'opened',
      number: n,
      pull_request: { number: n, head: { sha: 'e'.repeat(40), ref: `feature/${n}` }, base: { ref: 'main' } },
    },
  });
  const onServer = (inputs: Record<string, string>, n = 21) =>
    runAction('preview-database', { ...pr(n), inputs: { 'staging-database-url': staging.serverUrl, ...inputs } });
  const onSupabase = (inputs: Record<string, string>, n = 31, env: Record<string, string> = {}) =>
    runAction('preview-database', {
      ...pr(n),
      env,
      inputs: {
        'supabase-access-token': TOKEN,
        'project-ref': REF,
        'management-api-url': supabase.url,
        'branch-api-url': 'http://{ref}.branches.test',
        ...inputs,
      },
    });

  everyInput('preview-database', () => ({
    exempt: {},
    cases: {
      mode: async () => {
        await clean();
        expect((await onServer({})).outputs).toMatchObject({
          name: 'wingman_pr_21',
          created: 'true',
          kind: 'database',
        });
        expect(await databases()).toEqual(['wingman_pr_21']);
        const deleted = await onServer({ mode: 'delete' });
        expect(deleted.outputs.removed).toBe('21');
        expect(await databases()).toEqual([]);
      },
      'staging-database-url': async () => {
        await clean();
        // Another repository's preview on the same server, holding this PR's number: refused, left alone.
        await admin('create database wingman_pr_21');
        await admin(`comment on database wingman_pr_21 is 'wingman-deploy preview of pull request #21 of acme/admin'`);
        const clash = await onServer({});
        expect(clash.exitCode).toBe(1);
        expect(clash.annotations[0]?.message).toContain(
          `is the preview of pull request #21 of acme/admin, not of ${DEFAULT_REPOSITORY}`,
        );
        expect(await databases()).toEqual(['wingman_pr_21']);
        await clean();
        const r = await onServer({});
        expect(r.exitCode).toBe(0);
        const url = r.outputs['database-url']!;
        expect(new URL(url).pathname).toBe('/wingman_pr_21');
        // Given on purpose to this job's later steps; printed nowhere.
        expect(visible({ ...r, outputs: {} })).not.toContain(url);
        expect(visible({ ...r, outputs: {} })).not.toContain(new URL(url).password);
        expect(r.masks).toContain(url);
      },
      template: async () => {
        await clean();
        await admin('drop database if exists wingman_effects_template');
        await admin('create database wingman_effects_template');
        const c = new pg.Client({
          connectionString: new URL('/wingman_effects_template', staging.serverUrl).toString(),
        });
        await c.connect();
        await c.query('create table public.from_the_template (id int)');
        await c.end();
        const r = await onServer({ template: 'wingman_effects_template' });
        expect(r.exitCode).toBe(0);
        const made = new pg.Client({ connectionString: r.outputs['database-url']! });
        await made.connect();
        const { rows } = await made.query(`select to_regclass('public.from_the_template') is not null as copied`);
        await made.end();
        expect(rows).toEqual([{ copied: true }]);
        await clean();
        await admin('drop database wingman_effects_template');
      },
      'pull-request': async () => {
        await clean();
        const r = await runAction('preview-database', {
          inputs: { 'staging-database-url': staging.serverUrl, 'pull-request': '33' },
        });
        expect(r.exitCode).toBe(0);
        expect(await databases()).toEqual(['wingman_pr_33']);
        const none = await runAction('preview-database', { inputs: { 'staging-database-url': staging.serverUrl } });
        expect(none.exitCode).toBe(1);
        expect(none.stdout).toContain("input 'pull-request' is required outside a pull_request event");
      },
      'max-previews': async () => {
        await clean();
        await onServer({}, 21);
        await onServer({}, 22);
        const refused = await onServer({ 'max-previews': '2' }, 23);
        expect(refused.exitCode).toBe(1);
        expect(refused.annotations[0]?.message).toBe(
          'the preview limit is reached: 2 pull requests (#21, #22) have a preview database and max-previews is 2; close one of them, or raise max-previews',
        );
        expect((await onServer({ 'max-previews': '3' }, 23)).exitCode).toBe(0);
        await clean();
      },
      'github-token': async () => {
        await clean();
        const github = new GitHubSimulator({ token: 'ghs_effectsSweep00000000001' });
        await github.start();
        try {
          github.addPullRequest(DEFAULT_REPOSITORY, 21, { sha: 'a'.repeat(40), ref: 'feature/21' });
          github.addPullRequest(DEFAULT_REPOSITORY, 22, { sha: 'b'.repeat(40), ref: 'feature/22' });
          await onServer({}, 21);
          await onServer({}, 22);
          github.closePullRequest(DEFAULT_REPOSITORY, 21, { merged: true });
          const sweep = (inputs: Record<string, string>) =>
            runAction('preview-database', {
              env: { GITHUB_API_URL: github.url },
              inputs: { mode: 'sweep', 'staging-database-url': staging.serverUrl, ...inputs },
            });
          expect((await sweep({})).stdout).toContain("input 'github-token' is required for mode sweep");
          const swept = await sweep({ 'github-token': 'ghs_effectsSweep00000000001' });
          expect(swept.exitCode).toBe(0);
          expect(swept.outputs.removed).toBe('21');
          expect(await databases()).toEqual(['wingman_pr_22']);
        } finally {
          await github.stop();
          await clean();
        }
      },
      'supabase-access-token': async () => {
        const r = await onSupabase({}, 31);
        expect(r.exitCode).toBe(0);
        expect(supabase.requests.every((q) => q.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
        expect(visible({ ...r, outputs: {} })).not.toContain(r.outputs['anon-key']!);
        // Empty, it is SUPABASE_ACCESS_TOKEN, as the Supabase CLI reads it.
        const fromEnv = await onSupabase({ 'supabase-access-token': '' }, 31, { SUPABASE_ACCESS_TOKEN: TOKEN });
        expect(fromEnv.exitCode).toBe(0);
        expect(fromEnv.outputs.created).toBe('false');
        const wrong = await onSupabase({ 'supabase-access-token': 'sbp_not_this_one' }, 31);
        expect(wrong.annotations[0]?.message).toContain('the Supabase access token was refused (401)');
      },
      'project-ref': async () => {
        supabase.addProject('effectsotherprojecta');
        const r = await onSupabase({ 'project-ref': 'effectsotherprojecta' }, 32);
        expect(r.exitCode).toBe(0);
        expect(supabase.branches('effectsotherprojecta').map((b) => b.name)).toEqual(['wingman-pr-32']);
        // A plan without branching: refused with what to do, as the step's error output for the PR comment.
        supabase.addProject('effectsfreeplanprojx', { branching: 'plan' });
        const refused = await onSupabase({ 'project-ref': 'effectsfreeplanprojx' }, 33);
        expect(refused.exitCode).toBe(1);
        expect(refused.outputs.error).toBe(
          'could not create preview branch wingman-pr-33: Branching is supported only on the Pro plan or above (402); Supabase branching needs a paid plan: upgrade the project, or give staging-database-url for a per-PR database instead',
        );
      },
      timeout: async () => {
        supabase.inject('GET', '/v1/branches/:branch', { delayMs: 10_000 });
        const r = await onSupabase({ timeout: '1500ms' }, 34);
        expect(r.exitCode).toBe(1);
        expect(r.durationMs).toBeLessThan(6_000);
        expect(r.annotations[0]?.message).toMatch(/timeout/);
      },
      'management-api-url': async () => {
        const before = supabase.requests.length;
        expect((await onSupabase({}, 31)).exitCode).toBe(0);
        expect(supabase.requests.length).toBeGreaterThan(before);
      },
      'branch-api-url': async () => {
        const r = await onSupabase({ 'branch-api-url': 'https://{ref}.custom-domain.test' }, 31);
        const ref = supabase.branches(REF).find((b) => b.name === 'wingman-pr-31')!.project_ref;
        expect(r.outputs['api-url']).toBe(`https://${ref}.custom-domain.test`);
      },
    },
  }));
});

// ---------------------------------------------------------------------------------------------------
// preview-comment: effects on the pull request (GitHub simulator)

describe('preview-comment', () => {
  const TOKEN = 'ghs_effectsPreviewComment0001';
  let github: GitHubSimulator;
  beforeAll(async () => {
    github = new GitHubSimulator({ token: TOKEN });
    await github.start();
    github.addPullRequest(DEFAULT_REPOSITORY, 7, { sha: 'f'.repeat(40), ref: 'feature/7' });
    github.addPullRequest(DEFAULT_REPOSITORY, 8, { sha: 'e'.repeat(40), ref: 'feature/8' });
  });
  afterAll(async () => {
    await github?.stop();
  });
  const PARTS = '- name: Backend\n  state: ready\n  url: https://api-pr-7.example.com/\n  detail: v5\n';
  const run = (inputs: Record<string, string>, pr = 7) =>
    runAction('preview-comment', {
      eventName: 'pull_request',
      event: {
        action: 'synchronize',
        number: pr,
        pull_request: { number: pr, head: { sha: 'f'.repeat(40), ref: 'x' } },
      },
      env: { GITHUB_API_URL: github.url },
      inputs: { 'github-token': TOKEN, parts: PARTS, ...inputs },
    });
  const comment = (pr = 7) => github.comments(DEFAULT_REPOSITORY, pr).at(-1)?.body ?? '';

  everyInput('preview-comment', () => ({
    exempt: {},
    cases: {
      'github-token': async () => {
        const r = await run({});
        expect(r.exitCode).toBe(0);
        expect(github.requests.every((q) => q.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
        expect(r.outputs['comment-url']).toMatch(/#issuecomment-\d+$/);
      },
      parts: async () => {
        await run({ parts: '- name: Frontend\n  state: failed\n  detail: "Vercel build failed: exit 1"\n' });
        expect(comment()).toContain('| Frontend | ❌ failed |  | Vercel build failed: exit 1 |');
        // Edited in place: one comment however many runs.
        expect(github.comments(DEFAULT_REPOSITORY, 7)).toHaveLength(1);
        const bad = await run({ parts: '- name: Frontend\n  state: done\n' });
        expect(bad.exitCode).toBe(1);
        expect(bad.outputs.error).toMatch(/^input 'parts' must be a list of \{name, state, url, detail\}/);
      },
      details: async () => {
        await run({ details: '{"smoke P95 ms": "123", "schema errors": ""}' });
        expect(comment()).toContain('| smoke P95 ms | 123 |');
        expect(comment()).not.toContain('schema errors');
      },
      title: async () => {
        await run({ title: 'Stack of WingmanMatch' });
        expect(comment()).toMatch(/^### ✅ Stack of WingmanMatch of #7 is ready$/m);
      },
      'pull-request': async () => {
        await run({ 'pull-request': '8' });
        expect(comment(8)).toContain('| Backend | ✅ ready |');
      },
    },
  }));
});

// ---------------------------------------------------------------------------------------------------
// verify-config: effects on what is read from Heroku and Vercel (simulators)

describe('verify-config', () => {
  const KEY = 'hrku-effects-config-000000001';
  const TOKEN = 'vercel-effects-config-000001';
  const TEAM = 'team_effectsconfig0000000000000';
  let heroku: HerokuSim;
  let vercel: VercelSimulator;
  let projectId: string;
  let teamProjectId: string;
  let cwd: string;
  beforeAll(async () => {
    heroku = new HerokuSim({ token: KEY });
    vercel = new VercelSimulator({ token: TOKEN, teams: [{ id: TEAM, slug: 'cfg-team' }] });
    await Promise.all([heroku.start(), vercel.start()]);
    heroku.addApp('cfg-staging');
    heroku.addApp('cfg-production');
    heroku.seedConfig('cfg-staging', { DSN: 'https://staging.example.com', ENVIRONMENT: 'staging' });
    heroku.seedConfig('cfg-production', { DSN: 'https://production.example.com', ENVIRONMENT: 'production' });
    projectId = vercel.addProject({ name: 'cfg' }).id;
    vercel.addEnv(projectId, { key: 'NEXT_DSN', value: 'https://production.example.com', target: ['production'] });
    vercel.addEnv(projectId, { key: 'NEXT_DSN', value: 'https://staging.example.com', target: ['preview'] });
    teamProjectId = vercel.addProject({ name: 'cfg', teamId: TEAM }).id;
    vercel.addEnv(teamProjectId, { key: 'NEXT_DSN', value: 'https://production.example.com', target: ['production'] });
    cwd = tempDir('wingman-config-effects-');
    mkdirSync(join(cwd, 'deploy'));
    const manifest = `environments: [staging, production]
variables:
  DSN: { heroku: DSN, vercel: NEXT_DSN, pattern: '^https://' }
  ENVIRONMENT: { heroku: ENVIRONMENT, equals: '{environment}' }
`;
    writeFileSync(join(cwd, 'deploy/config.yml'), manifest);
    writeFileSync(join(cwd, 'other.yml'), manifest.replace("pattern: '^https://'", "pattern: '^http://'"));
  });
  afterAll(async () => {
    await Promise.all([heroku?.stop(), vercel?.stop()]);
  });
  const run = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
    runAction('verify-config', {
      cwd,
      env,
      inputs: {
        environment: 'production',
        'heroku-api-key': KEY,
        'heroku-apps': 'staging=cfg-staging,production=cfg-production',
        'vercel-token': TOKEN,
        'vercel-project-id': projectId,
        'heroku-api-url': heroku.url,
        'vercel-api-url': vercel.url,
        ...inputs,
      },
    });

  everyInput('verify-config', () => ({
    exempt: {},
    cases: {
      manifest: async () => {
        expect((await run({})).exitCode).toBe(0);
        const r = await run({ manifest: 'other.yml' });
        expect(r.exitCode).toBe(1);
        expect(r.annotations[0]?.message).toContain('does not match ^http://');
      },
      environment: async () => {
        const r = await run({ environment: 'staging' });
        expect(r.exitCode).toBe(0);
        expect(JSON.parse(r.outputs.report!).environment).toBe('staging');
        expect((await run({ environment: 'qa' })).outputs.error).toContain("input 'environment' is qa");
      },
      'heroku-api-key': async () => {
        await run({});
        expect(heroku.requests.every((q) => q.headers.authorization === `Bearer ${KEY}`)).toBe(true);
        const fromEnv = await run({ 'heroku-api-key': '' }, { HEROKU_API_KEY: KEY });
        expect(fromEnv.exitCode).toBe(0);
      },
      'heroku-apps': async () => {
        const r = await run({ 'heroku-apps': 'production=cfg-staging' });
        expect(r.annotations.map((a) => a.message)).toContain(
          "ENVIRONMENT on Heroku app cfg-staging is not 'production'",
        );
      },
      'vercel-token': async () => {
        const r = await run({ 'vercel-token': 'vercel-not-this-token-00001' });
        expect(r.exitCode).toBe(1);
        expect(r.annotations[0]?.message).toMatch(/the Vercel token may not read the environment variables .*\(403/);
      },
      'vercel-project-id': async () => {
        const r = await run({ 'vercel-project-id': 'prj_missing' });
        expect(r.annotations[0]?.message).toBe(
          "Vercel project prj_missing was not found (404): check inputs 'vercel-project-id' and 'vercel-team-id'",
        );
      },
      'vercel-team-id': async () => {
        const r = await run({ 'vercel-project-id': teamProjectId, 'vercel-team-id': TEAM });
        expect(r.exitCode).toBe(0);
        expect(vercel.requests.some((q) => q.query.teamId === TEAM)).toBe(true);
      },
      'fail-on': async () => {
        const partial = { 'heroku-apps': 'production=cfg-production' };
        // Staging's app unnamed: a warning (no isolation rule here, so nothing is read for it at all).
        expect((await run({ ...partial, 'fail-on': 'warn' })).exitCode).toBe(0);
        const isolated = join(cwd, 'isolated.yml');
        writeFileSync(
          isolated,
          'environments: [staging, production]\nvariables:\n  DSN: { heroku: DSN, isolated: true }\n',
        );
        expect((await run({ ...partial, manifest: 'isolated.yml' })).exitCode).toBe(0);
        expect((await run({ ...partial, manifest: 'isolated.yml', 'fail-on': 'warning' })).exitCode).toBe(1);
      },
      'heroku-api-url': async () => {
        const before = heroku.requests.length;
        await run({});
        expect(heroku.requests.length).toBeGreaterThan(before);
      },
      'vercel-api-url': async () => {
        const before = vercel.requests.length;
        await run({});
        expect(vercel.requests.length).toBeGreaterThan(before);
      },
    },
  }));
});

// ---------------------------------------------------------------------------------------------------
// feature-flags: effects on feature_flags and its audit (the example's migrations, the Data API stand-in)

describe('feature-flags', () => {
  let db: TestDatabase;
  let api: Awaited<ReturnType<typeof startDataApi>>;
  let cwd: string;
  beforeAll(async () => {
    db = await startPostgres();
    const migrations = join(REPO_ROOT, 'examples/wingmanmatch/supabase/migrations');
    const r = await runAction('run-migrations', {
      inputs: { 'database-url': db.url, 'migrations-dir': migrations, 'rollbacks-dir': migrations, lint: 'off' },
    });
    expect(r.exitCode).toBe(0);
    api = await startDataApi({ databaseUrl: db.url, exposedSchemas: ['public'] });
    cwd = tempDir('wingman-flags-effects-');
    writeFileSync(
      join(cwd, 'feature-flags.json'),
      JSON.stringify({
        alpha: { enabled: false, environments: { staging: { enabled: true } } },
        beta: { enabled: true },
      }),
    );
    writeFileSync(join(cwd, 'other.json'), JSON.stringify({ gamma: { enabled: true } }));
  });
  afterAll(async () => {
    await api?.stop();
    await db?.stop();
  });
  const sql = (text: string) => queryRows(db.url, text);
  const rows = () => sql('select flag_name, enabled, rollout_percent from feature_flags order by 1');
  const audit = () => sql('select flag_name, actor, reason from feature_flag_audit order by id');
  const reset = () => sql("delete from feature_flags where flag_name in ('alpha', 'beta', 'gamma')");
  const run = (inputs: Record<string, string>, env: Record<string, string> = {}) =>
    runAction('feature-flags', {
      cwd,
      env,
      inputs: { 'supabase-url': api.url, 'service-role-key': api.serviceRoleKey, ...inputs },
    });

  everyInput('feature-flags', () => ({
    exempt: {},
    cases: {
      'supabase-url': async () => {
        await reset();
        const before = api.requests.length;
        expect((await run({})).exitCode).toBe(0);
        expect(api.requests.length).toBeGreaterThan(before);
      },
      'service-role-key': async () => {
        await reset();
        const anon = await run({ 'service-role-key': api.anonKey });
        expect(anon.exitCode).toBe(1);
        expect(anon.outputs.error).toMatch(/the Data API refused the key/);
        const fromEnv = await run({ 'service-role-key': '' }, { SUPABASE_SERVICE_ROLE_KEY: api.serviceRoleKey });
        expect(fromEnv.exitCode).toBe(0);
        expect(visible(fromEnv)).not.toContain(api.serviceRoleKey);
      },
      mode: async () => {
        await reset();
        await run({});
        const set = await run({ mode: 'set', flag: 'beta', enabled: 'false', reason: 'incident 9' });
        expect(set.exitCode).toBe(0);
        expect((await rows()).find((r) => r.flag_name === 'beta')?.enabled).toBe(false);
      },
      file: async () => {
        await reset();
        await run({ file: 'other.json' });
        expect((await rows()).map((r) => r.flag_name)).toContain('gamma');
      },
      environment: async () => {
        await reset();
        await run({ environment: 'staging' });
        expect((await rows()).find((r) => r.flag_name === 'alpha')?.enabled).toBe(true);
        await reset();
        await run({ environment: 'production' });
        expect((await rows()).find((r) => r.flag_name === 'alpha')?.enabled).toBe(false);
      },
      prune: async () => {
        await reset();
        await run({});
        await run({ file: 'other.json' });
        expect((await rows()).map((r) => r.flag_name)).toEqual(expect.arrayContaining(['alpha', 'beta', 'gamma']));
        await run({ file: 'other.json', prune: 'true' });
        expect((await rows()).map((r) => r.flag_name)).not.toContain('alpha');
      },
      flag: async () => {
        await reset();
        await run({});
        const unknown = await run({ mode: 'set', flag: 'nope', enabled: 'true', reason: 'x' });
        expect(unknown.outputs.error).toMatch(/^input 'flag': nope is not a flag in feature_flags/);
      },
      enabled: async () => {
        await reset();
        await run({});
        await run({ mode: 'set', flag: 'alpha', enabled: 'true', reason: 'try it' });
        expect((await rows()).find((r) => r.flag_name === 'alpha')?.enabled).toBe(true);
      },
      'rollout-percent': async () => {
        await reset();
        await run({});
        await run({ mode: 'set', flag: 'beta', 'rollout-percent': '25', reason: 'ramp up' });
        expect((await rows()).find((r) => r.flag_name === 'beta')?.rollout_percent).toBe(25);
      },
      reason: async () => {
        await reset();
        await run({});
        const missing = await run({ mode: 'set', flag: 'beta', enabled: 'false' });
        expect(missing.outputs.error).toMatch(/^input 'reason' is required for mode set/);
        await run(
          { mode: 'set', flag: 'beta', enabled: 'false', reason: 'the distinct reason' },
          { GITHUB_ACTOR: 'hubot' },
        );
        expect((await audit()).at(-1)).toEqual({ flag_name: 'beta', actor: 'hubot', reason: 'the distinct reason' });
      },
      'dry-run': async () => {
        await reset();
        const dry = await run({ 'dry-run': 'true' });
        expect(JSON.parse(dry.outputs.changed!)).toHaveLength(2);
        expect((await rows()).map((r) => r.flag_name)).not.toContain('alpha');
      },
    },
  }));
});

// ---------------------------------------------------------------------------------------------------
// backup-drill: a PostgreSQL 15 source (the machine's pg_dump is 15) restored into scratch databases

describe('backup-drill', () => {
  let source: DrillSource;
  let sim: SupabaseSim;
  let apiUrl: string;
  const scratches: TestDatabase[] = [];
  const REF = 'drillref000000000001';
  const STALE = 'staleref000000000001';
  const TOKEN = 'sbp_drill_token_0001';
  const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

  beforeAll(async () => {
    source = await startDrillSource(500);
    sim = new SupabaseSim({ token: TOKEN });
    apiUrl = await sim.start();
    sim.addProject(REF, {
      backups: { pitr_enabled: false, backups: [{ status: 'COMPLETED', inserted_at: hoursAgo(6) }] },
    });
    sim.addProject(STALE, {
      backups: { pitr_enabled: false, backups: [{ status: 'COMPLETED', inserted_at: hoursAgo(40) }] },
    });
  }, 120_000);
  afterAll(async () => {
    await Promise.all(scratches.map((s) => s.stop()));
    await Promise.all([source?.stop(), sim?.stop()]);
  });

  const drill = async (inputs: Record<string, string> = {}) => {
    const scratch = await startPostgres({ bootstrap: 'none' });
    scratches.push(scratch);
    const r = await runAction('backup-drill', {
      inputs: { 'database-url': source.readerUrl, 'scratch-database-url': scratch.url, ...inputs },
      env: { SUPABASE_ACCESS_TOKEN: '' },
    });
    return { r, scratch, report: r.outputs.report ? JSON.parse(r.outputs.report) : undefined };
  };
  const withSim = (extra: Record<string, string> = {}) => ({
    'supabase-access-token': TOKEN,
    'project-ref': REF,
    'management-api-url': apiUrl,
    ...extra,
  });

  everyInput('backup-drill', () => ({
    exempt: {},
    cases: {
      'database-url': async () => {
        const { r, report } = await drill();
        expect(r.exitCode).toBe(0);
        const profiles = report.tables.find((t: { table: string }) => t.table === 'public.profiles');
        expect(profiles).toMatchObject({ sourceRows: 500, restoredRows: 500, sample: 'equal' });
        expect(Number(r.outputs.rows)).toBe(report.rows);
        expect(r.summary).toMatch(/Backup drill: passed — recovery in [\d.]+ s \(budget 300 s\)/);
        expect(visible(r)).not.toContain('reader-pw');
        expect(r.masks).toContain(source.readerUrl);
      },
      'scratch-database-url': async () => {
        const { r, scratch } = await drill();
        expect(r.exitCode).toBe(0);
        expect(await queryRows(scratch.url, 'select count(*)::int as n from public.chat_messages')).toEqual([
          { n: 1000 },
        ]);
        const refused = await runAction('backup-drill', {
          inputs: { 'database-url': source.readerUrl, 'scratch-database-url': source.adminUrl },
        });
        expect(refused.exitCode).toBe(1);
        expect(refused.outputs.error).toMatch(
          /scratch-database-url names the same server and database as database-url/,
        );
      },
      'supabase-access-token': async () => {
        const { r } = await drill(withSim());
        expect(r.exitCode).toBe(0);
        expect(r.outputs['backup-age-hours']).toBe('6');
        expect(r.outputs['pitr-enabled']).toBe('false');
        const refused = await drill(withSim({ 'supabase-access-token': 'sbp_wrong_token_0001' }));
        expect(refused.r.outputs.error).toMatch(
          /access token was refused \(401\); check input 'supabase-access-token'/,
        );
      },
      'project-ref': async () => {
        const { r } = await drill(withSim({ 'project-ref': STALE }));
        expect(r.exitCode).toBe(1);
        expect(r.outputs.error).toMatch(
          /the newest completed backup .* is 40 h old, older than max-backup-age \(26 h\)/,
        );
        // The restore ran all the same: the report shows both.
        expect(Number(r.outputs.tables)).toBeGreaterThan(5);
      },
      'max-backup-age': async () => {
        const { r } = await drill(withSim({ 'max-backup-age': '5h' }));
        expect(r.exitCode).toBe(1);
        expect(r.outputs.error).toMatch(/is 6 h old, older than max-backup-age \(5 h\)/);
      },
      'require-pitr': async () => {
        const { r } = await drill(withSim({ 'require-pitr': 'true' }));
        expect(r.exitCode).toBe(1);
        expect(r.outputs.error).toMatch(/require-pitr is true but point-in-time recovery is off for project drillref/);
      },
      'rto-budget': async () => {
        const { r } = await drill({ 'rto-budget': '10ms' });
        expect(r.exitCode).toBe(1);
        expect(r.outputs.error).toMatch(/over rto-budget 10 ms/);
        expect(Number(r.outputs['rto-seconds'])).toBeGreaterThan(0);
      },
      schemas: async () => {
        const all = await drill();
        expect(all.report.tables.map((t: { table: string }) => t.table)).toContain('api.open_notes');
        const { report } = await drill({ schemas: 'public' });
        expect(report.tables.map((t: { table: string }) => t.table)).not.toContain('api.open_notes');
        expect(report.history.equal).toBe(true);
      },
      'exposed-schemas': async () => {
        // api.open_notes has no RLS: harmless unexposed, an error of the lints once the API exposes it.
        const { r, report } = await drill({ 'exposed-schemas': 'public, api' });
        expect(r.exitCode).toBe(1);
        expect(report.lints.errors).toBeGreaterThan(0);
        expect(r.outputs.error).toMatch(/verify-schema reports \d+ error\(s\) on the restored copy/);
      },
      'pg-dump': async () => {
        const { r } = await drill({ 'pg-dump': '/nonexistent/pg_dump' });
        expect(r.exitCode).toBe(1);
        expect(r.outputs.error).toMatch(/input 'pg-dump' names \/nonexistent\/pg_dump, which does not run/);
        const { report } = await drill({ 'pg-dump': '/usr/lib/postgresql/15/bin/pg_dump' });
        expect(report.pgDump).toEqual({ path: '/usr/lib/postgresql/15/bin/pg_dump', major: 15 });
      },
      timeout: async () => {
        const { r } = await drill({ timeout: '1ms' });
        expect(r.exitCode).toBe(1);
        expect(r.outputs.error).toMatch(/was stopped: the step's 'timeout' \(1 ms\) ran out/);
      },
      'management-api-url': async () => {
        sim.clearRequests();
        await drill(withSim());
        expect(sim.requestsTo('GET', `/v1/projects/${REF}/database/backups`)).toHaveLength(1);
      },
    },
  }));
});

// ---------------------------------------------------------------------------------------------------
// record-deployment: effects on Datadog, UptimeRobot and GitHub (simulators)

describe('record-deployment', () => {
  const HEALTH = 'https://api.wingmanmatch.example/health';
  const TOKEN = 'ghs_effectsTokenForTheRunStart00001';
  let dd: DatadogSimulator;
  let ur: UptimeRobotSimulator;
  let gh: GitHubSimulator;
  const runStart = new Date(Math.floor(Date.now() / 1000) * 1000 - 9 * 60_000);
  const fresh = async () => {
    await Promise.all([dd?.stop(), ur?.stop(), gh?.stop()]);
    dd = new DatadogSimulator();
    ur = new UptimeRobotSimulator({ alertContacts: [4242] });
    gh = new GitHubSimulator({ token: TOKEN });
    await Promise.all([dd.start(), ur.start(), gh.start()]);
    gh.addWorkflowRun(DEFAULT_REPOSITORY, '11223344556', runStart);
  };
  afterAll(async () => {
    await Promise.all([dd?.stop(), ur?.stop(), gh?.stop()]);
  });
  const run = (inputs: Record<string, string | undefined>, env: Record<string, string> = {}) =>
    runAction('record-deployment', {
      cwd: REPO_ROOT,
      githubToken: TOKEN,
      inputs: {
        service: 'wingmanmatch',
        environment: 'production',
        status: 'succeeded',
        'datadog-api-key': dd.apiKey,
        'datadog-api-url': dd.url,
        'uptimerobot-api-key': ur.apiKey,
        'uptimerobot-api-url': ur.apiUrl,
        'health-urls': HEALTH,
        ...inputs,
      },
      env: { GITHUB_API_URL: gh.url, ...env },
    });
  const deployment = () => [...dd.deployments.values()].at(-1)!;
  const monitor = () => ur.monitorsFor(HEALTH)[0]!;

  everyInput('record-deployment', () => ({
    exempt: {},
    cases: {
      service: async () => {
        await fresh();
        await run({ service: 'svc-distinct-7' });
        expect(deployment().service).toBe('svc-distinct-7');
        expect(dd.events[0]!.tags).toContain('service:svc-distinct-7');
        expect(monitor().friendlyName).toBe('svc-distinct-7 production: api.wingmanmatch.example/health');
      },
      environment: async () => {
        await fresh();
        await run({ environment: 'env-distinct-7' });
        expect(deployment().env).toBe('env-distinct-7');
        expect(dd.events[0]!.tags).toContain('env:env-distinct-7');
      },
      version: async () => {
        await fresh();
        await run({ version: 'v7.7.7-distinct' });
        expect(deployment().version).toBe('v7.7.7-distinct');
      },
      commit: async () => {
        // A workflow that deploys another ref than the run's own commit names what it checked out.
        const checkedOut = 'c0ffee0123456789abcdef0123456789abcdef01';
        await fresh();
        const r = await run({ commit: checkedOut }, { GITHUB_SHA: 'f'.repeat(40) });
        expect(r.exitCode).toBe(0);
        expect(deployment().git?.commit_sha).toBe(checkedOut);
        expect(deployment().version).toBe(checkedOut);
        expect(dd.events.at(-1)!.text).toContain(`/commit/${checkedOut}`);
        const branch = await run({ commit: 'main' });
        expect(branch.exitCode).toBe(1);
        expect(branch.stdout).toMatch(/::error::input 'commit' .*a full commit SHA \(40 hexadecimal digits\)/);
      },
      'started-at': async () => {
        await fresh();
        await run({ 'started-at': '2026-12-01T08:00:00.001Z' });
        expect(deployment().startedAt).toBe(BigInt(Date.parse('2026-12-01T08:00:00.001Z')) * 1_000_000n);
      },
      status: async () => {
        await fresh();
        await run({ status: 'failure' });
        expect(dd.deployments.size).toBe(0);
        expect(dd.events.at(-1)!.alertType).toBe('error');
        await run({ status: 'rolled-back', version: '1b2d6f3c9a7e4d5b8c0f2a6e9d3b7c1f5a8e2d4b' });
        expect(deployment().git?.commit_sha).toBe('1b2d6f3c9a7e4d5b8c0f2a6e9d3b7c1f5a8e2d4b');
        expect(dd.events.at(-1)!.alertType).toBe('warning');
      },
      'datadog-api-key': async () => {
        await fresh();
        const wrong = await run({ 'datadog-api-key': 'dd-not-the-key-000000000000000000' });
        expect(wrong.annotations.map((a) => a.title)).toEqual(['Datadog not updated']);
        expect(dd.deployments.size).toBe(0);
        const fromEnv = await run({ 'datadog-api-key': '' }, { DATADOG_API_KEY: dd.apiKey });
        expect(dd.deployments.size).toBe(1);
        expect(visible(fromEnv)).not.toContain(dd.apiKey);
      },
      'datadog-site': async () => {
        await fresh();
        // A government site has no DORA Metrics: the event is posted, the deployment is not.
        await run({ 'datadog-site': 'ddog-gov.com' });
        expect(dd.requestsTo('POST', '/api/v2/dora/deployment')).toHaveLength(0);
        expect(dd.events).toHaveLength(1);
      },
      'datadog-api-url': async () => {
        await fresh();
        await run({});
        expect(dd.requestsTo('POST', '/api/v2/dora/deployment')).toHaveLength(1);
      },
      'uptimerobot-api-key': async () => {
        await fresh();
        const without = await run({ 'uptimerobot-api-key': '' });
        expect(without.annotations.map((a) => a.message)).toContain(
          'UptimeRobot skipped: no uptimerobot-api-key (or UPTIMEROBOT_API_KEY), so no monitors',
        );
        expect(ur.requests).toHaveLength(0);
        await run({});
        expect(ur.requestsTo('GET', '/v3/monitors')[0]!.headers.authorization).toBe(`Bearer ${ur.apiKey}`);
      },
      'uptimerobot-api-url': async () => {
        await fresh();
        await run({});
        expect(ur.requestsTo('POST', '/v3/monitors')).toHaveLength(1);
      },
      'health-urls': async () => {
        await fresh();
        await run({ 'health-urls': 'https://distinct-7.example/health, https://distinct-8.example/health' });
        expect([...ur.monitors.values()].map((m) => m.url)).toEqual([
          'https://distinct-7.example/health',
          'https://distinct-8.example/health',
        ]);
      },
      'monitor-interval': async () => {
        await fresh();
        await run({ 'monitor-interval': '10m' });
        expect(monitor().interval).toBe(600);
      },
      'alert-contacts': async () => {
        await fresh();
        await run({ 'alert-contacts': '4242' });
        expect(monitor().assignedAlertContacts.map((c) => c.alertContactId)).toEqual([4242]);
      },
      'pause-monitors': async () => {
        await fresh();
        const r = await run({ 'pause-monitors': 'true' });
        expect(monitor().status).toBe('PAUSED');
        expect(r.state['paused-monitors']).toBe(JSON.stringify([monitor().id]));
        expect(dd.requests).toHaveLength(0);
      },
      'fail-on-error': async () => {
        await fresh();
        const r = await run({ 'uptimerobot-api-key': 'u000-not-the-key-0000000000', 'fail-on-error': 'true' });
        expect(r.exitCode).toBe(1);
      },
      timeout: async () => {
        await fresh();
        ur.inject('GET', '/v3/monitors', { delayMs: 10_000 });
        const r = await run({ timeout: '1500ms', 'datadog-api-key': '' });
        expect(r.durationMs).toBeLessThan(4_000);
        expect(r.annotations.map((a) => a.title)).toContain('UptimeRobot not updated');
      },
      'github-token': async () => {
        await fresh();
        // The run's start is read with this token; the simulator accepts no other.
        await run({});
        expect(gh.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
        expect(deployment().startedAt).toBe(BigInt(runStart.getTime()) * 1_000_000n);
        const other = await run({ 'github-token': 'ghs_someOtherToken0000000000000' });
        expect(other.annotations.map((a) => a.message).join('\n')).toMatch(/^started-at: this step's start/);
      },
    },
  }));
});
