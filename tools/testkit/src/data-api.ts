// A stand-in for Supabase's Data API (the API gateway's key check in front of PostgREST at /rest/v1), for what
// supabase-js sends: `from(t).select(cols, { count, head })` with `limit`, `range`, `order` and simple
// filters, `single()`, the OpenAPI root; `insert`, `upsert` (on_conflict, Prefer: resolution=…), `update`
// and `delete` with filters (Prefer: return=representation|minimal); and `rpc` (POST /rpc/<fn>). Each request runs on the real database the way PostgREST runs it:
// one transaction, `role` switched to the JWT's role, `request.jwt.claims` set, so what comes back is decided
// by the database's real grants and RLS policies, never by this file.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

export interface StartDataApiOptions {
  /** Superuser (or a role that is a member of anon/authenticated/service_role) URL of the database to serve. */
  databaseUrl: string;
  /** HS256 secret the keys and any signJwt() token are signed with. Default: random per server. */
  jwtSecret?: string;
  /** Supabase's db_schemas; the first is the default schema. Default ['public', 'graphql_public'] as on Supabase. */
  exposedSchemas?: string[];
  /** PostgREST's db-max-rows, used by `Prefer: count=estimated`. Default 1000 (Supabase's). */
  maxRows?: number;
  /** The project's anon and service_role keys as its platform issued them (signed with jwtSecret). Default: signed here. */
  keys?: { anon: string; serviceRole: string };
}

export interface DataApiRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  /** The role the request ran as, when it got that far. */
  role?: string;
  schema?: string;
  status: number;
}

export interface DataApi {
  /** The project URL to give createClient(): `http://127.0.0.1:<port>` (the Data API is under /rest/v1). */
  url: string;
  /** A JWT with role anon, signed with the server's secret. */
  anonKey: string;
  /** A JWT with role service_role, signed with the server's secret. */
  serviceRoleKey: string;
  /** Signs claims (HS256) with the server's secret, e.g. `{ role: 'authenticated', sub }` for a user's token. */
  signJwt(claims: Record<string, unknown>): string;
  /** Every request answered, oldest first. */
  requests: DataApiRequest[];
  stop(): Promise<void>;
}

/** PostgREST's error body. */
interface PgrstError {
  code: string | null;
  details: string | null;
  hint: string | null;
  message: string;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** JSON text (already serialised), or an object to serialise. */
  body?: string | object;
}

class HttpError extends Error {
  constructor(
    readonly reply: Reply,
    message = 'http error',
  ) {
    super(message);
  }
}

const pgrstError = (status: number, code: string | null, message: string, extra: Partial<PgrstError> = {}): HttpError =>
  new HttpError({ status, body: { code, details: null, hint: null, message, ...extra } });

// ---------------------------------------------------------------------------------------------
// JWT (HS256 only: the legacy anon/service_role keys are HS256 JWTs)

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export function signHs256(claims: Record<string, unknown>, secret: string): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

/** The claims of a valid token, or PostgREST's 401 for an invalid one. */
function verifyHs256(token: string, secret: string): Record<string, unknown> {
  const invalid = (code: string, message: string) =>
    new HttpError({
      status: 401,
      headers: { 'WWW-Authenticate': `Bearer error="invalid_token", error_description="${message}"` },
      body: { code, details: null, hint: null, message },
    });
  const parts = token.split('.');
  const [head, body, sig] = parts;
  if (parts.length !== 3 || head === undefined || body === undefined || sig === undefined) {
    throw invalid('PGRST301', `Expected 3 parts in JWT; got ${parts.length}`);
  }
  let header: { alg?: string };
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8'));
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw invalid('PGRST301', 'JWT cryptographic operation failed');
  }
  const expected = createHmac('sha256', secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(sig, 'base64url');
  if (header.alg !== 'HS256' || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw invalid('PGRST301', 'No suitable key or wrong key type');
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw invalid('PGRST301', 'JWT claims must be a JSON object');
  }
  if (typeof claims.exp === 'number' && claims.exp * 1000 < Date.now()) throw invalid('PGRST303', 'JWT expired');
  return claims;
}

// ---------------------------------------------------------------------------------------------
// SQL building

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The columns part of `select=`: `*` or plain columns (`alias:col`, `col::type`); embeds are not modelled. */
function selectList(select: string | null): string {
  if (select === null || select === '' || select === '*') return '*';
  return select
    .split(',')
    .map((item) => {
      const m = /^(?:([A-Za-z_][\w$]*):)?(\*|[A-Za-z_][\w$]*)(?:::([A-Za-z_][\w ]*))?$/.exec(item);
      if (!m) {
        throw pgrstError(400, 'PGRST100', `"failed to parse select parameter (${select})"`, {
          details: `unexpected "${item}" (the testkit Data API models plain columns only)`,
        });
      }
      const [, alias, column = '*', cast] = m;
      if (column === '*') return '*';
      const expr = cast ? `${ident(column)}::${cast}` : ident(column);
      return alias || cast ? `${expr} as ${ident(alias ?? column)}` : expr;
    })
    .join(', ');
}

const OPERATORS: Record<string, string> = {
  eq: '=',
  neq: '<>',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
  like: 'like',
  ilike: 'ilike',
};

/** One `col=op.value` filter as SQL; values are bound parameters, so Postgres types them by the column. */
function filterSql(column: string, expr: string, params: unknown[]): string {
  const fail = () => pgrstError(400, 'PGRST100', `"failed to parse filter (${expr})"`);
  let negate = false;
  let rest = expr;
  if (rest.startsWith('not.')) {
    negate = true;
    rest = rest.slice(4);
  }
  const dot = rest.indexOf('.');
  if (dot < 0) throw fail();
  const op = rest.slice(0, dot);
  const value = rest.slice(dot + 1);
  let sql: string;
  if (op in OPERATORS) {
    params.push(op === 'like' || op === 'ilike' ? value.replace(/\*/g, '%') : value);
    sql = `${ident(column)} ${OPERATORS[op]} $${params.length}`;
  } else if (op === 'is') {
    const v = value.toLowerCase();
    if (!['null', 'true', 'false', 'unknown'].includes(v)) throw fail();
    sql = `${ident(column)} is ${v}`;
  } else if (op === 'in') {
    const m = /^\((.*)\)$/.exec(value);
    if (!m) throw fail();
    const list = m[1] ?? '';
    const items = list === '' ? [] : list.split(',').map((s) => s.replace(/^"(.*)"$/, '$1'));
    params.push(items);
    sql = `${ident(column)} = any($${params.length})`;
  } else {
    throw fail();
  }
  return negate ? `not (${sql})` : sql;
}

function orderSql(order: string): string {
  return order
    .split(',')
    .map((term) => {
      const [column = '', ...mods] = term.split('.');
      let sql = ident(column);
      for (const mod of mods) {
        if (mod === 'asc' || mod === 'desc') sql += ` ${mod}`;
        else if (mod === 'nullsfirst') sql += ' nulls first';
        else if (mod === 'nullslast') sql += ' nulls last';
        else throw pgrstError(400, 'PGRST100', `"failed to parse order (${order})"`);
      }
      return sql;
    })
    .join(', ');
}

const RESERVED_PARAMS = new Set(['select', 'limit', 'offset', 'order', 'columns', 'on_conflict', 'apikey']);

// ---------------------------------------------------------------------------------------------
// Errors from Postgres, mapped to HTTP statuses as PostgREST maps them.

function pgStatus(code: string, authed: boolean): number {
  if (code === '42501') return authed ? 403 : 401;
  if (code === '42P01' || code === '42883') return 404;
  if (code === '23503' || code === '23505') return 409;
  if (code === '25006') return 405;
  if (code === '57014') return 500;
  if (code === 'P0001') return 400;
  const cls = code.slice(0, 2);
  if (cls === '08' || cls === '53') return 503;
  if (cls === '0L' || cls === '0P' || cls === '28') return 403;
  if (cls === '54') return 413;
  if (['09', '25', '2D', '38', '39', '3B', '40', '55', '57', '58', 'F0', 'HV', 'P0', 'XX'].includes(cls)) return 500;
  return 400;
}

function fromPgError(error: unknown, authed: boolean): HttpError {
  const e = error as pg.DatabaseError;
  if (typeof e?.code !== 'string') return pgrstError(500, null, (error as Error)?.message ?? String(error));
  const status = pgStatus(e.code, authed);
  return new HttpError({
    status,
    headers: status === 401 ? { 'WWW-Authenticate': 'Bearer' } : undefined,
    body: { code: e.code, details: e.detail ?? null, hint: e.hint ?? null, message: e.message },
  });
}

// ---------------------------------------------------------------------------------------------
// Server

export async function startDataApi(options: StartDataApiOptions): Promise<DataApi> {
  const jwtSecret = options.jwtSecret ?? randomBytes(32).toString('base64url');
  const exposedSchemas = options.exposedSchemas ?? ['public', 'graphql_public'];
  const maxRows = options.maxRows ?? 1000;
  const defaultSchema: string = exposedSchemas[0] ?? '';
  if (defaultSchema === '') throw new Error('startDataApi: exposedSchemas must name at least one schema');
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + 10 * 365 * 24 * 3600;
  const anonKey =
    options.keys?.anon ?? signHs256({ iss: 'supabase', ref: 'testkit', role: 'anon', iat, exp }, jwtSecret);
  const serviceRoleKey =
    options.keys?.serviceRole ??
    signHs256({ iss: 'supabase', ref: 'testkit', role: 'service_role', iat, exp }, jwtSecret);
  const apiKeys = new Set([anonKey, serviceRoleKey]);
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 8, application_name: 'testkit-data-api' });
  // An idle client dropped by the server (database dropped WITH FORCE) must not crash the test process.
  pool.on('error', () => {});
  const requests: DataApiRequest[] = [];

  /** The API gateway in front of PostgREST: only the project's keys pass, compared as strings. */
  function gateway(req: IncomingMessage, url: URL): void {
    const header = req.headers.apikey;
    const key = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('apikey');
    if (!key) {
      throw new HttpError({
        status: 401,
        body: { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' },
      });
    }
    if (!apiKeys.has(key)) {
      throw new HttpError({
        status: 401,
        body: { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' },
      });
    }
  }

  /** PostgREST's authentication: the Bearer JWT's claims, or the anon role when there is none. */
  function authenticate(req: IncomingMessage): Record<string, unknown> {
    const auth = req.headers.authorization;
    if (!auth) return { role: 'anon' };
    const m = /^Bearer\s+(.+)$/i.exec(auth);
    if (!m) throw pgrstError(401, 'PGRST301', 'Expected Bearer token in the Authorization header');
    return verifyHs256((m[1] ?? '').trim(), jwtSecret);
  }

  function negotiateSchema(req: IncomingMessage): string {
    const read = req.method === 'GET' || req.method === 'HEAD';
    const header = req.headers[read ? 'accept-profile' : 'content-profile'];
    const schema = (Array.isArray(header) ? header[0] : header) ?? defaultSchema;
    if (!exposedSchemas.includes(schema)) {
      throw new HttpError({
        status: 406,
        body: {
          code: 'PGRST106',
          details: null,
          hint: `Only the following schemas are exposed: ${exposedSchemas.join(', ')}`,
          message: `Invalid schema: ${schema}`,
        },
      });
    }
    return schema;
  }

  /** Runs fn in PostgREST's per-request transaction: role, claims and search_path set local to it. */
  async function asRole<T>(
    role: string,
    claims: Record<string, unknown>,
    schema: string,
    req: IncomingMessage,
    path: string,
    fn: (client: pg.PoolClient) => Promise<T>,
    readOnly = true,
  ): Promise<T> {
    const authed = role !== 'anon';
    const client = await pool.connect();
    try {
      await client.query(`begin isolation level read committed${readOnly ? ' read only' : ''}`);
      const settings: [string, string][] = [
        ['search_path', `${ident(schema)}, public, extensions`],
        ['role', role],
        ['request.jwt.claims', JSON.stringify(claims)],
        ['request.method', req.method ?? 'GET'],
        ['request.path', path],
        ['request.headers', JSON.stringify(req.headers)],
      ];
      // Pre-v9 PostgREST set one setting per claim; Supabase's older auth.uid() reads request.jwt.claim.sub.
      for (const [name, value] of Object.entries(claims)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || value === null || value === undefined) continue;
        settings.push([`request.jwt.claim.${name}`, typeof value === 'string' ? value : JSON.stringify(value)]);
      }
      const sql = `select ${settings.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(', ')}`;
      await client.query(sql, settings.flat());
      const result = await fn(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      if (error instanceof HttpError) throw error;
      throw fromPgError(error, authed);
    } finally {
      client.release();
    }
  }

  /** The schema cache's view of one relation: anything selectable, whatever the caller's privileges. */
  async function relationExists(schema: string, name: string): Promise<boolean> {
    const { rows } = await pool.query(
      `select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = $1 and c.relname = $2 and c.relkind in ('r', 'p', 'v', 'm', 'f')`,
      [schema, name],
    );
    return rows.length > 0;
  }

  async function read(req: IncomingMessage, url: URL, table: string, record: DataApiRequest): Promise<Reply> {
    const { claims, role, schema } = await requestScope(req, table, record);

    const params: unknown[] = [];
    const where: string[] = [];
    for (const [key, value] of url.searchParams) {
      if (!RESERVED_PARAMS.has(key)) where.push(filterSql(key, value, params));
    }
    const from = `${ident(schema)}.${ident(table)}`;
    const whereSql = where.length ? ` where ${where.join(' and ')}` : '';
    const order = url.searchParams.get('order');
    const orderBy = order ? ` order by ${orderSql(order)}` : '';

    let offset = Number(url.searchParams.get('offset') ?? 0);
    let limit: number | undefined = url.searchParams.has('limit') ? Number(url.searchParams.get('limit')) : undefined;
    const range = /^(\d+)-(\d*)$/.exec(String(req.headers.range ?? ''));
    if (range) {
      offset = Number(range[1]);
      if (range[2] !== '') limit = Number(range[2]) - offset + 1;
    }
    if (!Number.isInteger(offset) || offset < 0 || (limit !== undefined && (!Number.isInteger(limit) || limit < 0))) {
      throw pgrstError(400, 'PGRST103', 'Requested range not satisfiable');
    }
    const pageSql = `${limit !== undefined ? ` limit ${limit}` : ''}${offset ? ` offset ${offset}` : ''}`;
    const prefer = String(req.headers.prefer ?? '');
    const countMode = /count=(exact|planned|estimated)/.exec(prefer)?.[1];
    const single = String(req.headers.accept ?? '').includes('application/vnd.pgrst.object+json');

    return asRole(role, claims, schema, req, `/${table}`, async (client) => {
      const { rows } = await client.query<{ body: string; page_total: string }>(
        `select coalesce(json_agg(_t), '[]')::text as body, count(_t) as page_total
         from (select ${selectList(url.searchParams.get('select'))} from ${from}${whereSql}${orderBy}${pageSql}) _t`,
        params,
      );
      // An aggregate without group by always yields one row.
      const page = rows[0]!;
      const pageTotal = Number(page.page_total);
      let total: number | undefined;
      if (countMode) {
        const exact = async () =>
          Number((await client.query(`select count(*) as n from ${from}${whereSql}`, params)).rows[0]!.n);
        const planned = async () => {
          const plan = await client.query(`explain (format json) select 1 from ${from}${whereSql}`, params);
          const json = plan.rows[0]!['QUERY PLAN'];
          return Number((typeof json === 'string' ? JSON.parse(json) : json)[0].Plan['Plan Rows']);
        };
        if (countMode === 'exact') total = await exact();
        else if (countMode === 'planned') total = await planned();
        else {
          // PostgREST's estimated count: exact up to db-max-rows, the planner's estimate beyond it.
          const bounded = await client.query(
            `select count(*) as n from (select 1 from ${from}${whereSql} limit ${maxRows + 1}) _c`,
            params,
          );
          const n = Number(bounded.rows[0]!.n);
          total = n > maxRows ? await planned() : n;
        }
      }
      const lower = offset;
      const upper = offset + pageTotal - 1;
      const contentRange = `${pageTotal === 0 ? '*' : `${lower}-${upper}`}/${total ?? '*'}`;
      if (total !== undefined && total > 0 && lower > total) {
        throw new HttpError({
          status: 416,
          headers: { 'Content-Range': `*/${total}` },
          body: {
            code: 'PGRST103',
            details: `An offset of ${lower} was requested, but there are only ${total} rows.`,
            hint: null,
            message: 'Requested range not satisfiable',
          },
        });
      }
      const status = total !== undefined && pageTotal < total ? 206 : 200;
      const headers: Record<string, string> = { 'Content-Range': contentRange };
      if (exposedSchemas.length > 1) headers['Content-Profile'] = schema;
      if (countMode) headers['Preference-Applied'] = `count=${countMode}`;
      if (single) {
        if (pageTotal !== 1) {
          throw pgrstError(406, 'PGRST116', 'Cannot coerce the result to a single JSON object', {
            details: `The result contains ${pageTotal} rows`,
          });
        }
        return { status, headers, body: JSON.stringify(JSON.parse(page.body)[0]) };
      }
      return { status, headers, body: page.body };
    });
  }

  /** The OpenAPI root, following privileges as PostgREST's default openapi-mode does. */
  async function openApi(req: IncomingMessage, host: string, record: DataApiRequest): Promise<Reply> {
    const { claims, role, schema } = await requestScope(req, undefined, record);
    return asRole(role, claims, schema, req, '/', async (client) => {
      const { rows } = await client.query<{ table_name: string; columns: { name: string; type: string }[] | null }>(
        `select c.relname as table_name,
                (select json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod)) order by a.attnum)
                 from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where n.nspname = $1 and c.relkind in ('r', 'p', 'v', 'm', 'f')
           and has_table_privilege(c.oid, 'select, insert, update, delete')
         order by c.relname`,
        [schema],
      );
      const paths: Record<string, unknown> = { '/': { get: { produces: ['application/openapi+json'] } } };
      const definitions: Record<string, unknown> = {};
      for (const row of rows) {
        paths[`/${row.table_name}`] = { get: { tags: [row.table_name] } };
        definitions[row.table_name] = {
          type: 'object',
          properties: Object.fromEntries(
            (row.columns ?? []).map((c) => [c.name, { format: c.type, type: jsonType(c.type) }]),
          ),
        };
      }
      return {
        status: 200,
        headers: { 'Content-Type': 'application/openapi+json; charset=utf-8' },
        body: {
          swagger: '2.0',
          info: { title: 'standard public schema', version: 'testkit' },
          host,
          basePath: '/',
          schemes: ['http'],
          consumes: ['application/json'],
          produces: ['application/json'],
          paths,
          definitions,
        },
      };
    });
  }

  /** The caller's role, its claims and the schema, recorded; the relation must exist in the schema cache. */
  async function requestScope(req: IncomingMessage, table: string | undefined, record: DataApiRequest) {
    const claims = authenticate(req);
    const role = typeof claims.role === 'string' && claims.role !== '' ? claims.role : 'anon';
    const schema = negotiateSchema(req);
    record.role = role;
    record.schema = schema;
    if (table !== undefined && !(await relationExists(schema, table)))
      throw pgrstError(404, 'PGRST205', `Could not find the table '${schema}.${table}' in the schema cache`);
    return { claims, role, schema };
  }

  /** insert / upsert (POST), update (PATCH), delete (DELETE), run as PostgREST runs them: RLS and grants decide. */
  async function write(
    req: IncomingMessage,
    url: URL,
    table: string,
    record: DataApiRequest,
    body: unknown,
  ): Promise<Reply> {
    const { claims, role, schema } = await requestScope(req, table, record);
    const from = `${ident(schema)}.${ident(table)}`;
    const prefer = String(req.headers.prefer ?? '');
    const representation = /return=representation/.test(prefer);
    const params: unknown[] = [];
    const where: string[] = [];
    for (const [key, value] of url.searchParams)
      if (!RESERVED_PARAMS.has(key)) where.push(filterSql(key, value, params));
    const whereSql = where.length ? ` where ${where.join(' and ')}` : '';
    const returning = representation ? ` returning ${selectList(url.searchParams.get('select'))}` : '';
    let sql: string;
    if (req.method === 'POST') {
      const rows = Array.isArray(body) ? body : [body];
      if (!rows.length || rows.some((r) => !r || typeof r !== 'object' || Array.isArray(r)))
        throw pgrstError(400, 'PGRST102', 'Empty or invalid json');
      const columns = url.searchParams.get('columns')?.split(',') ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
      const cols = columns.map(ident).join(', ');
      params.push(JSON.stringify(rows));
      const source = `select ${cols} from json_populate_recordset(null::${from}, $${params.length}::json)`;
      let conflict = '';
      const resolution = /resolution=(merge|ignore)-duplicates/.exec(prefer)?.[1];
      if (resolution) {
        const target = url.searchParams.get('on_conflict')?.split(',') ?? (await primaryKey(schema, table));
        const updates = columns.filter((c) => !target.includes(c));
        conflict =
          resolution === 'ignore' || !updates.length
            ? ` on conflict (${target.map(ident).join(', ')}) do nothing`
            : ` on conflict (${target.map(ident).join(', ')}) do update set ${updates.map((c) => `${ident(c)} = excluded.${ident(c)}`).join(', ')}`;
      }
      sql = `insert into ${from} (${cols}) ${source}${conflict}${returning}`;
    } else if (req.method === 'PATCH') {
      if (!body || typeof body !== 'object' || Array.isArray(body))
        throw pgrstError(400, 'PGRST102', 'Empty or invalid json');
      const columns = Object.keys(body);
      params.push(JSON.stringify(body));
      const src = `json_populate_record(null::${from}, $${params.length}::json)`;
      sql = `update ${from} set ${columns.map((c) => `${ident(c)} = (${src}).${ident(c)}`).join(', ')}${whereSql}${returning}`;
    } else {
      sql = `delete from ${from}${whereSql}${returning}`;
    }
    return asRole(
      role,
      claims,
      schema,
      req,
      `/${table}`,
      async (client) => {
        if (!representation) {
          await client.query(sql, params);
          return { status: req.method === 'POST' ? 201 : 204, body: undefined };
        }
        const { rows } = await client.query(
          `with _w as (${sql}) select coalesce(json_agg(_w), '[]')::text as body from _w`,
          params,
        );
        // PostgREST: 201 for an insert, 200 with the rows asked for; without them (above) 204 No Content.
        return { status: req.method === 'POST' ? 201 : 200, body: rows[0]!.body as string };
      },
      false,
    );
  }

  /** POST /rpc/<fn> with named arguments; the function's volatility decides nothing here (one transaction). */
  async function rpc(req: IncomingMessage, fn: string, record: DataApiRequest, body: unknown): Promise<Reply> {
    const { claims, role, schema } = await requestScope(req, undefined, record);
    const args = body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    const names = Object.keys(args);
    const params = names.map((n) => {
      const v = args[n];
      return v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
    });
    const call = `${ident(schema)}.${ident(fn)}(${names.map((n, i) => `${ident(n)} => $${i + 1}`).join(', ')})`;
    return asRole(
      role,
      claims,
      schema,
      req,
      `/rpc/${fn}`,
      async (client) => {
        const { rows } = await client.query(`select to_json(${call}) as body`, params);
        return { status: 200, body: JSON.stringify(rows[0]?.body ?? null) };
      },
      false,
    );
  }

  async function primaryKey(schema: string, table: string): Promise<string[]> {
    const { rows } = await pool.query<{ attname: string }>(
      `select a.attname from pg_index i
       join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
       where i.indrelid = format('%I.%I', $1::text, $2::text)::regclass and i.indisprimary`,
      [schema, table],
    );
    return rows.map((r) => r.attname);
  }

  async function route(req: IncomingMessage, url: URL, record: DataApiRequest, body: unknown): Promise<Reply> {
    if (!url.pathname.startsWith('/rest/v1')) {
      throw new HttpError({ status: 404, body: { message: 'no Route matched with those values' } });
    }
    gateway(req, url);
    const rest = url.pathname.slice('/rest/v1'.length).replace(/^\/+/, '');
    const rpcMatch = /^rpc\/([^/]+)$/.exec(rest);
    if (rpcMatch && req.method === 'POST') return rpc(req, decodeURIComponent(rpcMatch[1]!), record, body);
    if (rest.includes('/')) throw pgrstError(404, 'PGRST125', `Invalid path specified in request URL: /${rest}`);
    if (req.method === 'POST' || req.method === 'PATCH' || req.method === 'DELETE')
      return write(req, url, decodeURIComponent(rest), record, body);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw pgrstError(405, 'PGRST117', `Unsupported HTTP method: ${req.method}`);
    }
    if (rest === '') return openApi(req, url.host, record);
    return read(req, url, decodeURIComponent(rest), record);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: DataApiRequest = { method: req.method ?? 'GET', url: req.url ?? '/', status: 0 };
    requests.push(record);
    const send = (reply: Reply) => {
      record.status = reply.status;
      const body =
        reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
      res.writeHead(reply.status, {
        'Content-Type': 'application/json; charset=utf-8',
        ...reply.headers,
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: unknown;
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        send(pgrstError(400, 'PGRST102', 'Empty or invalid json').reply);
        return;
      }
      route(req, url, record, body)
        .then(send)
        .catch((error: unknown) => {
          if (error instanceof HttpError) send(error.reply);
          else
            send({ status: 500, body: { code: null, details: null, hint: null, message: (error as Error).message } });
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    anonKey,
    serviceRoleKey,
    signJwt: (claims) => signHs256(claims, jwtSecret),
    requests,
    stop() {
      stopping ??= (async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await pool.end();
      })();
      return stopping;
    },
  };
}

function jsonType(pgType: string): string {
  if (/^(integer|bigint|smallint)$/.test(pgType)) return 'integer';
  if (/^(numeric|real|double precision)/.test(pgType)) return 'number';
  if (pgType === 'boolean') return 'boolean';
  if (pgType.endsWith('[]')) return 'array';
  if (pgType === 'json' || pgType === 'jsonb') return 'object';
  return 'string';
}
