// A pull request's database: Supabase preview branches against the Management API simulator (each
// branch a real PostgreSQL server), and wingman_pr_<n> databases on a real staging server.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RecordingLog } from '@wingman/log';
import { queryRows, SupabaseSim, startPostgres, type TestDatabase } from '@wingman/testkit';
import { PrDatabases, type PreviewError, prOfName, SupabaseBranches, sweepPreviews } from '../src/index';

const TOKEN = 'sbp_preview_test_token_0001';

const query = (url: string, sql: string) => queryRows(url, sql);

async function failure(p: Promise<unknown>): Promise<PreviewError> {
  try {
    await p;
  } catch (err) {
    return err as PreviewError;
  }
  throw new Error('expected a failure');
}

const soon = () => Date.now() + 60_000;

describe('Supabase preview branches', () => {
  let sim: SupabaseSim;
  let log: RecordingLog;
  const branches = (projectRef = 'stagingproject000001') =>
    new SupabaseBranches({
      accessToken: TOKEN,
      projectRef,
      apiUrl: sim.url,
      projectUrl: 'http://{ref}.supabase.test',
      log,
      http: { minDelayMs: 1, maxDelayMs: 5 },
    });
  beforeAll(async () => {
    sim = new SupabaseSim({ token: TOKEN, stepMs: 20 });
    await sim.start();
    sim.addProject('stagingproject000001');
    log = new RecordingLog();
  });
  afterAll(async () => {
    await sim.stop();
  });

  it('creates wingman-pr-<n> for the PR, waits until it is up, and gives a working connection and its keys', async () => {
    const store = branches();
    const db = await store.ensure({ pr: 7, gitBranch: 'feature/challenges', maxPreviews: 10, deadline: soon() });
    expect(db).toMatchObject({ kind: 'supabase-branch', name: 'wingman-pr-7', created: true });
    const [branch] = sim.branches('stagingproject000001');
    expect(branch).toMatchObject({
      name: 'wingman-pr-7',
      git_branch: 'feature/challenges',
      status: 'MIGRATIONS_PASSED',
    });
    expect(db.ref).toBe(branch!.project_ref);
    expect(db.apiUrl).toBe(`http://${branch!.project_ref}.supabase.test`);
    expect(db.anonKey).toBe(branch!.anonKey);
    expect(db.serviceRoleKey).toBe(branch!.serviceRoleKey);
    // A Supabase project's own database: `postgres`, with the platform's schemas.
    expect(new URL(db.databaseUrl).pathname).toBe('/postgres');
    expect(await query(db.databaseUrl, `select to_regclass('auth.users') is not null as auth`)).toEqual([
      { auth: true },
    ]);
    // A push to the PR reuses it: no second branch.
    const again = await store.ensure({ pr: 7, gitBranch: 'feature/challenges', maxPreviews: 10, deadline: soon() });
    expect(again).toMatchObject({ created: false, ref: db.ref, databaseUrl: db.databaseUrl });
    expect(sim.requestsTo('POST', '/v1/projects/:ref/branches')).toHaveLength(1);
    await store.close();
  }, 60_000);

  it('refuses a new preview at the limit, naming the PRs that hold one', async () => {
    const store = branches();
    const err = await failure(store.ensure({ pr: 8, gitBranch: 'feature/b', maxPreviews: 1, deadline: soon() }));
    expect(err.code).toBe('limit');
    expect(err.message).toBe(
      'the preview limit is reached: 1 pull requests (#7) have a Supabase preview branch and max-previews is 1; close one of them, or raise max-previews',
    );
    await store.close();
  });

  it('deletes the PR’s branch on close, idempotently; the sweep removes those of closed PRs only', async () => {
    const store = branches();
    await store.ensure({ pr: 9, gitBranch: 'feature/c', maxPreviews: 10, deadline: soon() });
    expect(await store.prs()).toEqual([7, 9]);
    const swept = await sweepPreviews(store, async (pr) => pr !== 9, log);
    expect(swept).toEqual({ removed: [9], kept: [7], unknown: [] });
    expect(await store.remove(7)).toBe(true);
    expect(await store.remove(7)).toBe(false);
    expect(sim.branches('stagingproject000001')).toEqual([]);
    await store.close();
  }, 60_000);

  it('says what to do on a plan without branching, a branch that failed to come up, and a refused token', async () => {
    sim.addProject('freeplanproject00001', { branching: 'plan' });
    const plan = await failure(
      branches('freeplanproject00001').ensure({ pr: 1, gitBranch: 'x', maxPreviews: 10, deadline: soon() }),
    );
    expect(plan.message).toBe(
      'could not create preview branch wingman-pr-1: Branching is supported only on the Pro plan or above (402); Supabase branching needs a paid plan: upgrade the project, or give staging-database-url for a per-PR database instead',
    );
    sim.addProject('failingproject000001');
    sim.nextBranch('failingproject000001', 'init-failed');
    const failed = await failure(
      branches('failingproject000001').ensure({ pr: 2, gitBranch: 'x', maxPreviews: 10, deadline: soon() }),
    );
    expect(failed.code).toBe('branch_failed');
    expect(failed.message).toMatch(/^Supabase preview branch wingman-pr-2 \([a-z]{20}\) failed: INIT_FAILED; /);
    const refused = await failure(
      new SupabaseBranches({
        accessToken: 'sbp_wrong',
        projectRef: 'stagingproject000001',
        apiUrl: sim.url,
        log,
      }).prs(),
    );
    expect(refused.message).toBe(
      "could not list the preview branches of project stagingproject000001: the Supabase access token was refused (401); check input 'supabase-access-token'",
    );
    expect(JSON.stringify(log.messages())).not.toContain('sbp_wrong');
  });

  it('reads a project with branching off as having no previews', async () => {
    sim.addProject('offproject0000000001', { branching: 'off' });
    expect(await branches('offproject0000000001').prs()).toEqual([]);
  });
});

describe('wingman_pr_<n> databases on a staging server', () => {
  let staging: TestDatabase;
  let log: RecordingLog;
  let store: PrDatabases;
  const dropAll = async () => {
    for (const r of await query(staging.serverUrl, `select datname from pg_database where datname ~ '^wingman_pr_'`))
      await query(staging.serverUrl, `drop database "${r.datname}" with (force)`);
  };
  beforeAll(async () => {
    staging = await startPostgres({ bootstrap: 'none', ownServer: true });
    await dropAll();
    log = new RecordingLog();
    store = new PrDatabases({ serverUrl: staging.serverUrl, log, owner: 'acme/app' });
  });
  afterAll(async () => {
    await dropAll();
    await staging.stop();
  });

  it('creates wingman_pr_<n> from the template, shaped like Supabase, and reuses it on the next push', async () => {
    const db = await store.ensure({ pr: 12, gitBranch: 'feature/x', maxPreviews: 10, deadline: soon() });
    expect(db).toMatchObject({ kind: 'database', name: 'wingman_pr_12', created: true });
    expect(new URL(db.databaseUrl).pathname).toBe('/wingman_pr_12');
    expect(await query(db.databaseUrl, `select to_regclass('storage.objects') is not null as storage`)).toEqual([
      { storage: true },
    ]);
    expect(
      await query(
        staging.serverUrl,
        `select shobj_description(oid, 'pg_database') as note from pg_database where datname = 'wingman_pr_12'`,
      ),
    ).toEqual([{ note: 'wingman-deploy preview of pull request #12 of acme/app' }]);
    // Migrated by the PR's run, then pushed again: reused as it is.
    await query(
      db.databaseUrl,
      `create schema supabase_migrations; create table supabase_migrations.schema_migrations (version text)`,
    );
    await query(db.databaseUrl, `insert into supabase_migrations.schema_migrations values ('20260101000000')`);
    expect(await store.ensure({ pr: 12, gitBranch: 'feature/x', maxPreviews: 10, deadline: soon() })).toMatchObject({
      created: false,
    });
  });

  it('holds the limit, drops on close idempotently, and sweeps the databases of closed PRs', async () => {
    await store.ensure({ pr: 13, gitBranch: 'feature/y', maxPreviews: 10, deadline: soon() });
    const err = await failure(store.ensure({ pr: 14, gitBranch: 'feature/z', maxPreviews: 2, deadline: soon() }));
    expect(err.message).toBe(
      'the preview limit is reached: 2 pull requests (#12, #13) have a preview database and max-previews is 2; close one of them, or raise max-previews',
    );
    const swept = await sweepPreviews(
      store,
      async (pr) => {
        if (pr === 13) throw new Error('GitHub API GET /repos/acme/app/pulls/13 failed: 502');
        return false;
      },
      log,
    );
    expect(swept).toEqual({ removed: [12], kept: [], unknown: [13] });
    expect(log.messages('warning')[0]).toMatch(/could not read pull request #13, its preview is kept/);
    expect(await store.remove(13)).toBe(true);
    expect(await store.remove(13)).toBe(false);
    expect(await store.prs()).toEqual([]);
  });

  it("leaves another repository's databases on a shared server alone: not counted, swept, reused or dropped", async () => {
    const other = new PrDatabases({ serverUrl: staging.serverUrl, log, owner: 'acme/admin' });
    await other.ensure({ pr: 40, gitBranch: 'feature/admin', maxPreviews: 10, deadline: soon() });
    await other.ensure({ pr: 41, gitBranch: 'feature/admin-2', maxPreviews: 10, deadline: soon() });
    // Made by hand (no note): counted as ours, as databases made before notes were.
    await query(staging.serverUrl, 'create database wingman_pr_42');
    expect(await store.prs()).toEqual([42]);
    expect(await other.prs()).toEqual([40, 41, 42]);
    // Its limit counts its own: #42 only, not acme/admin's two.
    await store.ensure({ pr: 43, gitBranch: 'feature/a', maxPreviews: 2, deadline: soon() });
    const taken = await failure(store.ensure({ pr: 40, gitBranch: 'feature/b', maxPreviews: 10, deadline: soon() }));
    expect(taken.message).toBe(
      "database wingman_pr_40 on the staging server is the preview of pull request #40 of acme/admin, not of acme/app: two repositories' previews cannot share a staging server; give this repository's 'staging-database-url' a server of its own",
    );
    // Every PR of acme/app is closed: its sweep and its close drop only its own.
    expect(await sweepPreviews(store, async () => false, log)).toEqual({ removed: [42, 43], kept: [], unknown: [] });
    expect(await store.remove(41)).toBe(false);
    expect(log.messages('info')).toContain(
      'Database wingman_pr_41 is the preview of pull request #41 of acme/admin: left alone',
    );
    expect(await other.prs()).toEqual([40, 41]);
    // GitHub names repositories without regard to case.
    expect(await new PrDatabases({ serverUrl: staging.serverUrl, log, owner: 'ACME/Admin' }).prs()).toEqual([40, 41]);
    await other.remove(40);
    await other.remove(41);
  });

  it('says what happened when the database is made by another run between its read and its create', async () => {
    const racing = new PrDatabases({ serverUrl: staging.serverUrl, log, owner: 'acme/app' });
    // The read saw no database; another run's create lands before this one's.
    Object.assign(racing, { onServer: async () => [] });
    await query(staging.serverUrl, 'create database wingman_pr_60');
    const err = await failure(racing.ensure({ pr: 60, gitBranch: 'feature/r', maxPreviews: 10, deadline: soon() }));
    expect(err.message).toBe(
      "database wingman_pr_60 was created on the staging server while this run was making it (another run for pull request #60, or another repository's): re-run this job, which reuses it if it is this repository's",
    );
    expect(await store.remove(60)).toBe(true);
  });

  it('knows its databases by repository id after a rename, and a new repository of the old name by its id', async () => {
    const before = new PrDatabases({ serverUrl: staging.serverUrl, log, owner: 'acme/web', ownerId: '1001' });
    await before.ensure({ pr: 50, gitBranch: 'feature/w', maxPreviews: 10, deadline: soon() });
    expect(
      await query(
        staging.serverUrl,
        `select shobj_description(oid, 'pg_database') as note from pg_database where datname = 'wingman_pr_50'`,
      ),
    ).toEqual([{ note: 'wingman-deploy preview of pull request #50 of acme/web (repository 1001)' }]);
    const renamed = new PrDatabases({ serverUrl: staging.serverUrl, log, owner: 'acme/frontend', ownerId: '1001' });
    expect(await renamed.prs()).toContain(50);
    const sameName = new PrDatabases({ serverUrl: staging.serverUrl, log, owner: 'acme/web', ownerId: '2002' });
    expect(await sameName.prs()).not.toContain(50);
    const taken = await failure(sameName.ensure({ pr: 50, gitBranch: 'feature/n', maxPreviews: 10, deadline: soon() }));
    expect(taken.message).toMatch(
      /^database wingman_pr_50 on the staging server is the preview of pull request #50 of acme\/web \(repository 1001\), not of acme\/web \(repository 2002\): /,
    );
    expect(await renamed.remove(50)).toBe(true);
  });

  it('refuses a server URL that names a preview database (it would make previews beside a preview)', () => {
    const url = new URL(staging.serverUrl);
    url.pathname = '/wingman_pr_3';
    expect(() => new PrDatabases({ serverUrl: url.toString(), log })).toThrow(
      "input 'staging-database-url' names a preview database (wingman_pr_3): give the staging server's own database (e.g. /postgres), beside which wingman_pr_<n> databases are made",
    );
    expect(prOfName('wingman_pr_3')).toBe(3);
    expect(prOfName('wingman-pr-44')).toBe(44);
    expect(prOfName('wingman_pr_x')).toBeUndefined();
  });
});
