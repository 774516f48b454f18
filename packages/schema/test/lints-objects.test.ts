// The object lints on real PostgreSQL 17: for each rule a case it must find, near-misses it must
// not, and its fix applied to the database must make the finding go away.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { installStubExtension, startPostgres, type TestDatabase } from '@wingman/testkit';
import type { Finding, Rule } from '../src/findings';
import { objectRules } from '../src/lints/objects';
import { contextFor, findingsOf } from './lint-helpers';

function ruleNamed(name: string): Rule {
  const rule = objectRules.find((r) => r.name === name);
  if (!rule) throw new Error(`no rule ${name}`);
  return rule;
}

const objects = (findings: Finding[]) => findings.map((f) => f.object);

let db: TestDatabase;
beforeEach(async () => {
  db = await startPostgres();
});
afterEach(async () => {
  await db?.stop();
});

/** Runs every finding's fix, then the rule again. */
async function afterFixes(rule: Rule, findings: Finding[], exposed = ['public']): Promise<Finding[]> {
  const client = await db.connect();
  for (const f of findings) if (f.fix) await client.query(f.fix);
  return rule.run(contextFor(client, exposed));
}

describe('objectRules', () => {
  it("carries splinter's names, titles, levels and categories; gated rules say what they require", () => {
    const meta = objectRules.map((r) => [
      r.name,
      r.title,
      r.level,
      r.categories.join(),
      r.requires ?? null,
      !!r.workload,
    ]);
    expect(meta).toEqual([
      ['security_definer_view', 'Security Definer View', 'error', 'SECURITY', null, false],
      ['function_search_path_mutable', 'Function Search Path Mutable', 'warning', 'SECURITY', null, false],
      ['extension_in_public', 'Extension in Public', 'warning', 'SECURITY', null, false],
      ['materialized_view_in_api', 'Materialized View in API', 'warning', 'SECURITY', null, false],
      ['foreign_table_in_api', 'Foreign Table in API', 'warning', 'SECURITY', null, false],
      ['unsupported_reg_types', 'Unsupported reg types', 'warning', 'SECURITY', null, false],
      [
        'insecure_queue_exposed_in_api',
        'Insecure Queue Exposed in API',
        'error',
        'SECURITY',
        { schema: 'pgmq' },
        false,
      ],
      ['extension_versions_outdated', 'Extension Versions Outdated', 'warning', 'SECURITY', null, false],
      [
        'public_bucket_allows_listing',
        'Public Bucket Allows Listing',
        'warning',
        'SECURITY',
        { schema: 'storage' },
        false,
      ],
      [
        'pg_graphql_anon_table_exposed',
        'Public Can See Object in GraphQL Schema',
        'warning',
        'SECURITY',
        { extension: 'pg_graphql' },
        false,
      ],
      [
        'pg_graphql_authenticated_table_exposed',
        'Signed-In Users Can See Object in GraphQL Schema',
        'warning',
        'SECURITY',
        { extension: 'pg_graphql' },
        false,
      ],
      [
        'anon_security_definer_function_executable',
        'Public Can Execute SECURITY DEFINER Function',
        'warning',
        'SECURITY',
        null,
        false,
      ],
      [
        'authenticated_security_definer_function_executable',
        'Signed-In Users Can Execute SECURITY DEFINER Function',
        'warning',
        'SECURITY',
        null,
        false,
      ],
      ['unused_index', 'Unused Index', 'info', 'PERFORMANCE', null, true],
      ['table_bloat', 'Table Bloat', 'info', 'PERFORMANCE', null, true],
    ]);
  });

  it('finds nothing on a fresh Supabase-shaped database (auth and extensions schemas are not the user’s)', async () => {
    const client = await db.connect();
    for (const rule of objectRules) {
      expect({ rule: rule.name, findings: await rule.run(contextFor(client)) }).toEqual({
        rule: rule.name,
        findings: [],
      });
    }
  });
});

describe('security_definer_view', () => {
  const rule = ruleNamed('security_definer_view');
  const fixture = `
    create table public.secrets (id int primary key, owner uuid);
    alter table public.secrets enable row level security;
    create view public.all_secrets as select * from public.secrets;
    create view public.my_secrets with (security_invoker = on) as select * from public.secrets;
    create view public.hidden as select 1 as x;
    revoke all on public.hidden from anon, authenticated;
    create schema internal;
    grant usage on schema internal to anon;
    create view internal.report as select 1 as x;
    grant select on internal.report to anon;
  `;

  it('finds a view without security_invoker that the API roles can read, in exposed schemas only', async () => {
    const findings = await findingsOf(db, rule, fixture);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'security_definer_view',
      level: 'error',
      object: { type: 'view', schema: 'public', name: 'all_secrets' },
      fix: 'alter view public.all_secrets set (security_invoker = on);',
      why: rule.description,
    });
    expect(findings[0]!.message).toContain('public.all_secrets');
    expect(await afterFixes(rule, findings)).toEqual([]);
  });

  it('takes the exposed schemas from the context, not from pgrst.db_schemas', async () => {
    const findings = await findingsOf(db, rule, fixture, ['public', 'internal']);
    expect(objects(findings)).toEqual([
      { type: 'view', schema: 'internal', name: 'report' },
      { type: 'view', schema: 'public', name: 'all_secrets' },
    ]);
  });
});

describe('function_search_path_mutable', () => {
  const rule = ruleNamed('function_search_path_mutable');

  it('finds functions and procedures without search_path in any user schema; the fix pins it', async () => {
    await installStubExtension(db.serverUrl, {
      name: 'wm_stub_funcs',
      sql: 'create function stub_fn() returns int language sql as $$ select 1 $$;',
    });
    const findings = await findingsOf(
      db,
      rule,
      `
      create function public.add_one(i int) returns int language sql as $$ select i + 1 $$;
      create procedure public.touch(t text) language plpgsql as $$ begin end $$;
      create function public.safe(i int) returns int language sql set search_path = '' as $$ select i $$;
      create function public.pinned() returns int language sql set search_path = public, pg_temp as $$ select 1 $$;
      create aggregate public.my_sum(int) (sfunc = int4pl, stype = int);
      create schema private;
      create function private.helper() returns int language sql as $$ select 1 $$;
      create extension wm_stub_funcs with schema public;
      `,
    );
    expect(findings.map((f) => [f.object.schema, f.object.name, f.level, f.fix])).toEqual([
      ['private', 'helper', 'warning', "alter function private.helper() set search_path = '';"],
      ['public', 'add_one', 'warning', "alter function public.add_one(i integer) set search_path = '';"],
      ['public', 'touch', 'warning', "alter procedure public.touch(IN t text) set search_path = '';"],
    ]);
    expect(findings[2]!.message).toMatch(/^Procedure public\.touch\(IN t text\) does not set search_path/);
    expect(await afterFixes(rule, findings)).toEqual([]);
  });
});

describe('extension_in_public', () => {
  const rule = ruleNamed('extension_in_public');

  it('finds extensions in public: moves a relocatable one, explains a pinned one', async () => {
    await installStubExtension(db.serverUrl, { name: 'wm_stub_pinned', relocatable: false });
    const findings = await findingsOf(
      db,
      rule,
      `
      create extension pg_trgm with schema public;
      create extension wm_stub_pinned with schema public;
      create extension citext with schema extensions;
      `,
    );
    expect(findings.map((f) => [f.object, f.level, f.fix])).toEqual([
      [{ type: 'extension', name: 'pg_trgm' }, 'warning', 'alter extension pg_trgm set schema extensions;'],
      [{ type: 'extension', name: 'wm_stub_pinned' }, 'warning', undefined],
    ]);
    expect(findings[1]!.message).toContain('cannot be moved');
    expect(objects(await afterFixes(rule, findings))).toEqual([{ type: 'extension', name: 'wm_stub_pinned' }]);
  });
});

describe('materialized_view_in_api', () => {
  const rule = ruleNamed('materialized_view_in_api');

  it('finds materialized views anon or authenticated can select in exposed schemas', async () => {
    const findings = await findingsOf(
      db,
      rule,
      `
      create table public.orders (id int, total int);
      create materialized view public.order_totals as select sum(total) from public.orders;
      create materialized view public.member_totals as select count(*) from public.orders;
      revoke select on public.member_totals from anon;
      create materialized view public.staff_totals as select count(*) from public.orders;
      revoke select on public.staff_totals from anon, authenticated;
      create schema reporting;
      grant usage on schema reporting to anon;
      create materialized view reporting.daily as select 1 as x;
      grant select on reporting.daily to anon;
      `,
    );
    expect(findings.map((f) => [f.object, f.level, f.fix])).toEqual([
      [
        { type: 'materialized view', schema: 'public', name: 'member_totals' },
        'warning',
        'revoke select on public.member_totals from anon, authenticated;',
      ],
      [
        { type: 'materialized view', schema: 'public', name: 'order_totals' },
        'warning',
        'revoke select on public.order_totals from anon, authenticated;',
      ],
    ]);
    expect(await afterFixes(rule, findings)).toEqual([]);
  });
});

describe('foreign_table_in_api', () => {
  const rule = ruleNamed('foreign_table_in_api');

  it('finds foreign tables the API roles can select in exposed schemas', async () => {
    const findings = await findingsOf(
      db,
      rule,
      `
      create foreign data wrapper wm_fdw;
      create server wm_srv foreign data wrapper wm_fdw;
      create foreign table public.remote_users (id int) server wm_srv;
      create foreign table public.remote_private (id int) server wm_srv;
      revoke all on public.remote_private from anon, authenticated;
      create schema remote;
      create foreign table remote.mirror (id int) server wm_srv;
      grant usage on schema remote to anon;
      grant select on remote.mirror to anon;
      `,
    );
    expect(findings.map((f) => [f.object, f.level, f.fix])).toEqual([
      [
        { type: 'foreign table', schema: 'public', name: 'remote_users' },
        'warning',
        'revoke select on public.remote_users from anon, authenticated;',
      ],
    ]);
    expect(await afterFixes(rule, findings)).toEqual([]);
  });
});

describe('unsupported_reg_types', () => {
  const rule = ruleNamed('unsupported_reg_types');

  it('finds OID-valued reg* columns (arrays too) in stored tables; the fix keeps the values as text', async () => {
    const findings = await findingsOf(
      db,
      rule,
      `
      create table public.jobs (
        id int primary key, handler regproc, ts_config regconfig, target regclass, kind regtype, steps regprocedure[]
      );
      insert into public.jobs values (1, 'now', 'simple', 'public.jobs', 'int4', array['abs(integer)'::regprocedure]);
      create view public.handler_names as select 'now'::regproc as fn;
      create table public.events (id int, fn regproc) partition by range (id);
      create table public.events_1 partition of public.events for values from (0) to (100);
      create schema internal;
      create table internal.hooks (fn regoper);
      `,
    );
    expect(findings.map((f) => [f.object, f.level, f.fix])).toEqual([
      [
        { type: 'column', schema: 'internal', table: 'hooks', name: 'fn' },
        'warning',
        'alter table internal.hooks alter column fn type text;',
      ],
      [
        { type: 'column', schema: 'public', table: 'events', name: 'fn' },
        'warning',
        'alter table public.events alter column fn type text;',
      ],
      [
        { type: 'column', schema: 'public', table: 'jobs', name: 'handler' },
        'warning',
        'alter table public.jobs alter column handler type text;',
      ],
      [
        { type: 'column', schema: 'public', table: 'jobs', name: 'steps' },
        'warning',
        'alter table public.jobs alter column steps type text[];',
      ],
      [
        { type: 'column', schema: 'public', table: 'jobs', name: 'ts_config' },
        'warning',
        'alter table public.jobs alter column ts_config type text;',
      ],
    ]);
    expect(findings[3]!.message).toContain('regprocedure[]');
    expect(await afterFixes(rule, findings)).toEqual([]);
    const client = await db.connect();
    const { rows } = await client.query('select handler, ts_config, steps from public.jobs');
    expect(rows).toEqual([{ handler: 'now', ts_config: 'simple', steps: ['abs(integer)'] }]);
  });
});

describe('insecure_queue_exposed_in_api', () => {
  const rule = ruleNamed('insecure_queue_exposed_in_api');

  beforeAll(async () => {
    const setup = await startPostgres();
    try {
      // pgmq's shape where it matters: schema pgmq, queue tables q_<name> added to the extension.
      await installStubExtension(setup.serverUrl, {
        name: 'pgmq',
        schema: 'pgmq',
        sql: `create function @extschema@.create(queue_name text) returns void language plpgsql as $fn$
          begin
            execute format('create table pgmq.%I (msg_id bigint generated always as identity primary key, read_ct int not null default 0, vt timestamptz not null default now(), message jsonb)', 'q_' || queue_name);
            execute format('alter extension pgmq add table pgmq.%I', 'q_' || queue_name);
          end $fn$;`,
      });
    } finally {
      await setup.stop();
    }
  });

  const fixture = `
    create extension pgmq;
    select pgmq.create('jobs');
    select pgmq.create('emails');
    select pgmq.create('internal');
    create schema pgmq_public;
    grant usage on schema pgmq to anon, authenticated;
    grant select, insert, update, delete on all tables in schema pgmq to anon, authenticated;
    alter table pgmq.q_emails enable row level security;
    revoke all on pgmq.q_internal from anon, authenticated;
    create table pgmq.meta (id int);
    grant select on pgmq.meta to anon;
  `;

  it('finds queue tables without RLS that the API roles can reach once pgmq_public is exposed', async () => {
    const findings = await findingsOf(db, rule, fixture, ['public', 'pgmq_public']);
    expect(findings.map((f) => [f.object, f.level, f.fix])).toEqual([
      [{ type: 'queue', schema: 'pgmq', name: 'jobs' }, 'error', 'alter table pgmq.q_jobs enable row level security;'],
    ]);
    expect(findings[0]!.message).toContain('pgmq.q_jobs');
    expect(await afterFixes(rule, findings, ['public', 'pgmq_public'])).toEqual([]);
  });

  it('finds nothing while no queue schema is exposed', async () => {
    expect(await findingsOf(db, rule, fixture, ['public'])).toEqual([]);
  });
});

describe('extension_versions_outdated', () => {
  const rule = ruleNamed('extension_versions_outdated');

  it('finds an extension behind the default version; the fix updates it', async () => {
    await installStubExtension(db.serverUrl, {
      name: 'wm_stub_versions',
      versions: ['1.0', '1.1'],
      defaultVersion: '1.1',
    });
    await installStubExtension(db.serverUrl, { name: 'wm_stub_current', versions: ['1.0', '2.0'] });
    const findings = await findingsOf(
      db,
      rule,
      `
      create extension wm_stub_versions with schema extensions version '1.0';
      create extension wm_stub_current with schema extensions;
      `,
    );
    expect(findings.map((f) => [f.object, f.level, f.fix])).toEqual([
      [{ type: 'extension', name: 'wm_stub_versions' }, 'warning', "alter extension wm_stub_versions update to '1.1';"],
    ]);
    expect(findings[0]!.message).toBe("Extension wm_stub_versions is at version 1.0; the server's default is 1.1");
    expect(await afterFixes(rule, findings)).toEqual([]);
  });
});

describe('public_bucket_allows_listing', () => {
  const rule = ruleNamed('public_bucket_allows_listing');
  // Storage itself comes with the database (the Supabase bootstrap); the fixture is buckets and policies.
  const storage = `
    insert into storage.buckets (id, name, public) values
      ('avatars', 'avatars', true), ('logos', 'logos', true), ('docs', 'docs', true),
      ('media', 'media', true), ('private', 'private', false), ('o''reilly', 'o''reilly', true);
    create policy "Avatar images are publicly accessible." on storage.objects
      for select using (bucket_id = 'avatars');
    create policy "anon reads logos" on storage.objects for all to anon using (('logos' = bucket_id));
    create policy "books" on storage.objects for select to authenticated using (bucket_id = 'o''reilly'::text);
    -- near-misses: scoped to the owner, restrictive, service_role only, a private bucket
    create policy "own docs" on storage.objects for select using (bucket_id = 'docs' and auth.uid() = owner);
    create policy "media gate" on storage.objects as restrictive for select using (bucket_id = 'media');
    create policy "media for the backend" on storage.objects for select to service_role using (bucket_id = 'media');
    create policy "private listing" on storage.objects for select using (bucket_id = 'private');
  `;

  it('finds public buckets whose whole content a broad SELECT policy lists', async () => {
    const findings = await findingsOf(db, rule, storage);
    expect(findings.map((f) => [f.object, f.level, f.fix])).toEqual([
      [
        { type: 'bucket', schema: 'storage', name: 'avatars' },
        'warning',
        'drop policy "Avatar images are publicly accessible." on storage.objects;',
      ],
      [
        { type: 'bucket', schema: 'storage', name: 'logos' },
        'warning',
        'drop policy "anon reads logos" on storage.objects;',
      ],
      [{ type: 'bucket', schema: 'storage', name: "o'reilly" }, 'warning', 'drop policy books on storage.objects;'],
    ]);
    expect(findings[0]!.message).toBe(
      'Public bucket avatars can be listed by any client: broad SELECT policy "Avatar images are publicly accessible." on storage.objects',
    );
    expect(await afterFixes(rule, findings)).toEqual([]);
  });

  it('counts an always-true policy against every public bucket', async () => {
    const findings = await findingsOf(
      db,
      rule,
      `${storage}
      create policy "anyone reads" on storage.objects for select to public using (true);`,
    );
    expect(findings.map((f) => f.object.name)).toEqual(['avatars', 'docs', 'logos', 'media', "o'reilly"]);
    expect(findings[0]!.fix).toBe(
      'drop policy "Avatar images are publicly accessible." on storage.objects; drop policy "anyone reads" on storage.objects;',
    );
    expect(findings[0]!.message).toContain('policies "Avatar images are publicly accessible.", "anyone reads"');
  });

  it('finds nothing (and does not fail) without a storage schema', async () => {
    expect(await findingsOf(db, rule, '')).toEqual([]);
  });
});

describe('pg_graphql_anon_table_exposed / pg_graphql_authenticated_table_exposed', () => {
  const anonRule = ruleNamed('pg_graphql_anon_table_exposed');
  const authRule = ruleNamed('pg_graphql_authenticated_table_exposed');

  beforeAll(async () => {
    const setup = await startPostgres();
    try {
      await installStubExtension(setup.serverUrl, {
        name: 'pg_graphql',
        schema: 'graphql',
        sql: `create function @extschema@.resolve(query text, variables jsonb default '{}') returns jsonb
          language sql as $fn$ select '{"data": null}'::jsonb $fn$;`,
      });
    } finally {
      await setup.stop();
    }
  });

  const tables = `
    create table public.profiles (id uuid primary key, bio text);
    create view public.profile_ids as select id from public.profiles;
    create table public.admin_notes (id int, body text);
    revoke all on public.admin_notes from anon, authenticated;
    create table public.member_posts (id int, body text);
    revoke all on public.member_posts from anon;
    create table public.teasers (id int, title text, body text);
    revoke all on public.teasers from anon, authenticated;
    grant select (id, title) on public.teasers to anon;
    create schema internal;
    create table internal.audit (id int);
    grant select on internal.audit to anon, authenticated;
  `;
  const names = (findings: Finding[]) =>
    findings.map((f) => `${f.object.type} ${f.object.schema}.${f.object.name}`).sort();

  it('finds what each role can select (column grants too) once pg_graphql is installed', async () => {
    const client = await db.connect();
    await client.query(`create extension pg_graphql; ${tables}`);
    const anon = await anonRule.run(contextFor(client));
    const auth = await authRule.run(contextFor(client));
    expect(names(anon)).toEqual(['table public.profiles', 'table public.teasers', 'view public.profile_ids']);
    expect(names(auth)).toEqual(['table public.member_posts', 'table public.profiles', 'view public.profile_ids']);
    expect(anon.find((f) => f.object.name === 'teasers')).toMatchObject({
      level: 'warning',
      fix: 'revoke select on public.teasers from anon;',
    });
    expect(auth.find((f) => f.object.name === 'profile_ids')).toMatchObject({
      level: 'warning',
      object: { type: 'view', schema: 'public', name: 'profile_ids' },
      fix: 'revoke select on public.profile_ids from authenticated;',
    });
    // The table-level revoke also takes back the column grant on teasers.
    expect(await afterFixes(anonRule, anon)).toEqual([]);
    expect(names(await authRule.run(contextFor(client)))).toEqual(names(auth));
    expect(await afterFixes(authRule, auth)).toEqual([]);
  });

  it('finds nothing without pg_graphql, whatever the grants', async () => {
    expect(await findingsOf(db, anonRule, tables)).toEqual([]);
    expect(await findingsOf(db, authRule, '')).toEqual([]);
  });
});

describe('anon_security_definer_function_executable / authenticated_security_definer_function_executable', () => {
  const anonRule = ruleNamed('anon_security_definer_function_executable');
  const authRule = ruleNamed('authenticated_security_definer_function_executable');
  const fixture = `
    create function public.delete_user(uid uuid) returns void language sql security definer set search_path = ''
      as $$ delete from auth.users where id = uid $$;
    create function public.members_only() returns int language sql security definer set search_path = '' as $$ select 1 $$;
    revoke execute on function public.members_only() from public, anon;
    create function public.locked() returns int language sql security definer set search_path = '' as $$ select 1 $$;
    revoke execute on function public.locked() from public, anon, authenticated;
    create function public.invoker() returns int language sql set search_path = '' as $$ select 1 $$;
    create function public.handle_new_user() returns trigger language plpgsql security definer set search_path = ''
      as $$ begin return new; end $$;
    create schema private;
    grant usage on schema private to anon, authenticated;
    create function private.admin_op() returns int language sql security definer set search_path = '' as $$ select 1 $$;
  `;
  const signatures = (findings: Finding[]) => findings.map((f) => `${f.object.schema}.${f.object.name}`);

  it('finds SECURITY DEFINER functions each role may execute in the exposed schemas', async () => {
    const client = await db.connect();
    await client.query(fixture);
    const anon = await anonRule.run(contextFor(client));
    const auth = await authRule.run(contextFor(client));
    expect(signatures(anon)).toEqual(['public.delete_user']);
    expect(signatures(auth)).toEqual(['public.delete_user', 'public.members_only']);
    expect(anon[0]).toMatchObject({
      level: 'warning',
      object: { type: 'function', schema: 'public', name: 'delete_user' },
      fix: 'revoke execute on function public.delete_user(uid uuid) from public, anon;',
    });
    expect(anon[0]!.message).toContain('/rest/v1/rpc/delete_user');
    expect(signatures(await anonRule.run(contextFor(client, ['public', 'private'])))).toEqual([
      'private.admin_op',
      'public.delete_user',
    ]);

    // splinter_parity: the trigger function too, as Supabase's advisors report it.
    expect(signatures(await anonRule.run(contextFor(client, ['public'], true)))).toEqual([
      'public.delete_user',
      'public.handle_new_user',
    ]);
    expect(signatures(await authRule.run(contextFor(client, ['public'], true)))).toEqual([
      'public.delete_user',
      'public.handle_new_user',
      'public.members_only',
    ]);

    // Revoking from anon (and PUBLIC) leaves authenticated's own grant: only the anon finding goes.
    expect(await afterFixes(anonRule, anon)).toEqual([]);
    expect(signatures(await authRule.run(contextFor(client)))).toEqual(['public.delete_user', 'public.members_only']);
    expect(await afterFixes(authRule, auth)).toEqual([]);
  });
});

describe('unused_index (workload)', () => {
  const rule = ruleNamed('unused_index');

  it('finds indexes never scanned, not those scanned, constraint-backing or covering a foreign key', async () => {
    const findings = await findingsOf(
      db,
      rule,
      `
      create table public.accounts (id bigint primary key, email text unique, a int, b int);
      create index accounts_a_idx on public.accounts (a);
      create index accounts_b_idx on public.accounts (b);
      create table public.entries (id bigint primary key, account_id bigint references public.accounts (id), at timestamptz);
      create index entries_account_id_at_idx on public.entries (account_id, at);
      insert into public.accounts select g, 'u' || g || '@x.test', g % 10, g % 7 from generate_series(1, 1000) g;
      analyze public.accounts;
      set enable_seqscan = off;
      select count(*) from public.accounts where a = 5;
      reset enable_seqscan;
      -- flush this backend's statistics at the end of this statement, before the lint reads them
      select pg_stat_force_next_flush();
      `,
    );
    expect(findings.map((f) => [f.object, f.level, f.fix])).toEqual([
      [
        { type: 'index', schema: 'public', name: 'accounts_b_idx', table: 'accounts' },
        'info',
        'drop index public.accounts_b_idx;',
      ],
    ]);
    // splinter_parity: the index covering the foreign key counts as unused too, as splinter reports it.
    const client = await db.connect();
    try {
      expect((await rule.run(contextFor(client, ['public'], true))).map((f) => f.object.name)).toEqual([
        'accounts_b_idx',
        'entries_account_id_at_idx',
      ]);
    } finally {
      await client.end();
    }
    expect(await afterFixes(rule, findings)).toEqual([]);
  });
});

describe('table_bloat (workload)', () => {
  const rule = ruleNamed('table_bloat');

  it('finds a table far larger than its live rows need; vacuum full clears it; small waste is left alone', async () => {
    const client = await db.connect();
    // ~29 MiB of 1 KiB rows, then all but every 500th deleted: ~50 live rows in ~3,600 pages.
    // Autovacuum is off so that nothing changes the numbers between the statements.
    for (const [table, rows] of [
      ['big', 25_000],
      ['small', 2_000],
    ] as const) {
      await client.query(
        `create table public.${table} (id int, payload text) with (autovacuum_enabled = false);
         insert into public.${table} select g, repeat('x', 1000) from generate_series(1, ${rows}) g`,
      );
      await client.query(`delete from public.${table} where id % 500 <> 0`);
      await client.query(`analyze public.${table}`);
    }
    const findings = await rule.run(contextFor(client));
    expect(findings.map((f) => [f.object, f.level, f.fix])).toEqual([
      [{ type: 'table', schema: 'public', name: 'big' }, 'info', 'vacuum full public.big;'],
    ]);
    expect(findings[0]!.message).toMatch(
      /^Table public\.big takes 2\d\.\d MiB on disk but its live rows need about 0\.\d MiB$/,
    );
    expect(await afterFixes(rule, findings)).toEqual([]);
  });
});
