// The one redactor: whatever leaves the process (a log line, an error, a summary, an HTTP error body)
// passes through it, so a secret is hidden in every spelling it may take on the way.

export const REDACTED = '***';

// Secrets shorter than this would shred ordinary words if replaced everywhere; real tokens are far longer.
const MIN_SECRET_LENGTH = 3;

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;
const SENSITIVE_QUERY =
  /([?&;](?:access_token|refresh_token|id_token|token|api_key|apikey|api-key|key|secret|client_secret|password|passwd|pwd|sig|signature|auth|authorization)=)[^&#\s"'<>]+/gi;

export type Redactor = (text: string) => string;

/** Every spelling of a secret that may end up in text: raw, URL-encoded, JSON-escaped. */
function variants(secret: string): string[] {
  const out = new Set<string>([secret]);
  try {
    out.add(encodeURIComponent(secret));
  } catch {
    // lone surrogates cannot be encoded; the raw form still gets replaced
  }
  out.add(JSON.stringify(secret).slice(1, -1));
  return [...out];
}

/**
 * What to hide for one secret value. A connection URL leaks through its password alone as easily as
 * through the whole URL (drivers and servers quote either), so both are hidden, encoded and decoded.
 * A server that echoes a credential back often echoes it encoded: base64 and base64url of the value and
 * of the Authorization forms built from it (Bearer <v>, Basic base64(":<v>")), without padding so the
 * form also matches inside a longer encoded string that starts with it.
 */
export function secretParts(value: string): string[] {
  const parts = new Set([value]);
  try {
    const url = new URL(value);
    if (url.password) {
      parts.add(url.password);
      parts.add(decodeURIComponent(url.password));
    }
  } catch {
    // not a URL: the value alone
  }
  for (const plain of [...parts]) {
    for (const form of [plain, `Bearer ${plain}`, `:${plain}`]) {
      const bytes = Buffer.from(form, 'utf8');
      parts.add(bytes.toString('base64'));
      parts.add(bytes.toString('base64').replace(/=+$/, ''));
      parts.add(bytes.toString('base64url'));
    }
  }
  return [...parts].filter((p) => p.length >= MIN_SECRET_LENGTH);
}

/**
 * Remembers secrets (each in every part and spelling above, raw, URL-encoded and JSON-escaped) and
 * replaces them with ***, along with URL userinfo and token-like query parameters. Longer needles go
 * first so a secret that contains another one (a URL and its password) is not left half-visible.
 */
export class SecretRedactor {
  private readonly needles = new Set<string>();
  private sorted: string[] = [];

  constructor(secrets: Iterable<string | undefined | null> = []) {
    for (const s of secrets) this.add(s);
  }

  add(value: string | undefined | null): void {
    if (typeof value !== 'string') return;
    const trimmed = value.trim();
    if (trimmed.length < MIN_SECRET_LENGTH) return;
    for (const part of secretParts(trimmed)) for (const v of variants(part)) this.needles.add(v);
    this.sorted = [...this.needles].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const n of this.sorted) out = out.split(n).join(REDACTED);
    return out.replace(URL_USERINFO, `$1${REDACTED}@`).replace(SENSITIVE_QUERY, `$1${REDACTED}`);
  }
}

/** The redactor as a function, for code that only needs to apply it. */
export function createRedactor(secrets: Iterable<string | undefined | null>): Redactor {
  const redactor = new SecretRedactor(secrets);
  return (text: string) => redactor.redact(text);
}

/** Secrets carried by an Authorization header value: the whole value and the credential after the scheme. */
export function authorizationSecrets(value: string | undefined): string[] {
  if (!value) return [];
  const parts = value.trim().split(/\s+/);
  return parts.length > 1 ? [value, parts.slice(1).join(' ')] : [value];
}

/** Deep-redacts a parsed body (object, array, string) so error objects never hold a secret. */
export function redactValue<T>(value: T, redact: Redactor): T {
  if (value === undefined || value === null) return value;
  if (typeof value === 'string') return redact(value) as T;
  if (typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return redact(Buffer.from(value).toString('utf8')) as T;
  try {
    return JSON.parse(redact(JSON.stringify(value))) as T;
  } catch {
    return redact(String(value)) as T;
  }
}

/**
 * Postgres quotes row values in some of its messages: a duplicate or missing key, a failing row, a value
 * it cannot read, the COPY line it stopped at. From production those are customer data, and a CI log is
 * read by everyone with access to the repository (by anyone, for a public one). The columns, objects and
 * line numbers stay, so the message still says where to look; the values become …
 */
const ROW_VALUES: [RegExp, string][] = [
  // Key (email)=(…) already exists / is duplicated / is not present in … / is still referenced from …
  // / conflicts with existing key (id)=(…): the columns may be expressions with parentheses, so the
  // values run to the ")" the message continues after.
  [
    /\)=\(.*?\)(?= already exists| is duplicated| is not present in| is still referenced from| conflicts with existing key|\.?(?:\s|$))/gm,
    ')=(…)',
  ],
  [/(Failing row contains )\(.*?\)(?=\.?(?:\s|$))/gm, '$1(…)'],
  // invalid input syntax for type uuid: "…", invalid input value for enum …: "…", malformed array
  // literal: "…", COPY t, line 3, column c: "…", COPY t, line 3: "<the whole line>"
  [/(: )".*?"(?=$|\s—\s|,\s|\n)/gm, '$1"…"'],
  [/(\bvalue )".*?"( is out of range)/g, '$1"…"$2'],
  [/(\bToken )".*?"( is invalid)/g, '$1"…"$2'],
  [/(JSON data, line \d+: ).*$/gm, '$1…'],
  [/(invalid byte sequence for encoding "[^"]+": )[0-9a-fx ]+/gi, '$1…'],
];

/** A Postgres message with the row values it quotes withheld (see ROW_VALUES). */
export function withholdRowValues(text: string): string {
  let out = text;
  for (const [pattern, replacement] of ROW_VALUES) out = out.replace(pattern, replacement);
  return out;
}
