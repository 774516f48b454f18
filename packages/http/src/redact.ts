// Credential redaction for everything the client lets out: error messages, error bodies, URLs, retry logs.

export const REDACTED = '***';

// Secrets shorter than this would shred ordinary words if replaced everywhere; real tokens are far longer.
const MIN_SECRET_LENGTH = 4;

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
 * Returns a function that replaces every given secret (and its encoded forms), URL userinfo and
 * token-like query parameters with ***. Longer secrets are replaced first so a secret that contains
 * another one is not left half-visible.
 */
export function createRedactor(secrets: Iterable<string | undefined | null>): Redactor {
  const needles = new Set<string>();
  for (const s of secrets) {
    if (typeof s !== 'string') continue;
    const trimmed = s.trim();
    if (trimmed.length < MIN_SECRET_LENGTH) continue;
    for (const v of variants(trimmed)) needles.add(v);
  }
  const sorted = [...needles].sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = text;
    for (const n of sorted) out = out.split(n).join(REDACTED);
    return out.replace(URL_USERINFO, `$1${REDACTED}@`).replace(SENSITIVE_QUERY, `$1${REDACTED}`);
  };
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
