// The table and policy lints on real PostgreSQL 17 bootstrapped like a Supabase project: for each
// rule a case it must find (object, level, fix, and that the fix really clears it) and near-misses
// it must leave alone.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startPostgres, type TestDatabase } from '@wingman/testkit';
import type { Finding, Rule } from '../src/findings';
import {
  authRlsInitplan,
  authUsersExposed,
  duplicateIndex,
  fkeyToAuthUnique,
  multiplePermissivePolicies,
  noPrimaryKey,
  policyExistsRlsDisabled,
  rlsDisabledInPublic,
  rlsEnabledNoPolicy,
  rlsPolicyAlwaysTrue,
  rlsReferencesUserMetadata,
  sensitiveColumnsExposed,
  tableRules,
  unindexedForeignKeys,
  wrapPerRowCalls,
} from '../src/lints/tables';
import { contextFor, findingsOf } from './lint-helpers';

let db: TestDatabase;
beforeEach(async () => {
  db = await startPostgres();
});
afterEach(async () => {
  await db.stop();
});

/** Runs `sql` as the superuser (a finding's fix, a follow-up change). */
async function run(sql: string): Promise<void> {
  const client = await db.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Applies each finding's fix, then the rule must find nothing more. */
async function expectFixesClear(rule: Rule, findings: Finding[], exposedSchemas?: string[]): Promise<void> {
  expect(findings.length).toBeGreaterThan(0);
  for (const f of findings) {
    expect(f.fix).toBeDefined();
    await run(f.fix!);
  }
  expect(await findingsOf(db, rule, '', exposedSchemas)).toEqual([]);
}

const objects = (findings: Finding[]) => findings.map((f) => f.object);

describe('tableRules', () => {
  it("carries splinter's names, titles, levels and categories", () => {
    expect(tableRules.map((r) => [r.name, r.title, r.level, r.categories.join()])).toEqual([
      ['unindexed_foreign_keys', 'Unindexed foreign keys', 'info', 'PERFORMANCE'],
      ['auth_users_exposed', 'Exposed Auth Users', 'error', 'SECURITY'],
      ['auth_rls_initplan', 'Auth RLS Initialization Plan', 'warning', 'PERFORMANCE'],
      ['no_primary_key', 'No Primary Key', 'info', 'PERFORMANCE'],
      ['multiple_permissive_policies', 'Multiple Permissive Policies', 'warning', 'PERFORMANCE'],
      ['policy_exists_rls_disabled', 'Policy Exists RLS Disabled', 'error', 'SECURITY'],
      ['rls_enabled_no_policy', 'RLS Enabled No Policy', 'info', 'SECURITY'],
      ['duplicate_index', 'Duplicate Index', 'warning', 'PERFORMANCE'],
      ['rls_disabled_in_public', 'RLS Disabled in Public', 'error', 'SECURITY'],
      ['rls_references_user_metadata', 'RLS references user metadata', 'error', 'SECURITY'],
      ['rls_policy_always_true', 'RLS Policy Always True', 'warning', 'SECURITY'],
      ['sensitive_columns_exposed', 'Sensitive Columns Exposed', 'error', 'SECURITY'],
      ['fkey_to_auth_unique', 'Foreign Key to Auth Unique Constraint', 'error', 'SECURITY'],
    ]);
  });

  it("find nothing in a fresh Supabase database (auth's own tables and keys are not the user's)", async () => {
    const client = await db.connect();
    try {
      for (const rule of tableRules) {
        const findings = await rule.run(contextFor(client));
        expect({ rule: rule.name, findings }).toEqual({ rule: rule.name, findings: [] });
      }
    } finally {
      await client.end();
    }
  });

  it('write one-line messages and repeat the rule description as why', async () => {
    const findings = await findingsOf(
      db,
      rlsDisabledInPublic,
      'create table public.open_notes (id int primary key, body text);',
    );
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).not.toContain('\n');
    expect(findings[0]!.why).toBe(rlsDisabledInPublic.description);
    expect(findings[0]!.rule).toBe('rls_disabled_in_public');
  });
});

describe('unindexed_foreign_keys', () => {
  const parents = 'create table public.owners (id uuid primary key, org int, unique (id, org));';

  it('finds a foreign key with no index on its columns and fixes it with create index', async () => {
    const findings = await findingsOf(
      db,
      unindexedForeignKeys,
      `${parents} create table public.pets (id int primary key, owner_id uuid references public.owners (id), name text);`,
    );
    expect(objects(findings)).toEqual([
      { type: 'constraint', schema: 'public', name: 'pets_owner_id_fkey', table: 'pets' },
    ]);
    expect(findings[0]!.level).toBe('info');
    expect(findings[0]!.fix).toBe('create index on public.pets (owner_id);');
    await expectFixesClear(unindexedForeignKeys, findings);
  });

  it('quotes mixed-case and keyword column names in the fix, in key order', async () => {
    const findings = await findingsOf(
      db,
      unindexedForeignKeys,
      `${parents} create table public."Pets" ("Owner" uuid, "order" int, foreign key ("Owner", "order") references public.owners (id, org));`,
    );
    expect(findings.map((f) => f.fix)).toEqual(['create index on public."Pets" ("Owner", "order");']);
    await expectFixesClear(unindexedForeignKeys, findings);
  });

  it('leaves alone keys an index leads with (in any column order), but not a partial or trailing index', async () => {
    const findings = await findingsOf(
      db,
      unindexedForeignKeys,
      `${parents}
       create table public.indexed (owner_id uuid references public.owners (id));
       create index on public.indexed (owner_id);
       create table public.permuted (owner_id uuid, org int, note text, foreign key (owner_id, org) references public.owners (id, org));
       create index on public.permuted (org, owner_id, note);
       create table public.partial (owner_id uuid references public.owners (id), archived bool);
       create index on public.partial (owner_id) where not archived;
       create table public.trailing (created_at timestamptz, owner_id uuid references public.owners (id));
       create index on public.trailing (created_at, owner_id);`,
    );
    expect(objects(findings).map((o) => o.table)).toEqual(['partial', 'trailing']);
  });
});

describe('auth_users_exposed', () => {
  it('finds a view over auth.users in an exposed schema and revokes it from the API roles', async () => {
    const findings = await findingsOf(
      db,
      authUsersExposed,
      'create view public.user_emails as select id, email from auth.users;',
    );
    expect(objects(findings)).toEqual([{ type: 'view', schema: 'public', name: 'user_emails' }]);
    expect(findings[0]!.level).toBe('error');
    expect(findings[0]!.message).toContain('anon, authenticated');
    expect(findings[0]!.fix).toBe('revoke select on public.user_emails from anon, authenticated;');
    await expectFixesClear(authUsersExposed, findings);
  });

  it('finds a materialized view, and revokes from PUBLIC too when PUBLIC holds the grant', async () => {
    const findings = await findingsOf(
      db,
      authUsersExposed,
      `create materialized view public.user_list as select id from auth.users;
       revoke all on public.user_list from anon, authenticated;
       grant select on public.user_list to public;`,
    );
    expect(objects(findings)).toEqual([{ type: 'materialized view', schema: 'public', name: 'user_list' }]);
    expect(findings[0]!.fix).toBe('revoke select on public.user_list from public, anon, authenticated;');
    await expectFixesClear(authUsersExposed, findings);
  });

  it('uses the exposed schemas it is given, not pgrst.db_schemas', async () => {
    const fixture = `create schema api; grant usage on schema api to anon;
       create view api.members as select id from auth.users; grant select on api.members to anon;`;
    expect(await findingsOf(db, authUsersExposed, fixture)).toEqual([]);
    const findings = await findingsOf(db, authUsersExposed, '', ['public', 'api']);
    expect(objects(findings)).toEqual([{ type: 'view', schema: 'api', name: 'members' }]);
    expect(findings[0]!.message).toContain('to anon through');
  });

  it('leaves alone views the API roles cannot read, views not over auth.users, and invoker views when auth.users has RLS', async () => {
    const findings = await findingsOf(
      db,
      authUsersExposed,
      `create view public.private_users as select id from auth.users;
       revoke all on public.private_users from anon, authenticated;
       create table public.profiles (id uuid primary key);
       create view public.profile_ids as select id from public.profiles;
       alter table auth.users enable row level security;
       create view public.me with (security_invoker = on) as select id from auth.users;`,
    );
    expect(findings).toEqual([]);
    // The same invoker view is an exposure again once nothing filters auth.users rows.
    await run('alter table auth.users disable row level security;');
    expect(objects(await findingsOf(db, authUsersExposed, ''))).toEqual([
      { type: 'view', schema: 'public', name: 'me' },
    ]);
  });
});

describe('auth_rls_initplan', () => {
  const notes = `create table public.notes (id int primary key, user_id uuid, body text);
     alter table public.notes enable row level security;`;

  it('finds a policy that calls auth.uid() per row and rewrites it with (select auth.uid())', async () => {
    const findings = await findingsOf(
      db,
      authRlsInitplan,
      `${notes} create policy "Owners read" on public.notes for select to authenticated using (auth.uid() = user_id);`,
    );
    expect(objects(findings)).toEqual([{ type: 'policy', schema: 'public', name: 'Owners read', table: 'notes' }]);
    expect(findings[0]!.level).toBe('warning');
    expect(findings[0]!.message).toContain('auth.uid()');
    expect(findings[0]!.fix).toBe('alter policy "Owners read" on public.notes using ((select auth.uid()) = user_id);');
    await expectFixesClear(authRlsInitplan, findings);
  });

  it('rewrites only the clause that needs it: a WITH CHECK over current_setting()', async () => {
    const findings = await findingsOf(
      db,
      authRlsInitplan,
      `${notes} create policy own_update on public.notes for update
         using ((select auth.uid()) = user_id)
         with check (user_id::text = current_setting('request.jwt.claims', true)::jsonb ->> 'sub');`,
    );
    expect(findings.map((f) => f.fix)).toEqual([
      "alter policy own_update on public.notes with check ((user_id)::text = (((select current_setting('request.jwt.claims'::text, true)))::jsonb ->> 'sub'::text));",
    ]);
    expect(findings[0]!.message).toContain('current_setting()');
    await expectFixesClear(authRlsInitplan, findings);
  });

  it('finds an unwrapped call even when another call in the same policy is wrapped', async () => {
    const findings = await findingsOf(
      db,
      authRlsInitplan,
      `${notes} create policy mixed on public.notes using ((select auth.uid()) = user_id or auth.jwt() ->> 'role' = 'admin');`,
    );
    expect(objects(findings).map((o) => o.name)).toEqual(['mixed']);
    expect(findings[0]!.message).toContain('auth.jwt()');
    expect(findings[0]!.message).not.toContain('auth.uid()');
    await expectFixesClear(authRlsInitplan, findings);
  });

  it('leaves alone wrapped calls, look-alikes inside strings, and tables without RLS', async () => {
    const findings = await findingsOf(
      db,
      authRlsInitplan,
      `${notes}
       create policy wrapped on public.notes using ((select auth.uid()) = user_id);
       create policy wrapped_cast on public.notes for delete using ((select auth.uid()::text) = body);
       create policy literal on public.notes for insert with check (body <> 'auth.uid()');
       create table public.drafts (user_id uuid);
       create policy unenforced on public.drafts using (auth.uid() = user_id);`,
    );
    expect(findings).toEqual([]);
  });
});

describe('wrapPerRowCalls', () => {
  it('wraps bare calls and keeps sub-selected ones', () => {
    expect(wrapPerRowCalls('(auth.uid() = user_id)')).toEqual({
      text: '((select auth.uid()) = user_id)',
      calls: ['auth.uid()'],
    });
    expect(wrapPerRowCalls('(( SELECT auth.uid() AS uid) = user_id)').calls).toEqual([]);
    expect(wrapPerRowCalls('(( SELECT (auth.uid())::text AS uid) = x)').calls).toEqual([]);
  });

  it('wraps current_setting with its arguments, parentheses inside string literals included', () => {
    expect(wrapPerRowCalls("(current_setting('a(b'::text, true) = x)").text).toBe(
      "((select current_setting('a(b'::text, true)) = x)",
    );
  });

  it('ignores look-alikes in literals, quoted identifiers and longer names', () => {
    for (const expr of [
      "(x = 'auth.uid()')",
      '("auth.uid()" = x)',
      '(myauth.uid() = x)',
      '(my_current_setting(1) = x)',
    ]) {
      expect(wrapPerRowCalls(expr)).toEqual({ text: expr, calls: [] });
    }
  });

  it('wraps a call inside a correlated sub-select (it still runs once per outer row)', () => {
    const expr = '(EXISTS ( SELECT 1 FROM members m WHERE ((m.user_id = auth.uid()) AND (m.org = t.org))))';
    expect(wrapPerRowCalls(expr).text).toContain('(m.user_id = (select auth.uid()))');
  });
});

describe('no_primary_key', () => {
  it('finds a table without a primary key and adds an identity key', async () => {
    const findings = await findingsOf(db, noPrimaryKey, 'create table public.logs (msg text);');
    expect(objects(findings)).toEqual([{ type: 'table', schema: 'public', name: 'logs' }]);
    expect(findings[0]!.level).toBe('info');
    expect(findings[0]!.fix).toBe(
      'alter table public.logs add column id bigint generated always as identity primary key;',
    );
    await expectFixesClear(noPrimaryKey, findings);
  });

  it('promotes an existing unique index on NOT NULL columns, or an existing id column', async () => {
    const findings = await findingsOf(
      db,
      noPrimaryKey,
      `create table public.codes (code text not null, label text); create unique index codes_code_idx on public.codes (code);
       create table public.items (id int, label text);`,
    );
    expect(findings.map((f) => f.fix)).toEqual([
      'alter table public.codes add primary key using index codes_code_idx;',
      'alter table public.items add primary key (id);',
    ]);
    await expectFixesClear(noPrimaryKey, findings);
  });

  it('leaves alone tables with a primary key and tables in system schemas', async () => {
    const findings = await findingsOf(
      db,
      noPrimaryKey,
      'create table public.keyed (id int primary key); create table extensions.scratch (x int);',
    );
    expect(findings).toEqual([]);
  });
});

describe('multiple_permissive_policies', () => {
  const posts = `create table public.posts (id int primary key, author uuid, published bool);
     alter table public.posts enable row level security;`;

  it('finds two permissive policies for the same role and command', async () => {
    const findings = await findingsOf(
      db,
      multiplePermissivePolicies,
      `${posts}
       create policy read_published on public.posts for select to authenticated using (published);
       create policy read_own on public.posts for select to authenticated using ((select auth.uid()) = author);`,
    );
    expect(objects(findings)).toEqual([{ type: 'table', schema: 'public', name: 'posts' }]);
    expect(findings[0]!.level).toBe('warning');
    expect(findings[0]!.message).toBe(
      'Table public.posts has 2 permissive select policies for authenticated (read_own, read_published); merge them into one',
    );
  });

  it('counts an ALL policy for PUBLIC against each command and only the roles both policies reach', async () => {
    const findings = await findingsOf(
      db,
      multiplePermissivePolicies,
      `${posts}
       create policy everything on public.posts using ((select auth.uid()) = author);
       create policy read_published on public.posts for select to anon, authenticated using (published);`,
    );
    expect(findings.map((f) => f.message)).toEqual([
      'Table public.posts has 2 permissive select policies for anon, authenticated (everything, read_published); merge them into one',
    ]);
  });

  it('leaves alone restrictive policies, different commands and different roles', async () => {
    const findings = await findingsOf(
      db,
      multiplePermissivePolicies,
      `${posts}
       create policy a on public.posts for select to authenticated using (published);
       create policy b on public.posts as restrictive for select to authenticated using ((select auth.uid()) = author);
       create policy c on public.posts for update to authenticated using ((select auth.uid()) = author);
       create policy d on public.posts for select to anon using (published);
       create policy e on public.posts for select to service_role using (true);`,
    );
    expect(findings).toEqual([]);
  });
});

describe('policy_exists_rls_disabled', () => {
  it('finds policies on a table whose RLS is off and enables it', async () => {
    const findings = await findingsOf(
      db,
      policyExistsRlsDisabled,
      `create table public.todos (id int primary key, owner uuid);
       create policy own on public.todos using ((select auth.uid()) = owner);`,
    );
    expect(objects(findings)).toEqual([{ type: 'table', schema: 'public', name: 'todos' }]);
    expect(findings[0]!.level).toBe('error');
    expect(findings[0]!.message).toContain('(own)');
    expect(findings[0]!.fix).toBe('alter table public.todos enable row level security;');
    await expectFixesClear(policyExistsRlsDisabled, findings);
  });

  it('leaves alone tables with RLS on and tables without policies', async () => {
    const findings = await findingsOf(
      db,
      policyExistsRlsDisabled,
      `create table public.todos (id int primary key, owner uuid);
       alter table public.todos enable row level security;
       create policy own on public.todos using ((select auth.uid()) = owner);
       create table public.plain (id int primary key);`,
    );
    expect(findings).toEqual([]);
  });
});

describe('rls_enabled_no_policy', () => {
  it('finds a table with RLS on and no policy', async () => {
    const findings = await findingsOf(
      db,
      rlsEnabledNoPolicy,
      'create table public.audit (id int primary key); alter table public.audit enable row level security;',
    );
    expect(objects(findings)).toEqual([{ type: 'table', schema: 'public', name: 'audit' }]);
    expect(findings[0]!.level).toBe('info');
    expect(findings[0]!.fix).toBeUndefined();
  });

  it('leaves alone a table with a policy and one with RLS off', async () => {
    const findings = await findingsOf(
      db,
      rlsEnabledNoPolicy,
      `create table public.audit (id int primary key); alter table public.audit enable row level security;
       create policy read on public.audit for select to authenticated using (true);
       create table public.plain (id int primary key);`,
    );
    expect(findings).toEqual([]);
  });
});

describe('duplicate_index', () => {
  it('points at the redundant copy and drops it', async () => {
    const findings = await findingsOf(
      db,
      duplicateIndex,
      `create table public.events (id int primary key, kind text, at timestamptz);
       create index events_kind_idx on public.events (kind);
       create index events_kind_idx1 on public.events (kind);`,
    );
    expect(objects(findings)).toEqual([{ type: 'index', schema: 'public', name: 'events_kind_idx1', table: 'events' }]);
    expect(findings[0]!.level).toBe('warning');
    expect(findings[0]!.message).toContain('identical to events_kind_idx');
    expect(findings[0]!.fix).toBe('drop index public.events_kind_idx1;');
    await expectFixesClear(duplicateIndex, findings);
  });

  it('keeps the primary key and the constraint-owned index, dropping a constraint by its name', async () => {
    const findings = await findingsOf(
      db,
      duplicateIndex,
      `create table public.users_x (id int primary key, email text);
       alter table public.users_x add constraint users_x_id_key unique (id);
       alter table public.users_x add constraint users_x_email_key unique (email);
       create unique index a_email_idx on public.users_x (email);`,
    );
    expect(findings.map((f) => [f.object.name, f.fix])).toEqual([
      ['a_email_idx', 'drop index public.a_email_idx;'],
      ['users_x_id_key', 'alter table public.users_x drop constraint users_x_id_key;'],
    ]);
    await expectFixesClear(duplicateIndex, findings);
  });

  it('leaves alone indexes that differ in column order, uniqueness, predicate or method', async () => {
    const findings = await findingsOf(
      db,
      duplicateIndex,
      `create table public.events (id int primary key, kind text, at timestamptz);
       create index on public.events (kind, at);
       create index on public.events (at, kind);
       create unique index on public.events (kind, id);
       create index on public.events (kind, id);
       create index on public.events (at) where kind = 'x';
       create index on public.events (at);
       create index on public.events using hash (kind);
       create index on public.events (kind);`,
    );
    expect(findings).toEqual([]);
  });
});

describe('rls_disabled_in_public', () => {
  it('finds an exposed table without RLS and enables it', async () => {
    const findings = await findingsOf(db, rlsDisabledInPublic, 'create table public.orders (id int primary key);');
    expect(objects(findings)).toEqual([{ type: 'table', schema: 'public', name: 'orders' }]);
    expect(findings[0]!.level).toBe('error');
    expect(findings[0]!.fix).toBe('alter table public.orders enable row level security;');
    await expectFixesClear(rlsDisabledInPublic, findings);
  });

  it('counts write privileges too: an insert-only table is still open', async () => {
    const findings = await findingsOf(
      db,
      rlsDisabledInPublic,
      `create table public.inbox (id int primary key, body text);
       revoke all on public.inbox from anon, authenticated; grant insert on public.inbox to anon;`,
    );
    expect(objects(findings).map((o) => o.name)).toEqual(['inbox']);
  });

  it('uses the exposed schemas it is given', async () => {
    const fixture = `create schema api; grant usage on schema api to anon, authenticated;
       create table api.items (id int primary key); grant select on api.items to anon;`;
    expect(await findingsOf(db, rlsDisabledInPublic, fixture)).toEqual([]);
    const findings = await findingsOf(db, rlsDisabledInPublic, '', ['api']);
    expect(objects(findings)).toEqual([{ type: 'table', schema: 'api', name: 'items' }]);
    await expectFixesClear(rlsDisabledInPublic, findings, ['api']);
  });

  it('leaves alone tables with RLS and tables the API roles hold no privilege on', async () => {
    const findings = await findingsOf(
      db,
      rlsDisabledInPublic,
      `create table public.secure (id int primary key); alter table public.secure enable row level security;
       create table public.internal (id int primary key); revoke all on public.internal from anon, authenticated;`,
    );
    expect(findings).toEqual([]);
  });
});

describe('rls_references_user_metadata', () => {
  const docs = `create table public.docs (id int primary key, owner uuid);
     alter table public.docs enable row level security;`;

  it('finds policies deciding on user_metadata, through auth.jwt(), the claims setting or auth.users', async () => {
    const findings = await findingsOf(
      db,
      rlsReferencesUserMetadata,
      `${docs}
       create policy admins on public.docs for select using ((select auth.jwt()) -> 'user_metadata' ->> 'role' = 'admin');
       create policy claims on public.docs for insert
         with check (current_setting('request.jwt.claims', true)::jsonb -> 'user_metadata' ->> 'team' = 'a');
       create policy table_lookup on public.docs for delete
         using (exists (select 1 from auth.users u where u.id = (select auth.uid()) and u.raw_user_meta_data ->> 'admin' = 'true'));`,
    );
    expect(objects(findings)).toEqual([
      { type: 'policy', schema: 'public', name: 'admins', table: 'docs' },
      { type: 'policy', schema: 'public', name: 'claims', table: 'docs' },
      { type: 'policy', schema: 'public', name: 'table_lookup', table: 'docs' },
    ]);
    expect(findings[0]!.level).toBe('error');
    expect(findings[0]!.message).toContain('app_metadata');
  });

  it('leaves alone policies on app_metadata', async () => {
    const findings = await findingsOf(
      db,
      rlsReferencesUserMetadata,
      `${docs}
       create policy admins on public.docs for select using ((select auth.jwt()) -> 'app_metadata' ->> 'role' = 'admin');`,
    );
    expect(findings).toEqual([]);
  });
});

describe('rls_policy_always_true', () => {
  const wiki = `create table public.wiki (id int primary key, author uuid, body text);
     alter table public.wiki enable row level security;`;

  it('finds write policies for the API roles whose USING or WITH CHECK is just true', async () => {
    const findings = await findingsOf(
      db,
      rlsPolicyAlwaysTrue,
      `${wiki}
       create policy anyone_edits on public.wiki for update to authenticated using (true);
       create policy anyone_adds on public.wiki for insert to anon with check (true);
       create policy anything on public.wiki using (1 = 1) with check ((select auth.uid()) = author);`,
    );
    expect(findings.map((f) => [f.object.name, f.object.table, f.level])).toEqual([
      ['anyone_adds', 'wiki', 'warning'],
      ['anyone_edits', 'wiki', 'warning'],
      ['anything', 'wiki', 'warning'],
    ]);
    expect(findings.map((f) => f.message)).toEqual([
      'Policy anyone_adds on public.wiki (INSERT for anon): WITH CHECK is always true, so any row can be written; restrict it to the rows the role owns',
      'Policy anyone_edits on public.wiki (UPDATE for authenticated): USING and WITH CHECK are always true, so any row can be written; restrict it to the rows the role owns',
      'Policy anything on public.wiki (ALL for public): USING is always true, so any row can be written; restrict it to the rows the role owns',
    ]);
  });

  it('leaves alone select policies, other roles, restrictive policies, real conditions and tables without RLS', async () => {
    const findings = await findingsOf(
      db,
      rlsPolicyAlwaysTrue,
      `${wiki}
       create policy public_read on public.wiki for select using (true);
       create policy server_writes on public.wiki for update to service_role using (true);
       create policy gate on public.wiki as restrictive for delete to authenticated using (true);
       create policy own on public.wiki for update to authenticated using ((select auth.uid()) = author);
       create table public.loose (id int primary key);
       create policy open on public.loose for delete to anon using (true);`,
    );
    expect(findings).toEqual([]);
  });
});

describe('sensitive_columns_exposed', () => {
  it('finds sensitive column names in an exposed table without RLS', async () => {
    const findings = await findingsOf(
      db,
      sensitiveColumnsExposed,
      `create table public.accounts (
         id int primary key, email text, password text, "apiKey" text, stripe_api_key text,
         "credit-card" text, token_count int, password_changed_at timestamptz);`,
    );
    expect(objects(findings)).toEqual([{ type: 'table', schema: 'public', name: 'accounts' }]);
    expect(findings[0]!.level).toBe('error');
    expect(findings[0]!.message).toContain('sensitive columns: apiKey, credit-card, password, stripe_api_key');
    expect(findings[0]!.fix).toBe('alter table public.accounts enable row level security;');
    await expectFixesClear(sensitiveColumnsExposed, findings);
  });

  it('leaves alone tables with RLS, unexposed schemas, and sensitive columns the API roles cannot select', async () => {
    const findings = await findingsOf(
      db,
      sensitiveColumnsExposed,
      `create table public.secured (id int primary key, password text); alter table public.secured enable row level security;
       create schema private; create table private.keys (id int primary key, secret text);
       grant usage on schema private to anon; grant select on private.keys to anon;
       create table public.members (id int primary key, name text, ssn text);
       revoke all on public.members from anon, authenticated;
       grant select (id, name) on public.members to anon, authenticated;
       create table public.stats (id int primary key, token_count int);`,
    );
    expect(findings).toEqual([]);
  });
});

describe('fkey_to_auth_unique', () => {
  it("finds a foreign key to auth's unique constraint and drops it", async () => {
    const findings = await findingsOf(
      db,
      fkeyToAuthUnique,
      'create table public.contacts (id int primary key, phone text references auth.users (phone));',
    );
    expect(objects(findings)).toEqual([
      { type: 'constraint', schema: 'public', name: 'contacts_phone_fkey', table: 'contacts' },
    ]);
    expect(findings[0]!.level).toBe('error');
    expect(findings[0]!.message).toContain('auth.users');
    expect(findings[0]!.fix).toBe('alter table public.contacts drop constraint contacts_phone_fkey;');
    await expectFixesClear(fkeyToAuthUnique, findings);
  });

  it("leaves alone a foreign key to auth.users' primary key", async () => {
    const findings = await findingsOf(
      db,
      fkeyToAuthUnique,
      'create table public.profiles (id uuid primary key references auth.users (id) on delete cascade);',
    );
    expect(findings).toEqual([]);
  });
});
