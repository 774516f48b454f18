// The Supabase CLI and run-migrations share one migrations folder and one history table: after
// either tool, the other applies exactly what is left, and neither sees drift.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startPostgres, type TestDatabase } from '@wingman/testkit';
import { takeSnapshot } from '../src/index';
import { EXAMPLE, historyVersions, query, run, supabaseCli, supabaseDbPush } from './helpers';

const all = readdirSync(`${EXAMPLE}/migrations`).sort();
const work = mkdtempSync(join(tmpdir(), 'wm-interop-'));
let db: TestDatabase;

/** A project folder holding the first `count` example migrations, as a repository would at an older commit. */
function checkout(name: string, count: number) {
  const root = join(work, name);
  const migrationsDir = join(root, 'supabase', 'migrations');
  mkdirSync(migrationsDir, { recursive: true });
  for (const f of all.slice(0, count)) cpSync(join(EXAMPLE, 'migrations', f), join(migrationsDir, f));
  cpSync(join(EXAMPLE, 'rollbacks'), join(root, 'supabase', 'rollbacks'), { recursive: true });
  return { root, migrationsDir, rollbacksDir: join(root, 'supabase', 'rollbacks') };
}

const versions = (files: string[]) => files.map((f) => f.split('_')[0]!);

beforeEach(async () => {
  db = await startPostgres();
});
afterEach(async () => {
  await db.stop();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('interoperability with supabase db push (supabase@2.117.0)', () => {
  it('after db push, run-migrations applies exactly the rest and finds no drift', async () => {
    expect(all.length).toBeGreaterThan(4);
    await supabaseDbPush(db.url, checkout('cli-first-old', 4).root);
    expect(await historyVersions(db)).toEqual(versions(all.slice(0, 4)));

    const result = await run(db, checkout('cli-first-new', all.length));
    expect(result.applied).toEqual(versions(all.slice(4)));
    expect(await historyVersions(db)).toEqual(versions(all));
    // And once more: the CLI's rows and ours compare equal, so nothing is pending and nothing drifted.
    expect((await run(db, checkout('cli-first-again', all.length))).applied).toEqual([]);
  });

  it('after run-migrations, db push applies exactly the rest and the rows match what the CLI would write', async () => {
    const first = await run(db, checkout('ours-first-old', 3));
    expect(first.applied).toEqual(versions(all.slice(0, 3)));

    const out = await supabaseDbPush(db.url, checkout('ours-first-new', all.length).root);
    for (const f of all.slice(0, 3)) expect(out).not.toContain(f);
    for (const f of all.slice(3)) expect(out).toContain(f);
    expect(await historyVersions(db)).toEqual(versions(all));

    // A second push finds nothing to do (it would fail or re-apply if our rows were not the CLI's).
    const again = await supabaseDbPush(db.url, checkout('ours-first-again', all.length).root);
    expect(again).toMatch(/up to date/i);
    const rows = await query<{ version: string; statements: string[] }>(
      db,
      'select version, statements from supabase_migrations.schema_migrations order by version',
    );
    expect(rows.every((r) => Array.isArray(r.statements) && r.statements.length > 0)).toBe(true);
  });
});

// The example app is this project's corpus of Supabase-style migrations: storage buckets with
// owner-folder policies, unqualified pgcrypto, a function reading a Vault secret, triggers on
// auth.users and a Realtime publication change. On two plain PostgreSQL 17 databases given the
// Supabase shape, run-migrations and db push must leave the same history and the same catalog.
describe('the Supabase-style corpus, run-migrations against supabase db push', () => {
  it('leaves identical history rows, catalogs, buckets and publication on bootstrapped plain PostgreSQL', async () => {
    const ours = db;
    const theirs = await startPostgres();
    try {
      expect((await run(ours, checkout('corpus-ours', all.length))).applied).toEqual(versions(all));
      await supabaseDbPush(theirs.url, checkout('corpus-cli', all.length).root);

      const facts = async (target: TestDatabase) => {
        const client = await target.connect();
        try {
          const one = async (sql: string) => (await client.query(sql)).rows;
          return {
            history: await one(
              'select version, name, statements from supabase_migrations.schema_migrations order by version',
            ),
            catalog: await takeSnapshot(client),
            buckets: await one(
              'select id, name, public, file_size_limit, allowed_mime_types from storage.buckets order by id',
            ),
            published: await one(
              "select schemaname, tablename from pg_publication_tables where pubname = 'supabase_realtime' order by 1, 2",
            ),
          };
        } finally {
          await client.end();
        }
      };
      const [a, b] = await Promise.all([facts(ours), facts(theirs)]);
      expect(a.history).toHaveLength(all.length);
      expect(a.history).toEqual(b.history);
      expect(a.catalog).toEqual(b.catalog);
      expect(a.buckets).toEqual([expect.objectContaining({ id: 'avatars', public: true })]);
      expect(a.buckets).toEqual(b.buckets);
      expect(a.published).toEqual([{ schemaname: 'public', tablename: 'chat_messages' }]);
      expect(a.published).toEqual(b.published);
      // The policies the corpus puts on storage.objects are part of both catalogs.
      expect(Object.keys(a.catalog.policies ?? {}).filter((k) => k.startsWith('storage.objects.'))).toHaveLength(4);
    } finally {
      await theirs.stop();
    }
  });
});

describe('mode repair against supabase migration repair', () => {
  const rowsOf = (target: TestDatabase) =>
    query(target, 'select version, name, statements from supabase_migrations.schema_migrations order by version');

  it('marks versions applied and reverted with exactly the rows the CLI writes, running no migration', async () => {
    const theirs = await startPostgres();
    try {
      const project = checkout('repair', all.length);
      const [second, fourth, fifth] = [versions(all)[1]!, versions(all)[3]!, versions(all)[4]!];
      const ours = await run(db, project, { mode: 'repair', repairStatus: 'applied', versions: [fourth, second] });
      expect(ours.repaired).toEqual({ status: 'applied', versions: [second, fourth] });
      expect(ours.applied).toEqual([]);
      await supabaseCli(['migration', 'repair', '--status', 'applied', second, fourth], theirs.url, project.root);
      expect(await rowsOf(db)).toHaveLength(2);
      expect(await rowsOf(db)).toEqual(await rowsOf(theirs));
      // Nothing ran: the table the second migration would create is not there.
      expect(await query(db, "select to_regclass('public.profiles') as t")).toEqual([{ t: null }]);

      // Applied again is an upsert on both sides; reverted deletes the rows.
      await run(db, project, { mode: 'repair', repairStatus: 'applied', versions: [fifth, second] });
      await supabaseCli(['migration', 'repair', '--status', 'applied', fifth, second], theirs.url, project.root);
      await run(db, project, { mode: 'repair', repairStatus: 'reverted', versions: [fourth] });
      await supabaseCli(['migration', 'repair', '--status', 'reverted', fourth], theirs.url, project.root);
      expect((await rowsOf(db)).map((r) => r.version)).toEqual([second, fifth]);
      expect(await rowsOf(db)).toEqual(await rowsOf(theirs));
    } finally {
      await theirs.stop();
    }
  });
});

describe('seeds from config.toml against supabase db push --include-seed', () => {
  const seedRows = (target: TestDatabase) =>
    query(target, 'select path, hash from supabase_migrations.seed_files order by path');

  it('seeds the same files in the same order, records the same rows, and only updates the hash of a changed seed', async () => {
    const theirs = await startPostgres();
    try {
      const project = checkout('seeds', all.length);
      const supabaseDir = join(project.root, 'supabase');
      writeFileSync(
        join(supabaseDir, 'config.toml'),
        'project_id = "seeds"\n\n[db]\nmajor_version = 17\n\n[db.seed]\nenabled = true\nsql_paths = ["./seeds/*.sql", "./seed.sql", "./seeds/01_flags.sql"]\n',
      );
      mkdirSync(join(supabaseDir, 'seeds'));
      writeFileSync(
        join(supabaseDir, 'seeds', '02_more_flags.sql'),
        "insert into public.feature_flags (flag_name, enabled, description) values ('second', true, 'from 02');",
      );
      writeFileSync(
        join(supabaseDir, 'seeds', '01_flags.sql'),
        "insert into public.feature_flags (flag_name, enabled, description) values ('first', true, 'from 01');",
      );
      cpSync(join(EXAMPLE, 'seed.sql'), join(supabaseDir, 'seed.sql'));

      const ours = await run(db, project, { includeSeed: true, projectRoot: project.root });
      expect(ours.seedSource).toBe('supabase/config.toml [db.seed] sql_paths');
      expect(ours.seeds).toEqual(
        ['supabase/seeds/01_flags.sql', 'supabase/seeds/02_more_flags.sql', 'supabase/seed.sql'].map((file) => ({
          file,
          status: 'applied',
        })),
      );
      const out = await supabaseCli(['db', 'push', '--include-seed'], theirs.url, project.root);
      expect(out).toMatch(/Seeding data from supabase\/seeds\/01_flags\.sql/);
      expect(await seedRows(db)).toHaveLength(3);
      expect(await seedRows(db)).toEqual(await seedRows(theirs));
      const flags = (target: TestDatabase) =>
        query(target, 'select flag_name from public.feature_flags order by flag_name');
      expect(await flags(db)).toEqual(await flags(theirs));

      // Each tool finds the other's seeds done.
      const again = await supabaseCli(['db', 'push', '--include-seed'], db.url, project.root);
      expect(again).toMatch(/up to date/);
      expect(again).not.toMatch(/Seeding data|Updating seed hash/);
      expect(
        (await run(theirs, project, { includeSeed: true, projectRoot: project.root })).seeds?.map((x) => x.status),
      ).toEqual(['unchanged', 'unchanged', 'unchanged']);

      // A changed seed: neither runs it again (it would insert a duplicate flag); both record the new hash.
      writeFileSync(
        join(supabaseDir, 'seeds', '01_flags.sql'),
        "insert into public.feature_flags (flag_name, enabled, description) values ('first', true, 'from 01, edited');",
      );
      expect((await run(db, project, { includeSeed: true, projectRoot: project.root })).seeds?.[0]).toEqual({
        file: 'supabase/seeds/01_flags.sql',
        status: 'hash updated',
      });
      expect(await supabaseCli(['db', 'push', '--include-seed'], theirs.url, project.root)).toMatch(
        /Updating seed hash to supabase\/seeds\/01_flags\.sql/,
      );
      expect(await seedRows(db)).toEqual(await seedRows(theirs));
      expect(await flags(db)).toEqual(await flags(theirs));
    } finally {
      await theirs.stop();
    }
  });
});
