import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type DataApi, startDataApi } from '../src/data-api';
import { startPostgres, type TestDatabase } from '../src/postgres';

// Two users' notes behind an owner policy, an open lookup table, a table anon has no grant on, and a
// private schema the API does not expose.
const FIXTURE = `
create table public.notes (id serial primary key, owner_id uuid not null, body text);
alter table public.notes enable row level security;
create policy "owners read their notes" on public.notes for select to authenticated using ((select auth.uid()) = owner_id);
insert into public.notes (owner_id, body) values
  ('11111111-1111-1111-1111-111111111111', 'alice 1'),
  ('11111111-1111-1111-1111-111111111111', 'alice 2'),
  ('22222222-2222-2222-2222-222222222222', 'bob 1');

create table public.countries (id int primary key, name text, active boolean);
alter table public.countries disable row level security;
grant select on public.countries to anon;
insert into public.countries select i, 'country ' || i, i % 2 = 0 from generate_series(1, 25) i;

create table public.secrets (id int primary key, value text);
revoke all on public.secrets from anon, authenticated;
insert into public.secrets values (1, 'hunter2');

create schema private;
create table private.internal (id int);
grant usage on schema private to anon;
grant select on private.internal to anon;
`;

describe('startDataApi', () => {
  let db: TestDatabase;
  let api: DataApi;

  beforeEach(async () => {
    db = await startPostgres();
    const client = await db.connect();
    await client.query(FIXTURE);
    await client.end();
    api = await startDataApi({ databaseUrl: db.url, exposedSchemas: ['public'] });
  });

  afterEach(async () => {
    await api?.stop();
    await db?.stop();
  });

  const get = (path: string, headers: Record<string, string> = {}, key = api.anonKey) =>
    fetch(`${api.url}/rest/v1${path}`, { headers: { apikey: key, Authorization: `Bearer ${key}`, ...headers } });

  it('runs anon requests under RLS: an owner-only table reads as [] with an empty Content-Range', async () => {
    const res = await get('/notes?select=*');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([]);
    expect(res.headers.get('content-range')).toBe('*/*');
    expect(api.requests.at(-1)).toMatchObject({ role: 'anon', schema: 'public', status: 200 });
  });

  it('returns the rows of a table without RLS, honouring limit, offset, eq filters, order and Content-Range', async () => {
    const res = await get('/countries?select=id,name&active=eq.true&order=id.desc&limit=3&offset=1');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { id: 22, name: 'country 22' },
      { id: 20, name: 'country 20' },
      { id: 18, name: 'country 18' },
    ]);
    expect(res.headers.get('content-range')).toBe('1-3/*');
  });

  it('counts with Prefer: count=exact, answers 206 for a partial page and sends no body for HEAD', async () => {
    const page = await get('/countries?select=*&limit=10', { Prefer: 'count=exact' });
    expect(page.status).toBe(206);
    expect(page.headers.get('content-range')).toBe('0-9/25');
    expect((await page.json()) as unknown[]).toHaveLength(10);

    const head = await fetch(`${api.url}/rest/v1/countries?select=*`, {
      method: 'HEAD',
      headers: { apikey: api.anonKey, Authorization: `Bearer ${api.anonKey}`, Prefer: 'count=exact' },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-range')).toBe('0-24/25');
    expect(await head.text()).toBe('');
  });

  it('sets request.jwt.claims so auth.uid() policies see the signed-in user', async () => {
    const alice = api.signJwt({ role: 'authenticated', sub: '11111111-1111-1111-1111-111111111111' });
    const res = await get('/notes?select=body&order=id', { Authorization: `Bearer ${alice}` });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([{ body: 'alice 1' }, { body: 'alice 2' }]);

    const stranger = api.signJwt({ role: 'authenticated', sub: randomUUID() });
    expect(await (await get('/notes', { Authorization: `Bearer ${stranger}` })).json()).toEqual([]);
  });

  it('lets the service role bypass RLS', async () => {
    const res = await get('/notes?select=id', { Prefer: 'count=exact' }, api.serviceRoleKey);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-range')).toBe('0-2/3');
  });

  it('refuses a missing or unknown apikey with 401 before reaching the database', async () => {
    const missing = await fetch(`${api.url}/rest/v1/countries`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ message: 'No API key found in request' });

    const forged = api.signJwt({ role: 'anon' }).replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const wrong = await get('/countries', {}, forged);
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ message: 'Invalid API key' });
  });

  it('refuses a Bearer token signed with another secret with PostgREST 401 PGRST301', async () => {
    const other = await startDataApi({ databaseUrl: db.url, jwtSecret: 'another-secret-another-secret-1234' });
    try {
      const res = await get('/countries', { Authorization: `Bearer ${other.anonKey}` });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        code: 'PGRST301',
        details: null,
        hint: null,
        message: 'No suitable key or wrong key type',
      });
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    } finally {
      await other.stop();
    }
  });

  it('answers 401 with code 42501 when anon lacks the grant, 403 for an authenticated user', async () => {
    const anon = await get('/secrets');
    expect(anon.status).toBe(401);
    expect(await anon.json()).toMatchObject({ code: '42501', message: 'permission denied for table secrets' });

    const user = api.signJwt({ role: 'authenticated', sub: randomUUID() });
    const authed = await get('/secrets', { Authorization: `Bearer ${user}` });
    expect(authed.status).toBe(403);
  });

  it('answers 406 PGRST106 for a schema that is not exposed, even when the grants would allow it', async () => {
    const res = await get('/internal', { 'Accept-Profile': 'private' });
    expect(res.status).toBe(406);
    expect(await res.json()).toEqual({
      code: 'PGRST106',
      details: null,
      hint: 'Only the following schemas are exposed: public',
      message: 'Invalid schema: private',
    });
  });

  it('serves an exposed non-default schema through Accept-Profile', async () => {
    const both = await startDataApi({ databaseUrl: db.url, exposedSchemas: ['public', 'private'] });
    try {
      const res = await fetch(`${both.url}/rest/v1/internal`, {
        headers: { apikey: both.anonKey, 'Accept-Profile': 'private' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-profile')).toBe('private');
      expect(await res.json()).toEqual([]);
    } finally {
      await both.stop();
    }
  });

  it('answers 404 PGRST205 for a table that is not in the schema', async () => {
    const res = await get('/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      code: 'PGRST205',
      message: "Could not find the table 'public.nope' in the schema cache",
    });
  });

  it('answers 400 for an unknown column and for an unparseable filter', async () => {
    const column = await get('/countries?select=nope');
    expect(column.status).toBe(400);
    expect(await column.json()).toMatchObject({ code: '42703' });

    const filter = await get('/countries?id=between.1');
    expect(filter.status).toBe(400);
    expect(await filter.json()).toMatchObject({ code: 'PGRST100' });
  });

  it('returns one object for Accept: application/vnd.pgrst.object+json, 406 PGRST116 otherwise', async () => {
    const one = await get('/countries?id=eq.7', { Accept: 'application/vnd.pgrst.object+json' });
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual({ id: 7, name: 'country 7', active: false });

    const many = await get('/countries', { Accept: 'application/vnd.pgrst.object+json' });
    expect(many.status).toBe(406);
    expect(await many.json()).toMatchObject({ code: 'PGRST116', details: 'The result contains 25 rows' });
  });

  it('scopes role and claims to each request: a service-role read does not leak into the next anon read', async () => {
    for (let i = 0; i < 3; i++) {
      expect(((await (await get('/notes', {}, api.serviceRoleKey)).json()) as unknown[]).length).toBe(3);
      expect(await (await get('/notes')).json()).toEqual([]);
    }
  });

  it('filters with in, is and not', async () => {
    const res = await get('/countries?select=id&id=in.(1,2,3,4)&active=not.is.true&order=id');
    expect(await res.json()).toEqual([{ id: 1 }, { id: 3 }]);
  });

  it('lists only the tables the role holds privileges on at the OpenAPI root', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, unknown>; definitions: Record<string, unknown> };
    expect(Object.keys(doc.paths).sort()).toEqual(['/', '/countries', '/notes']);
    expect(doc.definitions.countries).toMatchObject({
      properties: { id: { type: 'integer' }, name: { type: 'string' } },
    });
  });

  describe('writes and rpc, as supabase-js sends them', () => {
    const send = (
      method: string,
      path: string,
      body: unknown,
      headers: Record<string, string> = {},
      key = api.serviceRoleKey,
    ) =>
      fetch(`${api.url}/rest/v1${path}`, {
        method,
        headers: { apikey: key, Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    it('inserts, upserts on a conflict target (merge or ignore), updates and deletes with filters, returning rows when asked', async () => {
      const made = await send('POST', '/countries?select=id,name', [{ id: 100, name: 'new', active: true }], {
        Prefer: 'return=representation',
      });
      expect(made.status).toBe(201);
      expect(await made.json()).toEqual([{ id: 100, name: 'new' }]);
      const merged = await send(
        'POST',
        '/countries?on_conflict=id',
        [
          { id: 100, name: 'renamed' },
          { id: 101, name: 'another' },
        ],
        { Prefer: 'resolution=merge-duplicates,return=representation' },
      );
      expect(
        ((await merged.json()) as { id: number; name: string; active: boolean }[]).map((r) => [r.id, r.name, r.active]),
      ).toEqual([
        [100, 'renamed', true],
        [101, 'another', null],
      ]);
      const ignored = await send('POST', '/countries', [{ id: 101, name: 'ignored' }], {
        Prefer: 'resolution=ignore-duplicates',
      });
      expect([ignored.status, await ignored.text()]).toEqual([201, '']);
      const updated = await send(
        'PATCH',
        '/countries?id=eq.101',
        { active: false },
        { Prefer: 'return=representation' },
      );
      expect(await updated.json()).toEqual([{ id: 101, name: 'another', active: false }]);
      expect((await send('DELETE', '/countries?id=gte.100', undefined)).status).toBe(204);
      expect(await (await get('/countries?id=gte.100', {}, api.serviceRoleKey)).json()).toEqual([]);
      // A duplicate without a resolution is PostgREST's 409.
      const twice = await send('POST', '/countries', [{ id: 1, name: 'again' }]);
      expect(twice.status).toBe(409);
      expect(await twice.json()).toMatchObject({ code: '23505' });
    });

    it('lets RLS and grants decide: anon is refused with 401, an authenticated user with 403', async () => {
      const anon = await send('POST', '/notes', [{ owner_id: randomUUID(), body: 'x' }], {}, api.anonKey);
      expect(anon.status).toBe(401);
      expect(await anon.json()).toMatchObject({ code: '42501' });
      const user = api.signJwt({ role: 'authenticated', sub: randomUUID() });
      const authed = await fetch(`${api.url}/rest/v1/notes`, {
        method: 'POST',
        headers: { apikey: api.anonKey, Authorization: `Bearer ${user}`, 'Content-Type': 'application/json' },
        body: JSON.stringify([{ owner_id: randomUUID(), body: 'x' }]),
      });
      expect(authed.status).toBe(403);
      // service_role bypasses RLS, as on Supabase.
      expect((await send('POST', '/notes', [{ owner_id: randomUUID(), body: 'ok' }])).status).toBe(201);
    });

    it('calls a function with named arguments (rpc) and answers its JSON value', async () => {
      const client = await db.connect();
      await client.query(
        `create function public.double_it(n int) returns int language sql stable as 'select n * 2'; grant execute on function public.double_it(int) to anon`,
      );
      await client.end();
      const res = await send('POST', '/rpc/double_it', { n: 21 }, {}, api.anonKey);
      expect(res.status).toBe(200);
      expect(await res.json()).toBe(42);
      expect((await send('POST', '/rpc/missing_fn', {})).status).toBe(404);
    });
  });
});
