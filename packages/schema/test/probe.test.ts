import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { silentLog } from '@wingman/log';
import { migrate } from '@wingman/migrations';
import { startPostgres, type TestDatabase } from '@wingman/testkit';
import type pg from 'pg';
import { coverageFor, coverageMatrix } from '../src/coverage';
import { type ProbeReport, type ProbeResult, probeRls } from '../src/probe';
import { contextFor } from './lint-helpers';

let db: TestDatabase;
let client: pg.Client;
beforeEach(async () => {
  db = await startPostgres();
  client = await db.connect();
});
afterEach(async () => {
  await db.stop();
});

async function probe(fixture: string, options: Parameters<typeof probeRls>[2] = {}): Promise<ProbeReport> {
  if (fixture) await client.query(fixture);
  return probeRls(client, ['public'], options);
}

function resultFor(report: ProbeReport, table: string): ProbeResult {
  const r = report.results.find((x) => `${x.schema}.${x.table}` === table);
  if (!r) throw new Error(`no probe result for ${table}`);
  return r;
}

const outcomes = (r: ProbeResult) => Object.fromEntries(r.attempts.map((a) => [`${a.role} ${a.action}`, a.outcome]));

/**
 * Everything a probe could leave behind, read independently of the code under test: every
 * user table's row count and a hash of its rows, and every sequence's last_value and is_called.
 */
async function databaseState(c: pg.Client): Promise<{ tables: unknown[]; sequences: unknown[] }> {
  const rels = (
    await c.query<{ rel: string; kind: string }>(
      `select format('%I.%I', n.nspname, c.relname) as rel, c.relkind::text as kind
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where c.relkind in ('r', 'p', 'S') and n.nspname not in ('pg_catalog', 'information_schema')
         and n.nspname !~ '^pg_toast'
       order by 1`,
    )
  ).rows;
  const tables = [];
  const sequences = [];
  for (const { rel, kind } of rels) {
    if (kind === 'S') {
      sequences.push({ rel, ...(await c.query(`select last_value::text, is_called from ${rel}`)).rows[0] });
    } else {
      const q = `select count(*)::int as n, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from ${rel} x`;
      tables.push({ rel, ...(await c.query(q)).rows[0] });
    }
  }
  return { tables, sequences };
}

const OWNER_ONLY = `
create table public.notes (
  id bigint generated always as identity primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  body text not null,
  created_at timestamptz not null default now()
);
alter table public.notes enable row level security;
create policy "Owners read their notes" on public.notes for select to authenticated
  using ((select auth.uid()) = user_id);
create policy "Owners change their notes" on public.notes for update to authenticated
  using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);
create policy "Owners delete their notes" on public.notes for delete to authenticated
  using ((select auth.uid()) = user_id);
`;

describe('probeRls', () => {
  it('owner-only tables: neither anon nor a random authenticated user can read, update or delete the row', async () => {
    const report = await probe(OWNER_ONLY);
    const notes = resultFor(report, 'public.notes');
    expect(notes.probed).toBe(true);
    expect(outcomes(notes)).toEqual({
      'anon read': 'hidden by RLS',
      'anon update': 'hidden by RLS',
      'anon delete': 'hidden by RLS',
      'authenticated read': 'hidden by RLS',
      'authenticated update': 'hidden by RLS',
      'authenticated delete': 'hidden by RLS',
    });
    expect(report.findings).toEqual([]);
  });

  it('sets the claims the Data API sets: a sub and role for authenticated, role only for anon', async () => {
    // Policies that can only pass when auth.uid(), auth.role() and auth.jwt() read what PostgREST puts in the session.
    const report = await probe(`
      create table public.echo (id int primary key);
      alter table public.echo enable row level security;
      create policy "Sub is set" on public.echo for select to authenticated
        using ((select auth.uid()) is not null and (select auth.role()) = 'authenticated');
      create policy "Anon has no sub" on public.echo for select to anon
        using ((select auth.uid()) is null and (select auth.jwt() ->> 'role') = 'anon');
    `);
    const echo = resultFor(report, 'public.echo');
    expect(outcomes(echo)['authenticated read']).toBe('allowed');
    expect(outcomes(echo)['anon read']).toBe('allowed');
    expect(echo.attempts.find((a) => a.role === 'anon' && a.action === 'read')).toMatchObject({
      verdict: 'ok',
      policies: ['Anon has no sub'],
    });
    expect(report.findings).toEqual([]);
  });

  it('a table with RLS disabled and Supabase default grants is readable and writable by anon: errors', async () => {
    const report = await probe('create table public.leaky (id serial primary key, secret text not null);');
    const leaky = resultFor(report, 'public.leaky');
    expect(Object.values(outcomes(leaky))).toEqual(Array(6).fill('allowed'));
    const anonRead = report.findings.find((f) => f.rule === 'rls_probe_read' && f.message.startsWith('anon '));
    expect(anonRead).toEqual({
      rule: 'rls_probe_read',
      level: 'error',
      object: { type: 'table', schema: 'public', name: 'leaky' },
      message: 'anon could read a row of public.leaky that no policy grants to anon (open (RLS disabled))',
      why: expect.stringContaining('anon key'),
      fix: 'alter table public.leaky enable row level security;',
    });
    expect(report.findings.map((f) => `${f.rule} ${f.message.split(' ')[0]}`).sort()).toEqual([
      'rls_probe_delete anon',
      'rls_probe_delete authenticated',
      'rls_probe_read anon',
      'rls_probe_read authenticated',
      'rls_probe_update anon',
      'rls_probe_update authenticated',
    ]);
  });

  it('a `using (true)` select policy for anon: readable, reported as allowed by that policy, not an error', async () => {
    // Decision: a policy that says `true` is a deliberate grant (public catalogues, feature flags).
    // The matrix marks the cell 'open (policy "…" is true)' so it is visible in the summary; the
    // probe only errors when access happens with no policy at all.
    const report = await probe(`
      create table public.flags (name text primary key, enabled boolean not null default false);
      alter table public.flags enable row level security;
      create policy "Flags are public" on public.flags for select to anon using (true);
    `);
    const flags = resultFor(report, 'public.flags');
    const read = flags.attempts.find((a) => a.role === 'anon' && a.action === 'read');
    expect(read).toMatchObject({
      outcome: 'allowed',
      verdict: 'ok',
      coverage: 'open (policy "Flags are public" is true)',
      detail: 'allowed by policy "Flags are public" (true)',
    });
    expect(outcomes(flags)['anon update']).toBe('hidden by RLS');
    expect(outcomes(flags)['authenticated read']).toBe('hidden by RLS');
    expect(report.findings).toEqual([]);
  });

  it('reports denied grants and WITH CHECK rejections as such', async () => {
    const report = await probe(`
      create table public.ledger (id int primary key, owner uuid, amount int not null default 0);
      alter table public.ledger enable row level security;
      revoke all on public.ledger from anon;
      create policy "Anyone signed in reads" on public.ledger for select to authenticated using (true);
      create policy "Only into own rows" on public.ledger for update to authenticated
        using (true) with check (owner = (select auth.uid()));
    `);
    const ledger = resultFor(report, 'public.ledger');
    expect(outcomes(ledger)).toMatchObject({
      'anon read': 'denied by grant',
      'anon delete': 'denied by grant',
      'authenticated read': 'allowed',
      'authenticated update': 'rejected by policy check',
      'authenticated delete': 'hidden by RLS',
    });
    expect(report.findings).toEqual([]);
  });

  it('leaves the database exactly as it was: rows, and sequences even when a trigger consumed one', async () => {
    await client.query(`
      create type public.mood as enum ('calm', 'stormy');
      create table public.parents (id bigserial primary key, name text not null unique);
      create table public.children (
        id int generated always as identity primary key,
        parent_id bigint not null references public.parents (id),
        mood public.mood not null,
        meta jsonb not null,
        tags text[] not null,
        active boolean not null,
        born timestamptz not null,
        code varchar(4) not null check (char_length(code) <= 4)
      );
      create table public.audit (id bigserial primary key, what text not null);
      create function public.audit_change() returns trigger language plpgsql as $$
      begin insert into public.audit (what) values (tg_table_name || ' ' || tg_op); return new; end $$;
      create trigger children_audit after update on public.children for each row execute function public.audit_change();
      create table public.events (id int, at timestamptz not null, primary key (id, at)) partition by range (at);
      create table public.events_all partition of public.events default;
      insert into public.parents (name) values ('existing');
      insert into public.children (parent_id, mood, meta, tags, active, born, code)
        values (1, 'calm', '{}', '{}', true, now(), 'abcd');
      select nextval('public.audit_id_seq');
    `);
    const before = await databaseState(client);
    const report = await probeRls(client, ['public']);

    expect(report.results.filter((r) => !r.probed)).toEqual([]);
    // The update of the probe row fired the audit trigger (children has RLS off): its sequence moved and was put back.
    expect(outcomes(resultFor(report, 'public.children'))['anon update']).toBe('allowed');
    expect(report.restoredSequences).toEqual(['public.audit_id_seq']);
    // Keys for identity and serial columns were picked explicitly, so those sequences never moved.
    expect(report.restoredSequences).not.toContain('public.children_id_seq');
    expect(report.restoredSequences).not.toContain('public.parents_id_seq');
    expect(await databaseState(client)).toEqual(before);
    // The partition and its parent are both probed (the Data API can address either).
    expect(resultFor(report, 'public.events').probed).toBe(true);
    expect(resultFor(report, 'public.events_all').probed).toBe(true);
  });

  it('reports a table it cannot make a row for as not probed, with the reason, and goes on', async () => {
    const report = await probe(`
      create table public.shapes (id int primary key, area circle not null);
      create table public.strict (id int primary key, code text not null check (code ~ '^[0-9]+$'));
      ${OWNER_ONLY}
    `);
    expect(resultFor(report, 'public.shapes')).toMatchObject({
      probed: false,
      reason: 'cannot make a value for NOT NULL column area of type circle',
      attempts: [],
    });
    expect(resultFor(report, 'public.strict').reason).toMatch(
      /^insert of a synthetic row into "public"."strict" failed: .*violates check constraint "strict_code_check"/,
    );
    expect(resultFor(report, 'public.notes').probed).toBe(true);
    expect(report.findings.filter((f) => f.rule === 'rls_probe_not_probed')).toEqual([
      expect.objectContaining({
        level: 'warning',
        object: { type: 'table', schema: 'public', name: 'shapes' },
        message: 'public.shapes was not probed: cannot make a value for NOT NULL column area of type circle',
      }),
      expect.objectContaining({ object: { type: 'table', schema: 'public', name: 'strict' } }),
    ]);
  });

  it('creates parent rows when foreign keys cannot be skipped, and still leaves nothing behind', async () => {
    await client.query(`
      create table public.teams (id uuid primary key default gen_random_uuid(), name text not null);
      create table public.members (
        id int primary key,
        team_id uuid not null references public.teams (id),
        user_id uuid not null references auth.users (id)
      );
      alter table public.teams enable row level security;
      alter table public.members enable row level security;
    `);
    const before = await databaseState(client);
    const report = await probeRls(client, ['public'], { foreignKeys: 'create-parents' });
    expect(resultFor(report, 'public.members')).toMatchObject({ probed: true });
    expect(Object.values(outcomes(resultFor(report, 'public.members')))).toEqual(Array(6).fill('hidden by RLS'));
    expect(report.findings).toEqual([]);
    expect(await databaseState(client)).toEqual(before);
  });

  it('a self-referencing NOT NULL foreign key without replica mode is reported, not skipped', async () => {
    const report = await probe(
      `create table public.tree (id int primary key, parent_id int not null references public.tree (id));`,
      { foreignKeys: 'create-parents' },
    );
    expect(resultFor(report, 'public.tree')).toMatchObject({
      probed: false,
      reason: 'foreign key tree_parent_id_fkey references the table itself with a NOT NULL column',
    });
  });

  it('agrees with the coverage matrix it is given', async () => {
    await client.query(OWNER_ONLY);
    const coverage = await coverageMatrix(contextFor(client));
    const report = await probeRls(client, ['public'], { coverage, roles: ['authenticated'] });
    const notes = resultFor(report, 'public.notes');
    expect(notes.attempts.map((a) => a.role)).toEqual(['authenticated', 'authenticated', 'authenticated']);
    expect(notes.attempts[0]?.coverage).toBe(coverageFor(coverage, 'public', 'notes', 'authenticated', 'select')?.text);
    expect(notes.attempts[0]?.policies).toEqual(['Owners read their notes']);
  });
});

describe('probeRls on the example app', () => {
  it('finds no error in examples/wingmanmatch after its migrations, and probes every table', async () => {
    await migrate({
      databaseUrl: db.url,
      migrationsDir: 'examples/wingmanmatch/supabase/migrations',
      rollbacksDir: 'examples/wingmanmatch/supabase/rollbacks',
      direction: 'up',
      log: silentLog,
    });
    const before = await databaseState(client);
    const report = await probeRls(client, ['public']);
    expect(report.findings).toEqual([]);
    expect(report.results.map((r) => [r.table, r.probed]).sort()).toEqual(
      [
        ['approach_challenges', true],
        ['chat_messages', true],
        ['feature_flag_audit', true],
        ['feature_flags', true],
        ['invite_codes', true],
        ['profiles', true],
        ['wingman_matches', true],
        ['wingman_sessions', true],
      ].sort(),
    );
    // Public reads through `true` policies are allowed, and attributed to those policies.
    const flags = resultFor(report, 'public.feature_flags');
    expect(outcomes(flags)['anon read']).toBe('allowed');
    expect(outcomes(flags)['anon update']).toBe('hidden by RLS');
    // The flags' audit: RLS on, no policy, no grant to anon: nobody but service_role reads it.
    expect(outcomes(resultFor(report, 'public.feature_flag_audit'))['anon read']).not.toBe('allowed');
    expect(outcomes(resultFor(report, 'public.profiles'))['anon read']).toBe('hidden by RLS');
    expect(outcomes(resultFor(report, 'public.profiles'))['authenticated read']).toBe('allowed');
    expect(outcomes(resultFor(report, 'public.chat_messages'))['authenticated read']).toBe('hidden by RLS');
    expect(await databaseState(client)).toEqual(before);
  });
});
