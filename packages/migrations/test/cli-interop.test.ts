// The Supabase CLI and run-migrations share one migrations folder and one history table: after
// either tool, the other applies exactly what is left, and neither sees drift.
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startPostgres, type TestDatabase } from '@wingman/testkit';
import { EXAMPLE, historyVersions, query, run, supabaseDbPush } from './helpers';

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
    expect(all).toHaveLength(8);
    await supabaseDbPush(db.url, checkout('cli-first-old', 4).root);
    expect(await historyVersions(db)).toEqual(versions(all.slice(0, 4)));

    const result = await run(db, checkout('cli-first-new', 8));
    expect(result.applied).toEqual(versions(all.slice(4)));
    expect(await historyVersions(db)).toEqual(versions(all));
    // And once more: the CLI's rows and ours compare equal, so nothing is pending and nothing drifted.
    expect((await run(db, checkout('cli-first-again', 8))).applied).toEqual([]);
  });

  it('after run-migrations, db push applies exactly the rest and the rows match what the CLI would write', async () => {
    const first = await run(db, checkout('ours-first-old', 3));
    expect(first.applied).toEqual(versions(all.slice(0, 3)));

    const out = await supabaseDbPush(db.url, checkout('ours-first-new', 8).root);
    for (const f of all.slice(0, 3)) expect(out).not.toContain(f);
    for (const f of all.slice(3)) expect(out).toContain(f);
    expect(await historyVersions(db)).toEqual(versions(all));

    // A second push finds nothing to do (it would fail or re-apply if our rows were not the CLI's).
    const again = await supabaseDbPush(db.url, checkout('ours-first-again', 8).root);
    expect(again).toMatch(/up to date/i);
    const rows = await query<{ version: string; statements: string[] }>(
      db,
      'select version, statements from supabase_migrations.schema_migrations order by version',
    );
    expect(rows.every((r) => Array.isArray(r.statements) && r.statements.length > 0)).toBe(true);
  });
});
