// Live Data API probe: reads one row of every exposed table through the project's Data API with supabase-js and
// the anon key, exactly as a browser holding that key could. Rows coming back where the coverage matrix says anon
// is denied are an error; a probe that could not ask (unreachable URL, refused key) is an error too, never a pass.
import type { SupabaseClient } from '@supabase/supabase-js';
import { backoffDelayMs, envProxyFetch, serverRequestedDelayMs } from '@wingman/http';
import { SecretRedactor } from '@wingman/log';
import { loadCreateClient } from '@wingman/supabase-client';
import { sleep } from '@wingman/time';
import { type Finding, qualified } from './findings';

export interface DataApiProbeTable {
  schema: string;
  name: string;
  /** What the relation is, for the finding's object. Default 'table'. */
  kind?: 'table' | 'view' | 'materialized view' | 'foreign table';
}

export interface DataApiProbeOptions {
  /** The project URL (`https://<ref>.supabase.co`); the Data API is under /rest/v1. */
  supabaseUrl: string;
  /** The anon (publishable) key: the probe reads as anyone on the internet would. */
  anonKey: string;
  tables: DataApiProbeTable[];
  /** True where the coverage matrix says anon must not read the table (denied by grant or by RLS). */
  anonDenied: (schema: string, table: string) => boolean;
  /** For tests; default the global fetch, or through HTTPS_PROXY/HTTP_PROXY when set (envProxyFetch). */
  fetch?: typeof fetch;
  /** Per request. Default 15 000 ms. */
  timeoutMs?: number;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
  /** Retries of a 429, 502, 503 or 504 (Retry-After honoured up to maxRetryAfterMs). Default 3. */
  retries?: number;
  maxRetryAfterMs?: number;
  /** Waits between retries (tests shorten them). */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * - `rows`: the API returned at least one row.
 * - `empty`: the API answered with no rows (RLS filtered everything, or the table is empty).
 * - `denied`: the API refused with permission denied (42501): anon has no grant.
 * - `failed`: the request failed for another reason (`error` says why).
 * - `skipped`: not asked, because an earlier failure (unreachable API, refused key) made asking pointless.
 */
export type DataApiOutcome = 'rows' | 'empty' | 'denied' | 'failed' | 'skipped';

export interface DataApiTableResult {
  schema: string;
  name: string;
  outcome: DataApiOutcome;
  anonDenied: boolean;
  /** HTTP status; 0 when no response arrived. */
  status: number;
  /** Rows returned (the probe asks for at most one). */
  rows: number;
  /** Rows anon can see, as the API counted them (`Prefer: count=estimated`), when it said. */
  count: number | null;
  error?: string;
}

export interface DataApiProbeResult {
  results: DataApiTableResult[];
  findings: Finding[];
}

export const DATA_API_ANON_READS = 'data_api_anon_reads';
export const DATA_API_PROBE_FAILED = 'data_api_probe_failed';

const ANON_READS_WHY =
  'The anon key ships inside every client, so whatever the Data API returns for it anyone on the internet can read; the grants and policies say anon is denied here, yet the live API returned rows (the project may differ from its migrations, or supabase-url names another database than database-url).';
const PROBE_FAILED_WHY =
  'The live Data API probe could not ask the API what anon can read, so it proves nothing: treating that as a pass would hide an exposed table.';

interface ApiError {
  message?: string;
  code?: string | null;
  details?: string | null;
  hint?: string | null;
}

type Verdict =
  | { kind: 'ok'; result: DataApiTableResult }
  | { kind: 'global'; result: DataApiTableResult; message: string }
  | { kind: 'schema'; result: DataApiTableResult; message: string }
  | { kind: 'table'; result: DataApiTableResult; message: string };

export async function probeDataApi(options: DataApiProbeOptions): Promise<DataApiProbeResult> {
  const { anonKey, tables, anonDenied } = options;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const redactor = new SecretRedactor([anonKey]);
  const redact = (text: string) => oneLine(redactor.redact(text));
  const findings: Finding[] = [];
  const globalFailure = (message: string): Finding => ({
    rule: DATA_API_PROBE_FAILED,
    level: 'error',
    object: { type: 'role', name: 'anon' },
    message: redact(message),
    why: PROBE_FAILED_WHY,
  });
  const skippedAll = (error: string): DataApiTableResult[] =>
    tables.map((t) => blank(t, anonDenied(t.schema, t.name), 'skipped', redact(error)));

  const apiUrl = restUrl(options.supabaseUrl);
  if (!apiUrl) {
    const message = `supabase-url is not an http(s) URL (got "${options.supabaseUrl}"): give the project URL, e.g. https://<ref>.supabase.co`;
    return { results: skippedAll(message), findings: [globalFailure(message)] };
  }
  const keyProblem = anonKeyProblem(anonKey);
  if (keyProblem) return { results: skippedAll(keyProblem), findings: [globalFailure(keyProblem)] };
  if (tables.length === 0) return { results: [], findings };

  const createClient = await loadCreateClient();
  const transport = await webSocketTransport();
  const retryingFetch = withRetries(options.fetch ?? envProxyFetch(), {
    retries: options.retries ?? 3,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 10_000,
    sleep: options.sleep ?? ((ms) => sleep(ms)),
  });
  const clients = new Map<string, SupabaseClient>();
  const clientFor = (schema: string) => {
    let client = clients.get(schema);
    if (!client) {
      client = createClient(options.supabaseUrl, anonKey, {
        auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
        // supabase-js's own retries are off: ours (withRetries) retry only what a busy gateway answers.
        db: { schema, timeout: timeoutMs, retry: false },
        global: { fetch: retryingFetch },
        // Node 20 has no global WebSocket, and supabase-js refuses to construct without one (never used here).
        ...(transport ? { realtime: { transport: transport as never } } : {}),
      }) as unknown as SupabaseClient;
      clients.set(schema, client);
    }
    return client;
  };

  const results: DataApiTableResult[] = new Array(tables.length);
  const deadSchemas = new Map<string, string>();
  let globalError: string | undefined;
  let next = 0;

  const worker = async () => {
    for (;;) {
      const index = next++;
      const table = tables[index];
      if (table === undefined) return;
      const denied = anonDenied(table.schema, table.name);
      const blocked = globalError ?? deadSchemas.get(table.schema);
      if (blocked !== undefined) {
        results[index] = blank(table, denied, 'skipped', blocked);
        continue;
      }
      const verdict = await probeOne(clientFor(table.schema), table, denied, apiUrl, timeoutMs, redact);
      results[index] = verdict.result;
      if (verdict.kind === 'global') {
        if (globalError === undefined) {
          globalError = verdict.message;
          findings.push(globalFailure(verdict.message));
        }
      } else if (verdict.kind === 'schema') {
        if (!deadSchemas.has(table.schema)) {
          deadSchemas.set(table.schema, verdict.message);
          findings.push({
            rule: DATA_API_PROBE_FAILED,
            level: 'error',
            object: { type: 'schema', name: table.schema },
            message: verdict.message,
            why: PROBE_FAILED_WHY,
          });
        }
      } else if (verdict.kind === 'table') {
        findings.push({
          rule: DATA_API_PROBE_FAILED,
          level: 'error',
          object: objectOf(table),
          message: verdict.message,
          why: PROBE_FAILED_WHY,
        });
      } else if (verdict.result.outcome === 'rows' && denied) {
        const { rows, count } = verdict.result;
        // Beyond db-max-rows (1000 on Supabase) an estimated count is the planner's guess.
        const visible = count !== null && count > 1000 ? `about ${count}` : `${count}`;
        const seen =
          count !== null && count > rows
            ? `${rows} row (${visible} rows visible to anon)`
            : plural(Math.max(rows, count ?? 0));
        findings.push({
          rule: DATA_API_ANON_READS,
          level: 'error',
          object: objectOf(table),
          message: `the Data API returned ${seen} of ${qualified(table)} to the anon key, though grants and policies deny anon`,
          why: ANON_READS_WHY,
          fix: `revoke select on ${qualified(table)} from anon;`,
        });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tables.length) }, worker));

  // Requests that finished before the global failure keep their outcome; the rest are already 'skipped'.
  return { results, findings };
}

async function probeOne(
  client: SupabaseClient,
  table: DataApiProbeTable,
  denied: boolean,
  apiUrl: string,
  timeoutMs: number,
  redact: (text: string) => string,
): Promise<Verdict> {
  const result = blank(table, denied, 'failed');
  let response: { data: unknown; error: ApiError | null; count: number | null; status: number };
  try {
    response = await client.from(table.name).select('*', { count: 'estimated' }).limit(1);
  } catch (error) {
    // supabase-js turns fetch failures into { error }; a throw here is a bug or a custom fetch misbehaving.
    const message = redact(`the Data API probe of ${qualified(table)} failed: ${(error as Error)?.message ?? error}`);
    return { kind: 'global', result: { ...result, error: message }, message };
  }
  const { data, error, count, status } = response;
  result.status = status;
  result.count = typeof count === 'number' && Number.isFinite(count) ? count : null;

  if (!error) {
    if (!Array.isArray(data)) {
      const message = `the Data API at ${apiUrl} answered ${qualified(table)} with something other than a JSON array (HTTP ${status}): check the supabase-url input`;
      return { kind: 'global', result: { ...result, error: message }, message };
    }
    result.rows = data.length;
    result.outcome = data.length > 0 ? 'rows' : 'empty';
    return { kind: 'ok', result };
  }

  const reason = describe(error, status);
  if (error.code === '42501') {
    return { kind: 'ok', result: { ...result, outcome: 'denied', error: redact(reason) } };
  }
  if (status === 0) {
    const message = redact(
      /abort|timed? ?out/i.test(`${error.message} ${error.hint}`)
        ? `the Data API at ${apiUrl} did not answer within ${timeoutMs} ms: check the supabase-url input and that the project is not paused`
        : `could not reach the Data API at ${apiUrl} (${networkCause(error)}): check the supabase-url input`,
    );
    return { kind: 'global', result: { ...result, error: message }, message };
  }
  if (status === 401) {
    const message = redact(`the Data API refused the anon key: check the anon-key input (${reason})`);
    return { kind: 'global', result: { ...result, error: message }, message };
  }
  if (status === 406 && error.code === 'PGRST106') {
    const message = redact(
      `the Data API does not expose schema ${table.schema} (${reason}): remove it from the exposed-schemas input or expose it in the project's API settings`,
    );
    return { kind: 'schema', result: { ...result, error: message }, message };
  }
  if (status === 404 && (error.code === 'PGRST205' || error.code === '42P01')) {
    const message = redact(
      `the Data API does not know ${qualified(table)} (${reason}): its schema cache may be stale (run notify pgrst, 'reload schema'), or supabase-url names another project than database-url`,
    );
    return { kind: 'table', result: { ...result, error: message }, message };
  }
  if (status === 404 && !error.code) {
    // No PostgREST error code: the URL reached something that is not a Data API.
    const message = redact(`no Data API answered at ${apiUrl} (HTTP 404, ${reason}): check the supabase-url input`);
    return { kind: 'global', result: { ...result, error: message }, message };
  }
  if ([429, 502, 503, 504].includes(status)) {
    // The API itself is unwell (after the retries): one finding for the cause, not one per table.
    const message = redact(
      `the Data API at ${apiUrl} kept answering ${reason}: try again later, or check the project's status`,
    );
    return { kind: 'global', result: { ...result, error: message }, message };
  }
  const message = redact(`the Data API could not read ${qualified(table)} as anon (${reason})`);
  return { kind: 'table', result: { ...result, error: message }, message };
}

/** A fetch that retries what a busy gateway answers (429, 502, 503, 504), honouring Retry-After. */
function withRetries(
  base: typeof fetch,
  o: { retries: number; maxRetryAfterMs: number; sleep: (ms: number) => Promise<void> },
): typeof fetch {
  return async (input, init) => {
    for (let retry = 1; ; retry++) {
      const res = await base(input, init);
      if (![429, 502, 503, 504].includes(res.status) || retry > o.retries) return res;
      const headers = Object.fromEntries(res.headers.entries());
      const asked = serverRequestedDelayMs(res.status, headers, Date.now());
      if (asked !== undefined && asked > o.maxRetryAfterMs) return res;
      await res.body?.cancel().catch(() => {});
      await o.sleep(asked ?? backoffDelayMs(retry, 250, 4000, Math.random));
    }
  };
}

/** The ws package where Node has no WebSocket (Node 20); undefined where it has one. */
async function webSocketTransport(): Promise<unknown> {
  if (typeof (globalThis as { WebSocket?: unknown }).WebSocket !== 'undefined') return undefined;
  return (await import('ws')).default;
}

function blank(
  table: DataApiProbeTable,
  anonDenied: boolean,
  outcome: DataApiOutcome,
  error?: string,
): DataApiTableResult {
  return { schema: table.schema, name: table.name, outcome, anonDenied, status: 0, rows: 0, count: null, error };
}

function objectOf(table: DataApiProbeTable): Finding['object'] {
  return { type: table.kind ?? 'table', schema: table.schema, name: table.name };
}

const plural = (n: number) => `${n} row${n === 1 ? '' : 's'}`;

function oneLine(text: string, max = 400): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** `HTTP 401 PGRST301: No suitable key or wrong key type`, from PostgREST's or the gateway's error body. */
function describe(error: ApiError, status: number): string {
  const code = error.code ? ` ${error.code}` : '';
  const message = oneLine(String(error.message ?? 'no message'), 200);
  return `HTTP ${status}${code}: ${message}`;
}

/** supabase-js puts the fetch error's cause (`connect ECONNREFUSED 127.0.0.1:1 (ECONNREFUSED)`) in `details`. */
function networkCause(error: ApiError): string {
  const caused = /Caused by: ([^\n]+)/.exec(error.details ?? '');
  return oneLine(caused?.[1] ?? error.message ?? 'network error', 200);
}

function restUrl(supabaseUrl: string): string | undefined {
  try {
    const url = new URL(supabaseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    url.username = '';
    url.password = '';
    return new URL('rest/v1', url.href.endsWith('/') ? url.href : `${url.href}/`).href;
  } catch {
    return undefined;
  }
}

/** A key that is clearly not the anon key would make the probe read as someone else: refuse before asking. */
function anonKeyProblem(key: string): string | undefined {
  if (!key.trim()) return 'the anon-key input is empty: give the project anon (publishable) key';
  if (key.startsWith('sb_secret_')) {
    return 'the anon-key input is a secret key (sb_secret_…), not the anon key: the probe must read as anon; give the project anon (publishable) key';
  }
  const parts = key.split('.');
  if (parts.length !== 3) return undefined; // a publishable key or another format: the API decides
  try {
    const role = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8'))?.role;
    if (typeof role === 'string' && role !== 'anon') {
      return `the anon-key input is a ${role} key, not the anon key: the probe must read as anon; give the project anon key`;
    }
  } catch {
    // not a JWT after all: the API decides
  }
  return undefined;
}
