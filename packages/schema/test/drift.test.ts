import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { silentLog } from '@wingman/log';
import { migrate } from '@wingman/migrations';
import { startPostgres, type TestDatabase } from '@wingman/testkit';
import { detectDrift } from '../src/drift';

const migrationsDir = 'examples/wingmanmatch/supabase/migrations';
let production: TestDatabase;
let shadow: TestDatabase;

beforeEach(async () => {
  [production, shadow] = await Promise.all([startPostgres(), startPostgres()]);
  await migrate({
    databaseUrl: production.url,
    migrationsDir,
    rollbacksDir: migrationsDir,
    direction: 'up',
    log: silentLog,
  });
});
afterEach(async () => {
  await Promise.all([production.stop(), shadow.stop()]);
});

const hotfix = async (sql: string) => {
  const client = await production.connect();
  await client.query(sql);
};

describe('drift against the migrations', () => {
  it('finds nothing when production is exactly what the migrations build', async () => {
    const { findings } = await detectDrift({
      databaseUrl: production.url,
      shadowDatabaseUrl: shadow.url,
      migrationsDir,
      log: silentLog,
    });
    expect(findings).toEqual([]);
  });

  it('reports each dashboard hot-fix as an error naming the object', async () => {
    await hotfix(`
      create policy "hotfix: anyone reads" on public.profiles for select to anon using (true);
      alter table public.feature_flags alter column enabled set default true;
      drop index public.chat_messages_created_at_idx;
      alter table public.chat_messages disable row level security;
      revoke select on public.feature_flags from anon;
      create or replace function public.set_updated_at() returns trigger language plpgsql set search_path = '' as $$
        begin new.updated_at := now(); return new; end $$;`);
    const { findings } = await detectDrift({
      databaseUrl: production.url,
      shadowDatabaseUrl: shadow.url,
      migrationsDir,
      log: silentLog,
    });
    const byKind = findings.map((f) => f.message.split(' differs')[0]!.split(' is ')[0]);
    expect(findings.every((f) => f.rule === 'schema_drift' && f.level === 'error')).toBe(true);
    expect(byKind).toEqual(
      expect.arrayContaining([
        'policy public.profiles."hotfix: anyone reads"',
        'column public.feature_flags.enabled',
        'index public.chat_messages_created_at_idx',
        'relation public.chat_messages',
        'relation public.feature_flags',
        'function public.set_updated_at()',
      ]),
    );
    expect(findings).toHaveLength(6);
    const policy = findings.find((f) => f.object.type === 'policy')!;
    expect(policy.object).toEqual({
      type: 'policy',
      schema: 'public',
      table: 'profiles',
      name: 'hotfix: anyone reads',
    });
    expect(policy.message).toMatch(/is in production but no migration creates it/);
    const index = findings.find((f) => f.object.type === 'index')!;
    expect(index.message).toMatch(/is created by the migrations but missing in production/);
    const column = findings.find((f) => f.object.type === 'column')!;
    expect(column.message).toMatch(
      /differs from what the migrations build: migrations .*"default":"false".*production .*"default":"true"/,
    );
  });
});
