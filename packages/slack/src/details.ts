// Renders the `details` input (outputs of earlier steps, as a JSON or YAML object) into message parts.
// Generic on purpose: it knows shapes, not steps. Per top-level key:
//   - an http(s) URL            → a link button labelled with the key
//   - a short scalar or list    → a field (two columns)
//   - anything longer / nested  → its own section: lists as bullets, objects as `key: value` lines,
//                                 objects with a status-like key (ok, status, passed, …) get ✅ / ❌ / ⚠️
// JSON strings (an output passed through as a string) are parsed first.
import { escapeMrkdwn, link } from './text';

export interface DetailLink {
  label: string;
  url: string;
}

export interface DetailItem {
  label: string;
  /** mrkdwn, not yet fitted to a limit. */
  text: string;
  /** Long or multi-line: rendered as its own full-width section. */
  long: boolean;
}

export interface RenderedDetails {
  items: DetailItem[];
  links: DetailLink[];
}

const URL_RE = /^https?:\/\/[^\s<>|]+$/i;
const SHORT = 120;
const MAX_DEPTH = 3;
const GOOD = new Set(['ok', 'pass', 'passed', 'success', 'succeeded', 'healthy', 'up', 'green', 'ready', 'applied']);
const BAD = new Set([
  'fail',
  'failed',
  'failure',
  'error',
  'errored',
  'unhealthy',
  'down',
  'red',
  'timeout',
  'timed_out',
]);
const WARN = new Set(['warn', 'warning', 'degraded', 'skipped', 'slow', 'yellow', 'pending', 'cancelled', 'canceled']);
const STATUS_KEYS = ['ok', 'passed', 'healthy', 'success', 'status', 'state', 'result', 'level', 'outcome'];
const NAME_KEYS = ['name', 'check', 'title', 'id', 'version', 'url', 'target', 'path', 'rule', 'object'];

/** "applied-versions" → "Applied versions"; a key a person wrote with spaces or capitals stays as written. */
const ACRONYMS: Record<string, string> = {
  url: 'URL',
  urls: 'URLs',
  api: 'API',
  id: 'ID',
  sha: 'SHA',
  db: 'DB',
  rls: 'RLS',
};

export function humanize(key: string): string {
  if (/[A-Z ]/.test(key)) return key;
  const words = key
    .split(/[-_.]+/)
    .filter(Boolean)
    .map((w) => ACRONYMS[w] ?? w);
  if (!words.length) return key;
  const first = words[0]!;
  words[0] = first === first.toUpperCase() ? first : first[0]!.toUpperCase() + first.slice(1);
  return words.join(' ');
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An output passed as a JSON string ("[\"a\",\"b\"]", "{\"ok\":true}") is read as what it encodes. */
function decode(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const t = value.trim();
  if ((t.startsWith('{') && t.endsWith('}')) || (t.startsWith('[') && t.endsWith(']'))) {
    try {
      return JSON.parse(t);
    } catch {
      return value;
    }
  }
  return value;
}

function scalar(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return URL_RE.test(v.trim()) ? link(v.trim(), shortUrl(v.trim())) : escapeMrkdwn(v);
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return escapeMrkdwn(JSON.stringify(v));
}

function shortUrl(url: string): string {
  const u = url.replace(/^https?:\/\//i, '').replace(/\/$/, '');
  return u.length > 60 ? `${u.slice(0, 59)}…` : u;
}

function isScalar(v: unknown): boolean {
  return v === null || v === undefined || ['string', 'number', 'boolean', 'bigint'].includes(typeof v);
}

/** ✅ / ❌ / ⚠️ for a status-like value, or undefined. */
export function statusEmoji(value: unknown): string | undefined {
  if (typeof value === 'boolean') return value ? '✅' : '❌';
  if (typeof value !== 'string') return undefined;
  const v = value.trim().toLowerCase();
  if (GOOD.has(v)) return '✅';
  if (BAD.has(v)) return '❌';
  if (WARN.has(v)) return '⚠️';
  return undefined;
}

function statusOf(o: Record<string, unknown>): { key: string; emoji: string } | undefined {
  for (const key of STATUS_KEYS) {
    const emoji = statusEmoji(o[key]);
    if (emoji) return { key, emoji };
  }
  return undefined;
}

/** One line for an object in a list: "✅ *api /health* · status: 200 · ms: 84". */
function summarize(o: Record<string, unknown>, depth: number): string {
  const status = statusOf(o);
  const nameKey = NAME_KEYS.find((k) => isScalar(o[k]) && o[k] !== undefined && o[k] !== '');
  const parts: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (k === status?.key || k === nameKey) continue;
    if (isScalar(v)) parts.push(`${escapeMrkdwn(k)}: ${scalar(v)}`);
    else if (Array.isArray(v) && v.every(isScalar)) parts.push(`${escapeMrkdwn(k)}: ${v.map(scalar).join(', ')}`);
    else if (depth < MAX_DEPTH) parts.push(`${escapeMrkdwn(k)}: ${compact(v)}`);
  }
  const head = [status?.emoji, nameKey ? `*${scalar(o[nameKey])}*` : undefined].filter(Boolean).join(' ');
  return [head, ...parts].filter(Boolean).join(' · ') || '—';
}

function compact(v: unknown): string {
  const json = JSON.stringify(v) ?? '';
  return `\`${escapeMrkdwn(json.length > 80 ? `${json.slice(0, 79)}…` : json)}\``;
}

/** Lines for a nested value, each already indented for its depth. */
function lines(value: unknown, depth: number): string[] {
  const pad = '  '.repeat(Math.max(0, depth - 1));
  const v = decode(value);
  if (Array.isArray(v)) {
    if (v.length === 0) return [`${pad}—`];
    return v.flatMap((item) => {
      const d = decode(item);
      if (isObject(d)) return [`${pad}• ${summarize(d, depth)}`];
      if (Array.isArray(d)) return [`${pad}• ${compact(d)}`];
      return [`${pad}• ${scalar(d)}`];
    });
  }
  if (isObject(v)) {
    const status = statusOf(v);
    const out: string[] = [];
    if (status && depth === 1) out.push(`${status.emoji} *${escapeMrkdwn(status.key)}:* ${scalar(v[status.key])}`);
    for (const [k, item] of Object.entries(v)) {
      if (status && depth === 1 && k === status.key) continue;
      const d = decode(item);
      if (isScalar(d)) out.push(`${pad}*${escapeMrkdwn(k)}:* ${scalar(d)}`);
      else if (Array.isArray(d) && d.every(isScalar) && d.map(scalar).join(', ').length <= SHORT)
        out.push(`${pad}*${escapeMrkdwn(k)}:* ${d.length ? d.map(scalar).join(', ') : '—'}`);
      else if (depth < MAX_DEPTH) out.push(`${pad}*${escapeMrkdwn(k)}:*`, ...lines(d, depth + 1));
      else out.push(`${pad}*${escapeMrkdwn(k)}:* ${compact(d)}`);
    }
    return out.length ? out : [`${pad}—`];
  }
  return [`${pad}${scalar(v)}`];
}

/** Renders a details object; keys keep their order. */
export function renderDetails(details: Record<string, unknown> | undefined): RenderedDetails {
  const items: DetailItem[] = [];
  const links: DetailLink[] = [];
  for (const [key, raw] of Object.entries(details ?? {})) {
    const label = humanize(key);
    const value = decode(raw);
    if (typeof value === 'string' && URL_RE.test(value.trim())) {
      links.push({ label, url: value.trim() });
      continue;
    }
    if (
      Array.isArray(value) &&
      value.length > 0 &&
      value.every((v) => typeof v === 'string' && URL_RE.test(v.trim()))
    ) {
      value.forEach((url, i) => {
        links.push({ label: value.length > 1 ? `${label} ${i + 1}` : label, url: (url as string).trim() });
      });
      continue;
    }
    if (isScalar(value)) {
      const text = scalar(value);
      items.push({ label, text, long: text.includes('\n') || text.length > SHORT });
      continue;
    }
    if (Array.isArray(value) && value.every(isScalar)) {
      const inline = value.length ? value.map(scalar).join(', ') : '—';
      if (inline.length <= SHORT) {
        items.push({ label, text: inline, long: false });
        continue;
      }
    }
    items.push({ label, text: lines(value, 1).join('\n'), long: true });
  }
  return { items, links };
}

/** The whole value as pretty JSON, for the thread reply where nothing is summarized. */
export function detailsAsCode(details: Record<string, unknown>): string {
  const decoded = Object.fromEntries(Object.entries(details).map(([k, v]) => [k, decodeDeep(v)]));
  return JSON.stringify(decoded, null, 2);
}

function decodeDeep(v: unknown): unknown {
  const d = decode(v);
  if (Array.isArray(d)) return d.map(decodeDeep);
  if (isObject(d)) return Object.fromEntries(Object.entries(d).map(([k, x]) => [k, decodeDeep(x)]));
  return d;
}
