import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startPostgres, type TestDatabase } from '@wingman/testkit';
import {
  type ApiRole,
  type Command,
  type CoverageRow,
  coverageFindings,
  coverageFor,
  coverageMatrix,
  renderCoverageMarkdown,
} from '../src/coverage';
import { contextFor } from './lint-helpers';

let db: TestDatabase;
beforeEach(async () => {
  db = await startPostgres();
});
afterEach(async () => {
  await db.stop();
});

async function matrixOf(fixture: string, exposedSchemas = ['public']): Promise<CoverageRow[]> {
  const client = await db.connect();
  await client.query(fixture);
  return coverageMatrix(contextFor(client, exposedSchemas));
}

function cell(rows: CoverageRow[], name: string, role: ApiRole, command: Command): CoverageRow {
  const row = coverageFor(rows, 'public', name, role, command);
  if (!row) throw new Error(`no coverage row for public.${name} ${role} ${command}`);
  return row;
}

const OWNER_ONLY = `
create table public.notes (id int primary key, user_id uuid not null, body text);
alter table public.notes enable row level security;
create policy "Owners read" on public.notes for select to authenticated using ((select auth.uid()) = user_id);
create policy "Owners write" on public.notes for all to authenticated
  using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);
`;

describe('coverageMatrix', () => {
  it('marks a table with RLS disabled and Supabase default grants open to both roles for every command', async () => {
    const rows = await matrixOf('create table public.open_t (id int primary key);');
    expect(rows).toHaveLength(8);
    for (const r of rows) {
      expect(r.status).toBe('open');
      expect(r.detail).toBe('RLS disabled');
      expect(r.text).toBe('open (RLS disabled)');
      expect(r.policies).toEqual([]);
    }
  });

  it('filters owner-only tables by policy for authenticated and denies anon, naming the policies', async () => {
    const rows = await matrixOf(OWNER_ONLY);
    expect(cell(rows, 'notes', 'authenticated', 'select').status).toBe('filtered by policy');
    expect(cell(rows, 'notes', 'authenticated', 'select').policies.map((p) => p.name)).toEqual([
      'Owners read',
      'Owners write',
    ]);
    const update = cell(rows, 'notes', 'authenticated', 'update');
    expect(update.status).toBe('filtered by policy');
    expect(update.policies).toEqual([
      {
        name: 'Owners write',
        permissive: true,
        command: 'all',
        using: '(( SELECT auth.uid() AS uid) = user_id)',
        check: '(( SELECT auth.uid() AS uid) = user_id)',
      },
    ]);
    for (const c of ['select', 'insert', 'update', 'delete'] as const) {
      expect(cell(rows, 'notes', 'anon', c)).toMatchObject({
        status: 'denied by RLS',
        detail: 'RLS enabled, no policy',
      });
    }
  });

  it('says which policy makes a cell open when it is literally true', async () => {
    const rows = await matrixOf(`
      create table public.flags (name text primary key);
      alter table public.flags enable row level security;
      create policy "Anyone reads flags" on public.flags for select to anon, authenticated using (true);
    `);
    const r = cell(rows, 'flags', 'anon', 'select');
    expect(r).toMatchObject({ status: 'open', truePolicy: 'Anyone reads flags' });
    expect(r.text).toBe('open (policy "Anyone reads flags" is true)');
    expect(cell(rows, 'flags', 'anon', 'insert').status).toBe('denied by RLS');
  });

  it('a restrictive policy keeps a true permissive policy from opening the table', async () => {
    const rows = await matrixOf(`
      create table public.posts (id int primary key, published boolean not null default false);
      alter table public.posts enable row level security;
      create policy "Everyone" on public.posts for select using (true);
      create policy "Only published" on public.posts as restrictive for select using (published);
    `);
    const r = cell(rows, 'posts', 'anon', 'select');
    expect(r.status).toBe('filtered by policy');
    expect(r.truePolicy).toBeUndefined();
    expect(r.policies.map((p) => [p.name, p.permissive])).toEqual([
      ['Everyone', true],
      ['Only published', false],
    ]);
  });

  it('denies by grant when the privilege or the schema usage is missing', async () => {
    const rows = await matrixOf(
      `
      create table public.locked (id int primary key);
      alter table public.locked enable row level security;
      create policy "Anyone" on public.locked for select using (true);
      revoke select on public.locked from anon;
      create schema api;
      create table api.hidden (id int primary key);
      grant select on api.hidden to anon;
    `,
      ['public', 'api'],
    );
    expect(cell(rows, 'locked', 'anon', 'select')).toMatchObject({
      status: 'denied by grant',
      detail: 'no SELECT grant',
    });
    expect(cell(rows, 'locked', 'authenticated', 'select').status).toBe('open');
    expect(coverageFor(rows, 'api', 'hidden', 'anon', 'select')).toMatchObject({
      status: 'denied by grant',
      detail: 'no USAGE on schema api',
    });
  });

  it('follows role inheritance for grants and for policy roles', async () => {
    // Roles are cluster-wide: a unique name, dropped again, keeps parallel and repeated runs apart.
    const reader = `wm_readers_${Math.random().toString(36).slice(2, 10)}`;
    const client = await db.connect();
    try {
      const rows = await matrixOf(`
        create role ${reader} nologin;
        grant ${reader} to anon;
        create table public.inherited (id int primary key);
        alter table public.inherited enable row level security;
        revoke all on public.inherited from anon, authenticated;
        grant select on public.inherited to ${reader};
        create policy "Readers" on public.inherited for select to ${reader} using (id > 0);
      `);
      expect(cell(rows, 'inherited', 'anon', 'select')).toMatchObject({ status: 'filtered by policy' });
      expect(cell(rows, 'inherited', 'anon', 'select').policies.map((p) => p.name)).toEqual(['Readers']);
      expect(cell(rows, 'inherited', 'authenticated', 'select').status).toBe('denied by grant');
    } finally {
      await client.query(`drop owned by ${reader}; drop role if exists ${reader}`);
    }
  });

  it('an INSERT policy without WITH CHECK lets nothing in (the server skips it)', async () => {
    const rows = await matrixOf(`
      create table public.inbox (id int primary key);
      alter table public.inbox enable row level security;
      create policy "No check" on public.inbox for insert to anon;
    `);
    expect(cell(rows, 'inbox', 'anon', 'insert').status).toBe('denied by RLS');
  });

  it('a table the role owns is open unless RLS is forced', async () => {
    const rows = await matrixOf(`
      create table public.mine (id int primary key);
      alter table public.mine enable row level security;
      alter table public.mine owner to anon;
      create table public.forced (id int primary key);
      alter table public.forced enable row level security;
      alter table public.forced force row level security;
      alter table public.forced owner to anon;
    `);
    expect(cell(rows, 'mine', 'anon', 'select')).toMatchObject({
      status: 'open',
      detail: 'anon owns the table and RLS is not forced',
    });
    expect(cell(rows, 'forced', 'anon', 'select').status).toBe('denied by RLS');
  });

  it('covers views: security definer views are open, security_invoker views defer to their tables', async () => {
    const rows = await matrixOf(`${OWNER_ONLY}
      create view public.notes_definer as select id, body from public.notes;
      create view public.notes_invoker with (security_invoker = true) as select id, body from public.notes;
      create materialized view public.notes_mat as select id from public.notes;
    `);
    expect(cell(rows, 'notes_definer', 'anon', 'select')).toMatchObject({ kind: 'view', status: 'open' });
    expect(cell(rows, 'notes_invoker', 'anon', 'select')).toMatchObject({ kind: 'view', status: 'filtered by policy' });
    expect(cell(rows, 'notes_mat', 'anon', 'select')).toMatchObject({ kind: 'materialized view', status: 'open' });
    expect(cell(rows, 'notes_mat', 'anon', 'insert')).toMatchObject({ status: 'denied by grant' });
  });

  it('reads only the exposed schemas', async () => {
    const rows = await matrixOf(`
      create schema private;
      create table private.secrets (id int primary key);
      create table public.visible (id int primary key);
    `);
    expect(new Set(rows.map((r) => `${r.schema}.${r.name}`))).toEqual(new Set(['public.visible']));
  });
});

describe('coverageFindings', () => {
  it('reports anon reaching a table with RLS disabled, with the fix', async () => {
    const rows = await matrixOf(`create table public.open_t (id int primary key);\n${OWNER_ONLY}`);
    const findings = coverageFindings(rows);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'rls_coverage_open_to_anon',
      level: 'error',
      object: { type: 'table', schema: 'public', name: 'open_t' },
      message: 'anon can select, insert, update and delete every row of public.open_t without any policy: RLS disabled',
      fix: 'alter table public.open_t enable row level security;',
    });
  });

  it('reports a write policy that is true for anon, but not a true read policy', async () => {
    const rows = await matrixOf(`
      create table public.guestbook (id int primary key, body text);
      alter table public.guestbook enable row level security;
      create policy "Anyone reads" on public.guestbook for select using (true);
      create policy "Anyone signs" on public.guestbook for insert to anon with check (true);
    `);
    const findings = coverageFindings(rows);
    expect(findings).toEqual([
      expect.objectContaining({
        rule: 'rls_coverage_open_to_anon',
        level: 'error',
        object: { type: 'table', schema: 'public', name: 'guestbook' },
        message: 'anon can insert any row of public.guestbook: policy "Anyone signs" is true',
        fix: 'revoke insert on public.guestbook from anon;',
      }),
    ]);
  });

  it('does not report a table with RLS disabled that anon has no grant on', async () => {
    const rows = await matrixOf(`
      create table public.internal (id int primary key);
      revoke all on public.internal from anon;
    `);
    expect(cell(rows, 'internal', 'authenticated', 'select').status).toBe('open');
    expect(coverageFindings(rows)).toEqual([]);
  });
});

describe('renderCoverageMarkdown', () => {
  it('renders one line per relation with short cells', async () => {
    const rows = await matrixOf(`${OWNER_ONLY}
      create table public.open_t (id int primary key);
      create table public.flags (name text primary key);
      alter table public.flags enable row level security;
      create policy "Anyone | reads" on public.flags for select using (true);
    `);
    const md = renderCoverageMarkdown(rows).split('\n');
    expect(md[0]).toBe(
      '| table | anon select | anon insert | anon update | anon delete | authenticated select | authenticated insert | authenticated update | authenticated delete |',
    );
    expect(md).toContain('| `public.flags` | OPEN (true policy) | — | — | — | OPEN (true policy) | — | — | — |');
    expect(md).toContain('| `public.notes` | — | — | — | — | policy | policy | policy | policy |');
    expect(md).toContain('| `public.open_t` | OPEN | OPEN | OPEN | OPEN | OPEN | OPEN | OPEN | OPEN |');
  });
});
