import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { compareVersions, findPendingMigrations, seedFileHash } from '../src/cli-compat';
import { listMigrations, MigrationFilesError, parseIrreversible, readDownScript } from '../src/files';
import { MetaCommandError } from '../src/splitter';

let root: string;
const write = async (rel: string, content: string | Uint8Array) => {
  const p = path.join(root, rel);
  await mkdir(path.dirname(p), { recursive: true });
  await writeFile(p, content);
};

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'wingman-files-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('listMigrations', () => {
  it('lists <version>_<name>.sql with statements, relative and absolute paths', async () => {
    await write('supabase/migrations/20240102000000_add_posts.sql', 'create table posts (id int);\n-- done\n');
    await write('supabase/migrations/20240101000000_init_schema.sql', 'create schema app;');
    const { migrations, skipped } = await listMigrations('supabase/migrations', { root });
    expect(skipped).toEqual([]);
    expect(migrations.map((m) => [m.version, m.name, m.file])).toEqual([
      ['20240101000000', 'init_schema', 'supabase/migrations/20240101000000_init_schema.sql'],
      ['20240102000000', 'add_posts', 'supabase/migrations/20240102000000_add_posts.sql'],
    ]);
    expect(migrations[1]?.path).toBe(path.join(root, 'supabase/migrations/20240102000000_add_posts.sql'));
    expect(migrations[1]?.statements.map((s) => s.text)).toEqual(['create table posts (id int)', '-- done']);
    expect(migrations[1]?.sql).toBe('create table posts (id int);\n-- done\n');
  });

  it('skips names the CLI skips, with its reasons, and ignores sub-directories', async () => {
    await write('m/20240101000000_ok.sql', 'select 1;');
    await write('m/README.md', '# notes');
    await write('m/.gitkeep', '');
    await write('m/abc_x.sql', 'select 1;');
    await write('m/20240101000001_upper.SQL', 'select 1;');
    await write('m/20240101000002_nested/20240101000003_inner.sql', 'select 1;');
    const { migrations, skipped } = await listMigrations('m', { root });
    expect(migrations.map((m) => m.name)).toEqual(['ok']);
    expect(skipped).toEqual([
      { file: 'm/.gitkeep', reason: 'file name must match pattern "<timestamp>_name.sql"' },
      { file: 'm/20240101000001_upper.SQL', reason: 'file name must match pattern "<timestamp>_name.sql"' },
      { file: 'm/README.md', reason: 'file name must match pattern "<timestamp>_name.sql"' },
      { file: 'm/abc_x.sql', reason: 'file name must match pattern "<timestamp>_name.sql"' },
    ]);
  });

  it('skips a legacy <timestamp>_init.sql only when it is the first entry and older than 2021-12-09', async () => {
    await write('a/20211208000000_init.sql', 'select 1;');
    await write('a/20211208000001_next.sql', 'select 1;');
    const a = await listMigrations('a', { root });
    expect(a.skipped.map((s) => s.reason)).toEqual([
      'replace "init" with a different file name to apply this migration',
    ]);
    expect(a.migrations.map((m) => m.version)).toEqual(['20211208000001']);

    await write('b/20211209000000_init.sql', 'select 1;');
    expect((await listMigrations('b', { root })).migrations).toHaveLength(1);
  });

  it('orders by version string the way supabase@2.117.0 does, not by file name', async () => {
    await write('v/10_a.sql', 'select 10;');
    await write('v/1_b.sql', 'select 1;');
    await write('v/9_c.sql', 'select 9;');
    await write('v/20240101000000_d.sql', 'select 2024;');
    const { migrations } = await listMigrations('v', { root });
    expect(migrations.map((m) => m.version)).toEqual(['1', '10', '20240101000000', '9']);
  });

  it('takes an empty name and keeps the rest of the name verbatim', async () => {
    await write('n/1_.sql', 'select 1;');
    await write('n/2_with_more_under.scores.sql', 'select 2;');
    const { migrations } = await listMigrations('n', { root });
    expect(migrations.map((m) => m.name)).toEqual(['', 'with_more_under.scores']);
  });

  it('fails on two files with the same version, naming both', async () => {
    await write('d/20240101000000_a.sql', 'select 1;');
    await write('d/20240101000000_b.sql', 'select 2;');
    await expect(listMigrations('d', { root })).rejects.toThrow(
      /d\/20240101000000_a\.sql and d\/20240101000000_b\.sql share version 20240101000000/,
    );
  });

  it('fails with one line naming the input and the path when the directory is missing or a file', async () => {
    const err = await listMigrations('nope/migrations', { root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationFilesError);
    expect((err as Error).message).toBe(
      `migrations-dir: directory ${path.join(root, 'nope/migrations')} does not exist; set migrations-dir to the folder that holds <timestamp>_name.sql files (Supabase default: supabase/migrations)`,
    );
    await write('afile', 'x');
    await expect(listMigrations('afile', { root })).rejects.toThrow(
      /^migrations-dir: .*afile is a file, not a directory/,
    );
  });

  it('prefixes split errors with the file', async () => {
    await write('e/20240101000000_meta.sql', 'select 1;\n\\i other.sql\n');
    const err = await listMigrations('e', { root }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MetaCommandError);
    expect((err as MetaCommandError).message).toMatch(/^e\/20240101000000_meta\.sql: psql meta-command \\i at line 2/);
    expect((err as MetaCommandError).file).toBe('e/20240101000000_meta.sql');
  });

  it('rejects files that are not UTF-8', async () => {
    await write('u/20240101000000_latin1.sql', Buffer.from([0x73, 0x65, 0x6c, 0x65, 0x63, 0x74, 0x20, 0xe9, 0x3b]));
    await expect(listMigrations('u', { root })).rejects.toThrow(/u\/20240101000000_latin1\.sql: not valid UTF-8/);
  });
});

describe('readDownScript', () => {
  const migration = { version: '20240101000000', name: 'add_posts' };

  it('reads <rollbacks-dir>/<version>_<name>.sql and splits it', async () => {
    await write('supabase/rollbacks/20240101000000_add_posts.sql', 'drop table posts;\n');
    const down = await readDownScript('supabase/rollbacks', migration, { root });
    expect(down).toMatchObject({
      file: 'supabase/rollbacks/20240101000000_add_posts.sql',
      irreversible: null,
    });
    expect(down?.statements.map((s) => s.text)).toEqual(['drop table posts']);
  });

  it('returns null when the down script does not exist', async () => {
    await mkdir(path.join(root, 'supabase/rollbacks'), { recursive: true });
    expect(await readDownScript('supabase/rollbacks', migration, { root })).toBeNull();
  });

  it('fails naming rollbacks-dir when the directory is missing', async () => {
    await expect(readDownScript('supabase/rollbacks', migration, { root })).rejects.toThrow(
      /^rollbacks-dir: directory .*supabase\/rollbacks does not exist/,
    );
  });

  it('detects a first line "-- irreversible: <reason>"', async () => {
    await write(
      'r/20240101000000_add_posts.sql',
      '-- irreversible: drops user data that cannot be restored\nselect 1;\n',
    );
    const down = await readDownScript('r', migration, { root });
    expect(down?.irreversible).toBe('drops user data that cannot be restored');
  });

  it('only honours the marker on the first line', () => {
    expect(parseIrreversible('-- Irreversible:   data loss  \r\n')).toBe('data loss');
    expect(parseIrreversible('\uFEFF-- irreversible: x')).toBe('x');
    expect(parseIrreversible('-- irreversible:')).toBe('marked irreversible (no reason given)');
    expect(parseIrreversible('select 1;\n-- irreversible: late')).toBeNull();
    expect(parseIrreversible('-- this is irreversible: no')).toBeNull();
  });
});

describe('CLI version logic', () => {
  it('compares versions as strings', () => {
    expect(compareVersions('10', '9')).toBe(-1);
    expect(compareVersions('20240101000000', '20240101000000')).toBe(0);
    expect(compareVersions('20240102000000', '20240101000000')).toBe(1);
  });

  it('finds pending migrations after the remote head', () => {
    expect(findPendingMigrations(['1', '2', '3'], ['1'])).toEqual({
      pending: ['2', '3'],
      missingLocal: [],
      outOfOrder: [],
    });
    expect(findPendingMigrations(['1', '2'], ['1', '2']).pending).toEqual([]);
  });

  it('reports remote versions without a local file', () => {
    expect(findPendingMigrations(['1', '3'], ['1', '2', '3'])).toEqual({
      pending: [],
      missingLocal: ['2'],
      outOfOrder: [],
    });
    expect(findPendingMigrations(['1'], ['1', '2']).missingLocal).toEqual(['2']);
  });

  it('refuses out-of-order local files unless include-all', () => {
    expect(findPendingMigrations(['1', '2', '3', '4'], ['1', '3'])).toEqual({
      pending: [],
      missingLocal: [],
      outOfOrder: ['2'],
    });
    expect(findPendingMigrations(['1', '2', '3', '4'], ['1', '3'], true)).toEqual({
      pending: ['2', '4'],
      missingLocal: [],
      outOfOrder: ['2'],
    });
  });

  it('hashes seed files as lowercase hex SHA-256 of the raw bytes', () => {
    expect(seedFileHash('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(seedFileHash(Buffer.from('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
