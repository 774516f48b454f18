// What to check: the `url` shorthand and the `targets` list (YAML or JSON, already parsed), turned into
// validated target specs. Every error names the input, the item and the field, and shows what was expected.
import { type JsonAssertion, parseJsonAssertion } from './json-assert';

export interface StatusMatcher {
  /** As the user wrote it, normalised: "200-299", "200, 204". */
  text: string;
  ranges: ReadonlyArray<readonly [number, number]>;
}

export interface HeaderExpectation {
  /** Lower-case header name. */
  name: string;
  /** Exact value, or the value's part before the first ';' (so `application/json` matches `application/json; charset=utf-8`). */
  equals?: string;
  /** From a value written as /regex/flags. */
  pattern?: RegExp;
  /** As written, for messages. */
  text: string;
}

export interface TargetSpec {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  expectStatus: StatusMatcher;
  expectJson: JsonAssertion[];
  expectBody?: RegExp;
  expectHeaders: HeaderExpectation[];
}

export class TargetConfigError extends Error {
  override name = 'TargetConfigError';
}

export const DEFAULT_STATUS: StatusMatcher = { text: '200-299', ranges: [[200, 299]] };

const KNOWN_KEYS = [
  'url',
  'method',
  'headers',
  'body',
  'expect-status',
  'expect-json',
  'expect-body',
  'expect-headers',
];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const STATUS_EXPECTED = 'a status like 200, a list like [200, 204], a range like 200-299 or a class like 2xx';

export function statusMatches(m: StatusMatcher, status: number): boolean {
  return m.ranges.some(([lo, hi]) => status >= lo && status <= hi);
}

/** 200 | "200" | "200-299" | "2xx" | "200, 204" | [200, "300-399"]; undefined for anything else. */
export function parseStatusMatcher(value: unknown): StatusMatcher | undefined {
  const parts: unknown[] = Array.isArray(value)
    ? value
    : typeof value === 'string'
      ? value.split(',').map((s) => s.trim())
      : [value];
  const ranges: Array<[number, number]> = [];
  const texts: string[] = [];
  for (const part of parts) {
    const s = String(part).trim();
    if (typeof part !== 'number' && typeof part !== 'string') return undefined;
    const single = /^[1-5]\d\d$/.exec(s);
    const range = /^([1-5]\d\d)\s*-\s*([1-5]\d\d)$/.exec(s);
    const cls = /^([1-5])xx$/i.exec(s);
    if (single) ranges.push([Number(s), Number(s)]);
    else if (range && Number(range[1]) <= Number(range[2])) ranges.push([Number(range[1]), Number(range[2])]);
    else if (cls) ranges.push([Number(cls[1]) * 100, Number(cls[1]) * 100 + 99]);
    else return undefined;
    texts.push(s.replace(/\s+/g, ''));
  }
  return ranges.length ? { text: texts.join(', '), ranges } : undefined;
}

/** A regex written as /source/flags, or undefined when the text is not in that form. */
function slashRegex(text: string): RegExp | undefined {
  const m = /^\/(.+)\/([dgimsuvy]*)$/s.exec(text);
  return m ? new RegExp(m[1]!, m[2]!.replace(/[gy]/g, '')) : undefined;
}

/**
 * Header lines `Name: value`, one per line (or a JSON object). Not YAML: a secret value must arrive
 * byte for byte, and YAML would turn `0123` into 123, `yes` into true and cut at ` #`.
 */
export function parseHeaderLines(text: string | undefined, inputName = 'headers'): Record<string, string> {
  const out: Record<string, string> = {};
  const trimmed = text?.trim() ?? '';
  if (!trimmed) return out;
  if (trimmed.startsWith('{')) {
    let obj: unknown;
    try {
      obj = JSON.parse(trimmed);
    } catch {
      throw new TargetConfigError(
        `input '${inputName}' starts with { but is not valid JSON; write a JSON object or one "Name: value" per line`,
      );
    }
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) out[checkName(k, inputName)] = String(v);
    return out;
  }
  for (const [n, raw] of trimmed.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    // Only the header name is shown: the value may be a secret.
    if (colon <= 0)
      throw new TargetConfigError(
        `input '${inputName}' line ${n + 1} must be "Name: value" (e.g. "x-vercel-protection-bypass: \${{ secrets.BYPASS }}")`,
      );
    let value = line.slice(colon + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0]!))
      value = value.slice(1, -1);
    out[checkName(line.slice(0, colon).trim(), inputName, n + 1)] = value;
  }
  return out;
}

function checkName(name: string, inputName: string, line?: number): string {
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
    throw new TargetConfigError(
      `input '${inputName}'${line ? ` line ${line}` : ''}: "${name.slice(0, 40)}" is not a valid header name`,
    );
  return name.toLowerCase();
}

function describe(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 79)}…` : s;
}

function parseUrl(value: unknown, where: string): string {
  const expected = `${where} must be an absolute http:// or https:// URL`;
  if (typeof value !== 'string' || !value.trim()) throw new TargetConfigError(`${expected}, got ${describe(value)}`);
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new TargetConfigError(`${expected}, got ${describe(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TargetConfigError(`${expected}, got ${describe(value)}`);
  return url.href;
}

function parseTarget(item: unknown, where: string): TargetSpec {
  if (typeof item === 'string') return { ...baseTarget(), url: parseUrl(item, `${where}`) };
  if (item === null || typeof item !== 'object' || Array.isArray(item))
    throw new TargetConfigError(
      `${where} must be a URL or a mapping with 'url' (and optional method, headers, expect-*)`,
    );
  const obj = item as Record<string, unknown>;
  const unknown = Object.keys(obj).filter((k) => !KNOWN_KEYS.includes(k));
  if (unknown.length)
    throw new TargetConfigError(
      `${where} has unknown key(s) ${unknown.join(', ')}; known keys: ${KNOWN_KEYS.join(', ')}`,
    );
  const spec = baseTarget();
  spec.url = parseUrl(obj.url, `${where}.url`);

  if (obj.method !== undefined) {
    const m = String(obj.method).toUpperCase();
    if (!METHODS.includes(m))
      throw new TargetConfigError(`${where}.method must be one of ${METHODS.join(', ')}, got ${describe(obj.method)}`);
    spec.method = m;
  }
  if (obj.headers !== undefined) {
    if (obj.headers === null || typeof obj.headers !== 'object' || Array.isArray(obj.headers))
      throw new TargetConfigError(`${where}.headers must be a mapping of header name to value`);
    // An empty value sends no header: a workflow can pass an optional secret (a bypass) unconditionally.
    for (const [k, v] of Object.entries(obj.headers))
      if (v !== null && v !== undefined && String(v) !== '') spec.headers[checkName(k, `${where}.headers`)] = String(v);
  }
  if (obj.body !== undefined && obj.body !== null) {
    if (typeof obj.body === 'string') spec.body = obj.body;
    else {
      spec.body = JSON.stringify(obj.body);
      spec.headers['content-type'] ??= 'application/json';
    }
  }
  if (obj['expect-status'] !== undefined) {
    const m = parseStatusMatcher(obj['expect-status']);
    if (!m)
      throw new TargetConfigError(
        `${where}.expect-status must be ${STATUS_EXPECTED}, got ${describe(obj['expect-status'])}`,
      );
    spec.expectStatus = m;
  }
  if (obj['expect-json'] !== undefined) {
    const list = Array.isArray(obj['expect-json']) ? obj['expect-json'] : [obj['expect-json']];
    spec.expectJson = list.map((a, n) => {
      if (typeof a !== 'string')
        throw new TargetConfigError(`${where}.expect-json[${n}] must be a string like '$.status == "ok"'`);
      try {
        return parseJsonAssertion(a);
      } catch (err) {
        throw new TargetConfigError(`${where}.expect-json[${n}] ${(err as Error).message}`);
      }
    });
  }
  if (obj['expect-body'] !== undefined) {
    const text = String(obj['expect-body']);
    try {
      spec.expectBody = slashRegex(text) ?? new RegExp(text);
    } catch (err) {
      throw new TargetConfigError(`${where}.expect-body must be a regular expression: ${(err as Error).message}`);
    }
  }
  if (obj['expect-headers'] !== undefined) {
    const eh = obj['expect-headers'];
    if (eh === null || typeof eh !== 'object' || Array.isArray(eh))
      throw new TargetConfigError(`${where}.expect-headers must be a mapping of header name to value or /regex/`);
    for (const [k, v] of Object.entries(eh)) {
      const text = String(v);
      let pattern: RegExp | undefined;
      try {
        pattern = slashRegex(text);
      } catch (err) {
        throw new TargetConfigError(`${where}.expect-headers.${k}: ${(err as Error).message}`);
      }
      spec.expectHeaders.push({
        name: checkName(k, `${where}.expect-headers`),
        text,
        ...(pattern ? { pattern } : { equals: text }),
      });
    }
  }
  return spec;
}

function baseTarget(): TargetSpec {
  return { url: '', method: 'GET', headers: {}, expectStatus: DEFAULT_STATUS, expectJson: [], expectHeaders: [] };
}

/** The targets to check: `url` (if given) first, then the `targets` list. */
export function parseTargets(options: { url?: string; targets?: unknown }): TargetSpec[] {
  const out: TargetSpec[] = [];
  if (options.url) out.push({ ...baseTarget(), url: parseUrl(options.url, "input 'url'") });
  const t = options.targets;
  if (t !== undefined && t !== null && t !== '') {
    const list = Array.isArray(t) ? t : [t];
    list.forEach((item, n) => {
      out.push(parseTarget(item, `input 'targets' item ${n + 1}`));
    });
  }
  if (!out.length)
    throw new TargetConfigError(
      "nothing to check: set input 'url' (one health URL) or 'targets' (a YAML or JSON list of {url, expect-*})",
    );
  return out;
}

/**
 * Header names whose values are credentials: Authorization, Cookie, X-*-Token, *-Secret, *-Key and
 * Vercel's protection bypass. Their values in targets: are masked like a secret input.
 */
export function isSecretHeader(name: string): boolean {
  const n = name.toLowerCase();
  return (
    n === 'authorization' ||
    n === 'proxy-authorization' ||
    n === 'cookie' ||
    /^x-.*-token$/.test(n) ||
    n.endsWith('-secret') ||
    n.endsWith('-key') ||
    n.includes('protection-bypass')
  );
}
