import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { type DataApi, startDataApi, startPostgres, type TestDatabase } from '@wingman/testkit';
import { DATA_API_ANON_READS, DATA_API_PROBE_FAILED, probeDataApi } from '../src/data-api-probe';

// profiles: RLS on, owners read their own row (anon gets nothing). leaky: RLS off, anon granted select.
// catalog: the same shape as leaky, but meant to be public. ledger: anon has no grant at all.
// reports: in a schema the API may or may not expose.
const FIXTURE = `
create table public.profiles (id uuid primary key, display_name text);
alter table public.profiles enable row level security;
create policy "owners read their profile" on public.profiles for select to authenticated using ((select auth.uid()) = id);
insert into public.profiles values (gen_random_uuid(), 'alice'), (gen_random_uuid(), 'bob');

create table public.leaky (id int primary key, secret text);
alter table public.leaky disable row level security;
grant select on public.leaky to anon;
insert into public.leaky select i, 'secret ' || i from generate_series(1, 3) i;

create table public.catalog (id int primary key, title text);
grant select on public.catalog to anon;
insert into public.catalog values (1, 'public item');

create table public.ledger (id int primary key, amount numeric);
revoke all on public.ledger from anon, authenticated;
insert into public.ledger values (1, 10);

create schema reports;
grant usage on schema reports to anon;
create table reports.daily (id int primary key);
grant select on reports.daily to anon;
insert into reports.daily values (1);
`;

const t = (name: string, schema = 'public') => ({ schema, name });

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('probeDataApi', () => {
  let db: TestDatabase;
  let api: DataApi;

  beforeEach(async () => {
    db = await startPostgres();
    const client = await db.connect();
    await client.query(FIXTURE);
    await client.end();
    api = await startDataApi({ databaseUrl: db.url, exposedSchemas: ['public', 'reports'] });
  });

  afterEach(async () => {
    await api?.stop();
    await db?.stop();
  });

  // First in the file: supabase-js prints its Node 20 notice when it is imported, i.e. on the first probe. The
  // tests may run on Node 24, so the process claims to be Node 20 while that happens.
  it('keeps the log quiet: no supabase-js warnings, even on Node 20', async () => {
    const version = Object.getOwnPropertyDescriptor(process, 'version');
    Object.defineProperty(process, 'version', { value: 'v20.19.5', configurable: true, writable: true });
    const spies = (['warn', 'log', 'error', 'info'] as const).map((m) =>
      jest.spyOn(console, m).mockImplementation(() => {}),
    );
    try {
      await probeDataApi({
        supabaseUrl: api.url,
        anonKey: api.anonKey,
        tables: [t('catalog'), t('daily', 'reports')],
        anonDenied: () => false,
      });
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
      if (version) Object.defineProperty(process, 'version', version);
    }
  });

  it('reports rows the anon key reads from a table anon should be denied, and nothing for the RLS-protected one', async () => {
    const { results, findings } = await probeDataApi({
      supabaseUrl: api.url,
      anonKey: api.anonKey,
      tables: [t('profiles'), t('leaky')],
      anonDenied: () => true,
    });

    expect(findings).toEqual([
      {
        rule: DATA_API_ANON_READS,
        level: 'error',
        object: { type: 'table', schema: 'public', name: 'leaky' },
        message:
          'the Data API returned 1 row (3 rows visible to anon) of public.leaky to the anon key, though grants and policies deny anon',
        why: expect.stringContaining('anon key'),
        fix: 'revoke select on public.leaky from anon;',
      },
    ]);
    expect(results).toEqual([
      expect.objectContaining({ name: 'profiles', outcome: 'empty', status: 200, rows: 0, count: 0, anonDenied: true }),
      expect.objectContaining({ name: 'leaky', outcome: 'rows', status: 206, rows: 1, count: 3, anonDenied: true }),
    ]);
    // It asked as anon, through the Data API, one row at a time.
    expect(api.requests.map((r) => [r.role, r.schema])).toEqual([
      ['anon', 'public'],
      ['anon', 'public'],
    ]);
    expect(api.requests.every((r) => /[?&]limit=1(&|$)/.test(r.url))).toBe(true);
  });

  it('passes a table anon may read when it returns rows, and counts a missing grant as denied', async () => {
    const denied = new Set(['ledger']);
    const { results, findings } = await probeDataApi({
      supabaseUrl: api.url,
      anonKey: api.anonKey,
      tables: [t('catalog'), t('ledger')],
      anonDenied: (_schema, name) => denied.has(name),
    });
    expect(findings).toEqual([]);
    expect(results).toEqual([
      expect.objectContaining({ name: 'catalog', outcome: 'rows', rows: 1, anonDenied: false }),
      expect.objectContaining({ name: 'ledger', outcome: 'denied', status: 401, rows: 0, anonDenied: true }),
    ]);
  });

  it('reads each schema through its own profile', async () => {
    const { results, findings } = await probeDataApi({
      supabaseUrl: api.url,
      anonKey: api.anonKey,
      tables: [t('daily', 'reports'), t('profiles')],
      anonDenied: (schema) => schema === 'reports',
    });
    expect(results.map((r) => [r.schema, r.name, r.outcome])).toEqual([
      ['reports', 'daily', 'rows'],
      ['public', 'profiles', 'empty'],
    ]);
    expect(findings.map((f) => [f.rule, f.object.schema, f.object.name])).toEqual([
      [DATA_API_ANON_READS, 'reports', 'daily'],
    ]);
    expect(findings[0]?.message).toContain('1 row of reports.daily');
    expect(api.requests.map((r) => r.schema).sort()).toEqual(['public', 'reports']);
  });

  it('turns a refused anon key into one error naming the input, without repeating the key', async () => {
    const wrongKey = api.signJwt({ role: 'anon', iss: 'another-project' });
    const { results, findings } = await probeDataApi({
      supabaseUrl: api.url,
      anonKey: wrongKey,
      tables: [t('profiles'), t('leaky'), t('catalog'), t('ledger')],
      anonDenied: () => true,
      concurrency: 1,
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: DATA_API_PROBE_FAILED,
      level: 'error',
      object: { type: 'role', name: 'anon' },
    });
    expect(findings[0]?.message).toMatch(
      /^the Data API refused the anon key: check the anon-key input \(HTTP 401: Invalid API key\)$/,
    );
    // One refusal stops the probe: the other tables are not asked, and none counts as a pass.
    expect(api.requests).toHaveLength(1);
    expect(results.map((r) => r.outcome)).toEqual(['failed', 'skipped', 'skipped', 'skipped']);
    expect(JSON.stringify({ results, findings })).not.toContain(wrongKey);
  });

  it('redacts the anon key from messages that would carry it', async () => {
    const anonKey = api.anonKey;
    const echo: typeof fetch = async () =>
      new Response(JSON.stringify({ code: 'XX000', details: null, hint: null, message: `bad key ${anonKey}` }), {
        status: 500,
        headers: { 'content-type': 'application/json' },
      });
    const { findings } = await probeDataApi({
      supabaseUrl: api.url,
      anonKey,
      tables: [t('catalog')],
      anonDenied: () => false,
      fetch: echo,
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toBe(
      'the Data API could not read public.catalog as anon (HTTP 500 XX000: bad key ***)',
    );
  });

  it('retries a busy gateway (429 with Retry-After, then 503) and reads once it answers', async () => {
    const answers = [
      new Response('{"message":"Too many requests"}', { status: 429, headers: { 'retry-after': '2' } }),
      new Response('upstream unavailable', { status: 503 }),
    ];
    const waits: number[] = [];
    const { results, findings } = await probeDataApi({
      supabaseUrl: api.url,
      anonKey: api.anonKey,
      tables: [t('catalog')],
      anonDenied: () => false,
      fetch: async (input, init) => answers.shift() ?? fetch(input, init),
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(findings).toEqual([]);
    expect(results[0]).toMatchObject({ outcome: 'rows', status: 200 });
    expect(waits[0]).toBe(2000); // Retry-After, in seconds
    expect(waits).toHaveLength(2);
  });

  it('reports a gateway that stays unavailable as one error for the cause, not one per table', async () => {
    const { results, findings } = await probeDataApi({
      supabaseUrl: api.url,
      anonKey: api.anonKey,
      tables: [t('catalog'), t('profiles'), t('leaky'), t('daily', 'reports')],
      anonDenied: () => true,
      concurrency: 1,
      fetch: async () => new Response('{"message":"Service Unavailable"}', { status: 503 }),
      sleep: async () => {},
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toMatch(
      /^the Data API at .*\/rest\/v1 kept answering HTTP 503: Service Unavailable: try again later/,
    );
    expect(results.map((r) => r.outcome)).toEqual(['failed', 'skipped', 'skipped', 'skipped']);
  });

  it('constructs its client without a global WebSocket, as on Node 20', async () => {
    const native = Object.getOwnPropertyDescriptor(globalThis, 'WebSocket');
    Reflect.deleteProperty(globalThis, 'WebSocket');
    try {
      expect((globalThis as { WebSocket?: unknown }).WebSocket).toBeUndefined();
      const { results, findings } = await probeDataApi({
        supabaseUrl: api.url,
        anonKey: api.anonKey,
        tables: [t('catalog')],
        anonDenied: () => false,
      });
      expect(findings).toEqual([]);
      expect(results[0]?.outcome).toBe('rows');
    } finally {
      if (native) Object.defineProperty(globalThis, 'WebSocket', native);
    }
  });

  it('reports an unreachable Data API as one error naming supabase-url, promptly', async () => {
    const port = await closedPort();
    const started = Date.now();
    const { results, findings } = await probeDataApi({
      supabaseUrl: `http://127.0.0.1:${port}`,
      anonKey: api.anonKey,
      tables: [t('profiles'), t('leaky')],
      anonDenied: () => true,
    });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(findings).toHaveLength(1);
    expect(findings[0]?.message).toMatch(
      new RegExp(
        `^could not reach the Data API at http://127\\.0\\.0\\.1:${port}/rest/v1 \\(.*ECONNREFUSED.*\\): check the supabase-url input$`,
      ),
    );
    expect(results.every((r) => r.outcome === 'failed' || r.outcome === 'skipped')).toBe(true);
  });

  it('refuses a service_role key given as the anon key before sending anything', async () => {
    const { results, findings } = await probeDataApi({
      supabaseUrl: api.url,
      anonKey: api.serviceRoleKey,
      tables: [t('leaky')],
      anonDenied: () => true,
    });
    expect(findings.map((f) => f.message)).toEqual([
      'the anon-key input is a service_role key, not the anon key: the probe must read as anon; give the project anon key',
    ]);
    expect(results[0]?.outcome).toBe('skipped');
    expect(api.requests).toHaveLength(0);
  });

  it('rejects a supabase-url that is not an http(s) URL', async () => {
    const { findings } = await probeDataApi({
      supabaseUrl: 'db.example.supabase.co',
      anonKey: api.anonKey,
      tables: [t('leaky')],
      anonDenied: () => true,
    });
    expect(findings[0]?.message).toMatch(/^supabase-url is not an http\(s\) URL \(got "db\.example\.supabase\.co"\)/);
  });

  it('reports a schema the API does not expose once, and a table it does not know', async () => {
    const narrow = await startDataApi({ databaseUrl: db.url, exposedSchemas: ['public'] });
    try {
      const { results, findings } = await probeDataApi({
        supabaseUrl: narrow.url,
        anonKey: narrow.anonKey,
        tables: [t('daily', 'reports'), t('weekly', 'reports'), t('gone')],
        anonDenied: () => true,
        concurrency: 1,
      });
      expect(findings.map((f) => [f.object.type, f.object.name, f.message])).toEqual([
        [
          'schema',
          'reports',
          "the Data API does not expose schema reports (HTTP 406 PGRST106: Invalid schema: reports): remove it from the exposed-schemas input or expose it in the project's API settings",
        ],
        [
          'table',
          'gone',
          expect.stringMatching(
            /^the Data API does not know public\.gone \(HTTP 404 PGRST205: .*\): its schema cache may be stale/,
          ),
        ],
      ]);
      expect(results.map((r) => r.outcome)).toEqual(['failed', 'skipped', 'failed']);
    } finally {
      await narrow.stop();
    }
  });
});
