// Feature flags against the example app's migrations on a real database, through the Data API
// stand-in with the service_role and anon keys: RLS and grants decide, as on Supabase.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RecordingLog, silentLog } from '@wingman/log';
import { migrate } from '@wingman/migrations';
import { type DataApi, queryRows, REPO_ROOT, startDataApi, startPostgres, type TestDatabase } from '@wingman/testkit';
import { FlagStore, parseFlagsFile, setFlag, syncFlags } from '../src/index';

const MIGRATIONS = join(REPO_ROOT, 'examples/wingmanmatch/supabase/migrations');

let db: TestDatabase;
let api: DataApi;
beforeAll(async () => {
  db = await startPostgres();
  await migrate({
    databaseUrl: db.url,
    migrationsDir: MIGRATIONS,
    rollbacksDir: MIGRATIONS,
    direction: 'up',
    log: silentLog,
  });
  api = await startDataApi({ databaseUrl: db.url, exposedSchemas: ['public'] });
});
afterAll(async () => {
  await api?.stop();
  await db?.stop();
});

const query = (sql: string, params: unknown[] = []) => queryRows(db.url, sql, params);

const FILE = `{
  "new_matching": { "enabled": false, "description": "The new matching algorithm",
                    "environments": { "staging": { "enabled": true, "rollout-percent": 50 } } },
  "chat_reactions": { "enabled": true, "rollout-percent": 100 }
}`;

describe('feature flags', () => {
  const who = { actor: 'octocat', reason: 'release 42', runUrl: 'https://github.com/o/r/actions/runs/1' };

  it('syncs the file for an environment, idempotently, keeps a runtime toggle, audits every change', async () => {
    const store = await FlagStore.open(api.url, api.serviceRoleKey, new RecordingLog());
    const file = parseFlagsFile(FILE, 'feature-flags.json');
    const first = await syncFlags(store, file, { environment: 'staging', prune: false, dryRun: false, who });
    expect(first.changes.map((c) => [c.flag, c.action])).toEqual([
      ['new_matching', 'insert'],
      ['chat_reactions', 'insert'],
    ]);
    expect(await query('select flag_name, enabled, rollout_percent, updated_by from feature_flags order by 1')).toEqual(
      [
        { flag_name: 'chat_reactions', enabled: true, rollout_percent: 100, updated_by: 'octocat' },
        { flag_name: 'new_matching', enabled: true, rollout_percent: 50, updated_by: 'octocat' },
      ],
    );
    // Again: nothing to do.
    expect(
      (await syncFlags(store, file, { environment: 'staging', prune: false, dryRun: false, who })).changes,
    ).toEqual([]);
    // Ops turn new_matching off at runtime; the next deploy's sync (same file) keeps it off.
    const set = await setFlag(store, {
      flag: 'new_matching',
      enabled: false,
      dryRun: false,
      who: { ...who, reason: 'incident 7' },
    });
    expect(set.changes).toHaveLength(1);
    const kept = await syncFlags(store, file, { environment: 'staging', prune: false, dryRun: false, who });
    expect(kept).toMatchObject({ changes: [], keptRuntime: ['new_matching'] });
    expect((await query(`select enabled from feature_flags where flag_name = 'new_matching'`))[0]).toEqual({
      enabled: false,
    });
    // The file changes the flag: now the sync applies it.
    const changed = parseFlagsFile(
      FILE.replace('"rollout-percent": 50', '"rollout-percent": 75'),
      'feature-flags.json',
    );
    const applied = await syncFlags(store, changed, { environment: 'staging', prune: false, dryRun: false, who });
    expect(applied.changes.map((c) => [c.flag, c.to])).toEqual([
      ['new_matching', { enabled: true, rolloutPercent: 75, description: 'The new matching algorithm' }],
    ]);
    const audit = await query(
      'select flag_name, actor, reason, run_url, new_value from feature_flag_audit order by id',
    );
    expect(audit.map((a) => [a.flag_name, a.reason])).toEqual([
      ['new_matching', 'release 42'],
      ['chat_reactions', 'release 42'],
      ['new_matching', 'incident 7'],
      ['new_matching', 'release 42'],
    ]);
    expect(audit[2]).toMatchObject({
      actor: 'octocat',
      run_url: who.runUrl,
      new_value: { enabled: false, rolloutPercent: 50 },
    });
  });

  it('reports flags the file lacks, deletes them only with prune, and shows a dry run without changing anything', async () => {
    const store = await FlagStore.open(api.url, api.serviceRoleKey, new RecordingLog());
    const only = parseFlagsFile('{ "chat_reactions": { "enabled": true } }', 'feature-flags.json');
    const report = await syncFlags(store, only, { environment: 'production', prune: false, dryRun: false, who });
    expect(report.notInFile).toEqual(['new_matching']);
    const dry = await syncFlags(store, only, { environment: 'production', prune: true, dryRun: true, who });
    expect(dry.changes.map((c) => [c.flag, c.action])).toEqual([['new_matching', 'delete']]);
    expect(await query(`select count(*)::int as n from feature_flags where flag_name = 'new_matching'`)).toEqual([
      { n: 1 },
    ]);
    await syncFlags(store, only, { environment: 'production', prune: true, dryRun: false, who });
    expect(await query(`select count(*)::int as n from feature_flags where flag_name = 'new_matching'`)).toEqual([
      { n: 0 },
    ]);
    // The audit is append-only, for service_role too.
    await expect(query('delete from feature_flag_audit')).rejects.toThrow('feature_flag_audit is append-only');
  });

  it('lets anon read flags but neither write them nor read the audit', async () => {
    const anon = await FlagStore.open(api.url, api.anonKey, new RecordingLog());
    expect((await anon.list()).map((r) => r.flag_name)).toContain('chat_reactions');
    await expect(setFlag(anon, { flag: 'chat_reactions', enabled: false, dryRun: false, who })).rejects.toThrow(
      /^could not update flag chat_reactions: the Data API refused the key|the Data API refused the key/,
    );
    const audit = await fetch(`${api.url}/rest/v1/feature_flag_audit?select=*`, {
      headers: { apikey: api.anonKey, Authorization: `Bearer ${api.anonKey}` },
    });
    expect(audit.status).toBe(401);
  });

  it('buckets subjects stably, within 2 points of the rollout share over 10,000 subjects', async () => {
    await query(
      `insert into feature_flags (flag_name, enabled, rollout_percent) values ('ab_test', true, 30)
       on conflict (flag_name) do update set enabled = true, rollout_percent = 30`,
    );
    const subjects = Array.from({ length: 10_000 }, () => randomUUID());
    const [{ on }] = (await query(
      `select count(*) filter (where public.feature_enabled('ab_test', s))::int as on from unnest($1::uuid[]) s`,
      [subjects],
    )) as [{ on: number }];
    expect(Math.abs(on / 100 - 30)).toBeLessThanOrEqual(2);
    const again = await query(
      `select public.feature_enabled('ab_test', $1) as a, public.feature_enabled('ab_test', $1) as b`,
      [subjects[0]],
    );
    expect(again[0]!.a).toBe(again[0]!.b);
    // Through the Data API, as the app asks: rpc with the anon key.
    const res = await fetch(`${api.url}/rest/v1/rpc/feature_enabled`, {
      method: 'POST',
      headers: { apikey: api.anonKey, Authorization: `Bearer ${api.anonKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ flag: 'ab_test', subject: subjects[0] }),
    });
    expect(await res.json()).toBe(again[0]!.a);
    expect(await query(`select public.feature_enabled('no_such_flag', $1) as on`, [subjects[0]])).toEqual([
      { on: false },
    ]);
  });

  it('points at the line of a mistake in the flags file', () => {
    expect(() => parseFlagsFile('{\n  "Bad-Name": { "enabled": true }\n}', 'feature-flags.json')).toThrow(
      /^feature-flags\.json:2: Bad-Name: /,
    );
    expect(() =>
      parseFlagsFile('{\n  "ok": {\n    "enabled": true,\n    "rollout-percent": 120\n  }\n}', 'feature-flags.json'),
    ).toThrow(/^feature-flags\.json:4: ok\.rollout-percent: /);
  });
});
