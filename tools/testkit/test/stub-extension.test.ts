import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import { startPostgres, type TestDatabase } from '../src/postgres';
import { installStubExtension, STUB_EXTENSION_MARKER } from '../src/stub-extension';

// Names no real extension has, so the shared extension directory is never at risk.
const NAME = 'wm_testkit_stub';

describe('installStubExtension', () => {
  let db: TestDatabase;
  let client: pg.Client;

  beforeEach(async () => {
    db = await startPostgres();
    client = await db.connect();
  });
  afterEach(async () => {
    await db?.stop();
  });

  it('makes create extension work: default version, install script run, update script to the newer version', async () => {
    const stub = await installStubExtension(db.serverUrl, {
      name: NAME,
      versions: ['1.0', '1.1'],
      defaultVersion: '1.1',
      // Relocatable: objects go to the schema create extension names (no @extschema@ here).
      sql: (v) => `create function stub_version() returns text language sql as $$ select '${v}' $$;`,
    });
    expect(stub.files.map((f) => f.slice(stub.directory.length + 1)).sort()).toEqual([
      `${NAME}--1.0--1.1.sql`,
      `${NAME}--1.0.sql`,
      `${NAME}--1.1.sql`,
      `${NAME}.control`,
    ]);

    const available = await client.query<{ version: string }>(
      'select version from pg_available_extension_versions where name = $1 order by version',
      [NAME],
    );
    expect(available.rows.map((r) => r.version)).toEqual(['1.0', '1.1']);

    await client.query(`create schema stubs; create extension ${NAME} with schema stubs version '1.0'`);
    const installed = await client.query<{ extversion: string; default_version: string; v: string }>(
      `select e.extversion, a.default_version, stubs.stub_version() as v
       from pg_extension e join pg_available_extensions a on a.name = e.extname where e.extname = $1`,
      [NAME],
    );
    expect(installed.rows).toEqual([{ extversion: '1.0', default_version: '1.1', v: '1.0' }]);

    await client.query(`alter extension ${NAME} update`);
    const updated = await client.query<{ extversion: string }>(
      'select extversion from pg_extension where extname = $1',
      [NAME],
    );
    expect(updated.rows[0]?.extversion).toBe('1.1');
  });

  it('honours a fixed schema (non-relocatable), like pg_graphql', async () => {
    await installStubExtension(db.serverUrl, {
      name: `${NAME}_fixed`,
      schema: 'wm_stub_schema',
      // create extension makes the fixed schema; the script only fills it.
      sql: 'create function @extschema@.ping() returns int language sql as $$ select 1 $$;',
    });
    await client.query(`create extension ${NAME}_fixed`);
    const { rows } = await client.query<{ nspname: string; extrelocatable: boolean; ping: number }>(
      `select n.nspname, e.extrelocatable, wm_stub_schema.ping() as ping
       from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = $1`,
      [`${NAME}_fixed`],
    );
    expect(rows).toEqual([{ nspname: 'wm_stub_schema', extrelocatable: false, ping: 1 }]);
  });

  it('is idempotent and safe when workers install the same stub at once', async () => {
    const options = { name: `${NAME}_race`, versions: ['1.0', '2.0'], sql: 'select 1;' };
    const results = await Promise.all(Array.from({ length: 6 }, () => installStubExtension(db.serverUrl, options)));
    const first = results[0]!;
    const mtimes = first.files.map((f) => statSync(f).mtimeMs);
    const again = await installStubExtension(db.serverUrl, options);
    expect(again.files).toEqual(first.files);
    // Identical content is not rewritten.
    expect(again.files.map((f) => statSync(f).mtimeMs)).toEqual(mtimes);
    expect(readFileSync(join(first.directory, `${NAME}_race.control`), 'utf8')).toContain("default_version = '2.0'");
    // No temp file is left behind.
    expect(readdirSync(first.directory).filter((f) => f.startsWith(`${NAME}_race`) && f.endsWith('.tmp'))).toEqual([]);
    await client.query(`create extension ${NAME}_race`);
  });

  it('refuses to overwrite a real extension and says which file', async () => {
    const stub = await installStubExtension(db.serverUrl, { name: NAME });
    const real = join(stub.directory, 'plpgsql.control');
    const before = readFileSync(real, 'utf8');
    expect(before.startsWith(STUB_EXTENSION_MARKER)).toBe(false);
    await expect(installStubExtension(db.serverUrl, { name: 'plpgsql' })).rejects.toThrow(
      `${real} belongs to a real extension`,
    );
    expect(readFileSync(real, 'utf8')).toBe(before);
  });

  it('rejects a default version that has no script and names outside plain identifiers', async () => {
    await expect(
      installStubExtension(db.serverUrl, { name: NAME, versions: ['1.0'], defaultVersion: '2.0' }),
    ).rejects.toThrow("defaultVersion '2.0' is not one of 1.0");
    await expect(installStubExtension(db.serverUrl, { name: '../evil' })).rejects.toThrow(
      'not a plain lowercase identifier',
    );
  });
});
