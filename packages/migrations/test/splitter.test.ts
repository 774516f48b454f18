import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { isNonTransactional, isTransactionControl } from '../src/cli-compat';
import { listMigrations } from '../src/files';
import { lineAt, MetaCommandError, SqlSplitError, splitStatements, UnterminatedError } from '../src/splitter';
import { SUPABASE_CLI, supabaseDbPush } from './helpers';
import { applyMode, cliSplitAndTrim, isRoleReset } from './supabase-cli-port';

const texts = (sql: string) => splitStatements(sql).map((s) => s.text);

// Every case the CLI handles must produce exactly what the CLI stores.
function expectCliIdentical(sql: string, expected: string[]) {
  expect(texts(sql)).toEqual(expected);
  expect(cliSplitAndTrim(sql)).toEqual(expected);
}

describe('splitStatements: stored text matches the Supabase CLI', () => {
  it('cuts the trailing semicolon, trims, and keeps comments that precede a statement', () => {
    expectCliIdentical('create table a (id int);\n\n-- about b\ncreate table b (id int);\n', [
      'create table a (id int)',
      '-- about b\ncreate table b (id int)',
    ]);
  });

  it('keeps a trailing comment after the last semicolon as its own statement', () => {
    expectCliIdentical('select 1;\n-- end of file\n/* block */\n', ['select 1', '-- end of file\n/* block */']);
    const [, tail] = splitStatements('select 1;\n-- end of file\n');
    expect(tail?.commentOnly).toBe(true);
  });

  it('drops empty statements and whitespace-only files', () => {
    expectCliIdentical('select 1;;\n ; ;\nselect 2;', ['select 1', 'select 2']);
    expectCliIdentical('', []);
    expectCliIdentical('\n \t\r\n', []);
  });

  it('keeps a last statement without a semicolon', () => {
    expectCliIdentical('select 1;\nselect 2\n', ['select 1', 'select 2']);
  });

  it('trims whitespace before the semicolon and keeps CRLF inside statements', () => {
    expectCliIdentical('select 1 \t;\r\n-- c\r\nselect 2;\r\n', ['select 1', '-- c\r\nselect 2']);
  });

  it('does not split on semicolons in single-quoted strings with doubled quotes', () => {
    expectCliIdentical("insert into t values ('a;b', 'it''s; ok', '');select 2;", [
      "insert into t values ('a;b', 'it''s; ok', '')",
      'select 2',
    ]);
  });

  it('does not split on semicolons in double-quoted identifiers', () => {
    expectCliIdentical('create table "we;ird""name" (x int); select 1;', [
      'create table "we;ird""name" (x int)',
      'select 1',
    ]);
  });

  it('handles E strings whose backslash escapes the CLI also accepts', () => {
    expectCliIdentical("select E'\\\\n;', E'tab\\t;'; select 2;", ["select E'\\\\n;', E'tab\\t;'", 'select 2']);
  });

  it("splits E'\\'' strings correctly where the CLI cannot (it ends the string at \\')", () => {
    const sql = "select E'it\\'s; fine'; select 2;";
    expect(texts(sql)).toEqual(["select E'it\\'s; fine'", 'select 2']);
    // CLI limitation: it splits inside the string, and the server rejects both halves
    expect(cliSplitAndTrim(sql)).toEqual(["select E'it\\'s", "fine'; select 2"]);
  });

  it('does not split inside $$ or $tag$ dollar quotes, nested tags included', () => {
    const fn = [
      'create function f() returns text language plpgsql as $fn$',
      "declare s text := 'a;b';",
      'begin',
      '  -- comment ; inside',
      "  s := s || $$;'$$ || $x$ $$ ; $x$;",
      '  return s;',
      'end;',
      '$fn$',
    ].join('\n');
    expectCliIdentical(`${fn};\nselect $$;$$;`, [fn, 'select $$;$$']);
  });

  it('does not take $1 parameters for dollar quotes', () => {
    expectCliIdentical('prepare p as select $1 + $2; execute p(1, 2);', [
      'prepare p as select $1 + $2',
      'execute p(1, 2)',
    ]);
  });

  it('ignores semicolons and quotes in line comments', () => {
    expectCliIdentical('select 1 -- don\'t; split "here\n, 2;\nselect 3;', [
      'select 1 -- don\'t; split "here\n, 2',
      'select 3',
    ]);
  });

  it('ignores semicolons and quotes in nested block comments', () => {
    expectCliIdentical('/* outer /* inner ; \' */ still ; " */ select 1; select 2;', [
      '/* outer /* inner ; \' */ still ; " */ select 1',
      'select 2',
    ]);
  });

  it('keeps BEGIN ATOMIC ... END bodies of SQL functions and procedures whole', () => {
    const fn =
      'create or replace function add1(a int) returns int\nlanguage sql\nbegin atomic\n  select a + 1;\n  select a + 2;\nend';
    const proc = 'CREATE PROCEDURE p() LANGUAGE SQL BEGIN ATOMIC INSERT INTO t VALUES (1); END';
    expectCliIdentical(`${fn};\n${proc};\nselect 1;`, [fn, `${proc}`, 'select 1']);
  });

  it('counts CASE ... END inside BEGIN ATOMIC where the CLI stops at the first END', () => {
    const fn =
      'create function g(a int) returns int language sql begin atomic select case when a > 0 then 1 else 2 end; end';
    expect(texts(`${fn}; select 1;`)).toEqual([fn, 'select 1']);
    expect(cliSplitAndTrim(`${fn}; select 1;`)).not.toContain(fn);
  });

  it('keeps CREATE INDEX CONCURRENTLY as its own statement', () => {
    expectCliIdentical('create table t (x int);\ncreate index concurrently if not exists t_x on t (x);\n', [
      'create table t (x int)',
      'create index concurrently if not exists t_x on t (x)',
    ]);
  });

  it('keeps a rule with several actions in parentheses whole', () => {
    const rule = 'create rule r as on insert to t do also (notify a; notify b)';
    expectCliIdentical(`${rule}; select 1;`, [rule, 'select 1']);
  });

  it('strips BOMs the way the CLI does', () => {
    expectCliIdentical('\uFEFFselect 1;\uFEFF select 2;', ['select 1', 'select 2']);
  });

  it('agrees with the CLI port on a realistic schema file', () => {
    const sql = [
      '-- Schema for profiles',
      'create extension if not exists "uuid-ossp" with schema extensions;',
      '',
      'create table public.profiles (',
      '  id uuid primary key default extensions.uuid_generate_v4(),',
      "  handle text not null check (handle ~ '^[a-z0-9_;]+$'),",
      "  bio text default E'line\\nbreak'",
      ');',
      'alter table public.profiles enable row level security;',
      'create policy "read own" on public.profiles for select using (auth.uid() = id);',
      'create or replace function public.handle_new_user() returns trigger',
      'language plpgsql security definer set search_path = public as $$',
      'begin',
      "  insert into public.profiles (id, handle) values (new.id, 'user_' || substr(new.id::text, 1, 8));",
      '  return new;',
      'end;',
      '$$;',
      'comment on table public.profiles is $c$Profiles; one per user$c$;',
    ].join('\n');
    const ours = texts(sql);
    expect(ours).toHaveLength(6);
    expect(cliSplitAndTrim(sql)).toEqual(ours);
  });
});

describe('splitStatements: positions', () => {
  it('reports offset and 1-based line of the first non-space char', () => {
    const sql = '\n\n  select 1;\n-- note\nselect 2;';
    const [a, b] = splitStatements(sql);
    expect(a).toMatchObject({ start: 4, line: 3, codeLine: 3 });
    expect(sql.slice(a?.start)).toMatch(/^select 1/);
    expect(b).toMatchObject({ line: 4, codeLine: 5, commentOnly: false });
    expect(sql.slice(b?.codeStart)).toMatch(/^select 2/);
  });

  it('counts lines correctly after multi-line dollar bodies and comments', () => {
    const sql = [
      'create function f() returns void language plpgsql as $$', // 1
      'begin', // 2
      '  perform 1;', // 3
      'end;', // 4
      '$$;', // 5
      '/* a', // 6
      '   b */', // 7
      'select 1;', // 8
      '', // 9
      'select 2;', // 10
    ].join('\n');
    const stmts = splitStatements(sql);
    expect(stmts.map((s) => [s.line, s.codeLine])).toEqual([
      [1, 1],
      [6, 8],
      [10, 10],
    ]);
    for (const s of stmts) expect(lineAt(sql, s.start)).toBe(s.line);
  });
});

describe('splitStatements: errors', () => {
  it('rejects psql meta-commands with the command and line', () => {
    const sql = 'select 1;\n\n\\i other.sql\nselect 2;';
    expect(() => splitStatements(sql)).toThrow(MetaCommandError);
    try {
      splitStatements(sql);
    } catch (err) {
      const e = err as MetaCommandError;
      expect(e.command).toBe('\\i');
      expect(e.line).toBe(3);
      expect(e.message).toBe(
        'psql meta-command \\i at line 3 is not SQL: run-migrations sends statements to the server; inline the file or use SQL',
      );
      expect(e.withFile('supabase/migrations/1_x.sql').message).toMatch(/^supabase\/migrations\/1_x\.sql: psql/);
    }
  });

  it('names \\set, \\copy and \\! and ignores backslashes inside strings, comments and dollar quotes', () => {
    expect(() => splitStatements('\\set ON_ERROR_STOP on\n')).toThrow(/meta-command \\set at line 1/);
    expect(() => splitStatements('select 1;\n  \\copy t from x.csv')).toThrow(/\\copy at line 2/);
    expect(() => splitStatements('\\! ls')).toThrow(/\\! at line 1/);
    expect(texts("select '\\i', $$\\set$$; -- \\copy\n/* \\i */ select 2;")).toEqual([
      "select '\\i', $$\\set$$",
      '-- \\copy\n/* \\i */ select 2',
    ]);
  });

  it('reports unterminated quotes, dollar quotes and comments at their opening line', () => {
    expect(() => splitStatements("select 1;\nselect 'oops;\n")).toThrow(UnterminatedError);
    expect(() => splitStatements("select 1;\nselect 'oops;\n")).toThrow(/line 2/);
    expect(() => splitStatements('select $body$ never closed')).toThrow(/\$body\$ opened at line 1/);
    expect(() => splitStatements('\n\n/* /* */ select 1;')).toThrow(/block comment \/\* opened at line 3/);
    expect(() => splitStatements('select "x')).toThrow(SqlSplitError);
  });
});

describe('2.117.0 apply rules', () => {
  it('recognises statements that must run outside a transaction, past leading comments', () => {
    expect(isNonTransactional('-- build it\ncreate unique index concurrently i on t (x)')).toBe(true);
    expect(isNonTransactional('DROP INDEX CONCURRENTLY i')).toBe(true);
    expect(isNonTransactional('vacuum (analyze) t')).toBe(true);
    expect(isNonTransactional('create index i on t (x)')).toBe(false);
  });

  it('recognises transaction control but not savepoint rollbacks', () => {
    expect(isTransactionControl('begin')).toBe(true);
    expect(isTransactionControl('/* x */ COMMIT')).toBe(true);
    expect(isTransactionControl('rollback')).toBe(true);
    expect(isTransactionControl('rollback to savepoint s')).toBe(false);
    expect(isTransactionControl('ROLLBACK WORK TO s')).toBe(false);
    expect(isTransactionControl('create function f() returns int language sql begin atomic select 1; end')).toBe(false);
  });

  it('picks the apply mode from the marker line and from transaction control', () => {
    expect(applyMode('-- pg-delta: transaction=false\r\nvacuum;')).toBe('none');
    expect(applyMode('\uFEFF-- pg-delta: transaction=false\nselect 1;')).toBe('none');
    expect(applyMode('-- pg-delta: transaction=false (no)\nselect 1;')).toBe('batched');
    expect(applyMode('begin; select 1; commit;')).toBe('sequential');
    expect(applyMode('select 1;')).toBe('batched');
  });

  it('recognises role resets', () => {
    expect(isRoleReset('reset role')).toBe(true);
    expect(isRoleReset("SET ROLE 'none'")).toBe(true);
    expect(isRoleReset('set role authenticated')).toBe(false);
  });
});

describe('splitStatements and the CLI port agree on generated files', () => {
  // Fragments the CLI lexes correctly; joined at random they must split identically.
  const fragments = [
    'select 1',
    "select 'a;b', 'it''s'",
    'select "col;1" from "t""x"',
    "select E'\\\\n;'",
    'select $$ ; $$',
    'select $tag$ $$ ; $x$ $tag$',
    'select $1::int',
    'select (1 + (2 * 3))',
    'create rule r as on insert to t do also (notify a; notify b)',
    'create function f() returns int language sql begin atomic select 1; select 2; end',
    'create index concurrently i on t (x)',
    "select 1 -- trailing ; 'comment'\n",
    "/* a /* b ; ' */ c */ select 2",
    'select ünïcödé, $é$ ; $é$',
  ];
  const glue = [';', ';\n', ' ;\r\n', ';;\n\n', ';\n-- between ; "x"\n', ';\n/* gap; */\n', ';\t\u00a0', ';\u0085'];

  it('for 500 pseudo-random files', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let k = 0; k < 500; k++) {
      let sql = rand(4) === 0 ? '\n-- header\n' : '';
      const count = 1 + rand(6);
      for (let j = 0; j < count; j++) {
        sql += fragments[rand(fragments.length)];
        if (j < count - 1 || rand(2) === 0) sql += glue[rand(glue.length)];
      }
      expect(texts(sql)).toEqual(cliSplitAndTrim(sql));
    }
  });
});

describe('byte-identical with what supabase@2.117.0 stores', () => {
  const files: Record<string, string> = {
    '20240101000001_empty.sql': '',
    '20240101000002_comment_only.sql': '-- nothing to do here; really\n',
    '20240101000003_crlf.sql': 'create table a (id int);\r\n-- b next\r\ncreate table b (id int);\r\n',
    '20240101000004_tricky.sql': [
      '-- leading comment; with \'quote\' and "dq"',
      "/* block /* nested ; ' */ still ; */",
      'create table public.t (',
      '  id int primary key, -- inline ; comment',
      "  note text default 'it''s; fine',",
      '  "weird;name" text',
      ');',
      'create or replace function public.f(x int) returns text language plpgsql as $fn$',
      "declare s text := 'a;b';",
      'begin',
      "  s := s || $$;$$ || E'\\\\';",
      '  return s;',
      'end;',
      '$fn$;',
      'create or replace function public.g(a int) returns int language sql',
      'begin atomic',
      '  select a + 1;',
      'end;',
      "select E'\\\\n;' as x;",
      'create index concurrently if not exists t_note on public.t (note);',
      "insert into public.t (id, note) values (1, 'x'), (2, $q$y;'z$q$);   ;;",
      'select 1 /* trailing block */ ;',
      '-- final comment; no newline after the last statement',
      "select 'last statement without semicolon'",
    ].join('\n'),
    '20240101000005_tail_comment.sql': 'create table c (id int);\n-- end of file\n/* and a block */\n',
    '20240101000006_bom.sql': '\uFEFFcreate table d (id int);\n',
    // trimmed by JS trim(); U+0085 is not (the server then rejects it), see the generated-files test
    '20240101000007_unicode_spaces.sql': 'select 1;\u00a0select 2\u3000;\u2028select 3;\u2029',
  };

  it('db push stores the statements splitStatements returns', async () => {
    expect(existsSync(SUPABASE_CLI)).toBe(true);
    const serverUrl = process.env.TEST_DATABASE_URL;
    if (!serverUrl) throw new Error('TEST_DATABASE_URL is not set: the jest globalSetup could not start PostgreSQL');
    const database = `wm_cli_${Date.now().toString(36)}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    const work = await mkdtemp(path.join(os.tmpdir(), 'wm-cli-interop-'));
    try {
      await admin.query(`create database ${database}`);
      await mkdir(path.join(work, 'supabase/migrations'), { recursive: true });
      for (const [name, sql] of Object.entries(files))
        await writeFile(path.join(work, 'supabase/migrations', name), sql);
      const url = new URL(serverUrl);
      url.pathname = `/${database}`;
      await supabaseDbPush(url.toString(), work);
      const db = new pg.Client({ connectionString: url.toString() });
      await db.connect();
      const { rows } = await db.query<{ version: string; name: string; statements: string[] }>(
        'select version, name, statements from supabase_migrations.schema_migrations order by version',
      );
      await db.end();
      const { migrations } = await listMigrations(path.join(work, 'supabase/migrations'));
      expect(rows).toHaveLength(Object.keys(files).length);
      expect(rows).toEqual(
        migrations.map((m) => ({ version: m.version, name: m.name, statements: m.statements.map((s) => s.text) })),
      );
      // the shapes that matter for drift checks
      expect(rows[0]?.statements).toEqual([]);
      expect(rows[1]?.statements).toEqual(['-- nothing to do here; really']);
    } finally {
      await admin.query(`drop database if exists ${database} with (force)`).catch(() => {});
      await admin.end();
      await rm(work, { recursive: true, force: true });
    }
  }, 150_000);
});
