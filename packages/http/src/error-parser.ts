// Reading a provider's error body: the contract a provider package can replace, and the default that
// knows the common shapes.

export interface ProviderError {
  code?: string;
  message?: string;
}

export type ErrorParser = (status: number, body: unknown) => ProviderError | undefined;

function str(v: unknown): string | undefined {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number') return String(v);
  return undefined;
}

/**
 * Understands the usual error bodies: Heroku `{id, message}`, Vercel `{error: {code, message}}`,
 * Slack `{ok: false, error}`, Sentry `{detail}`, GitHub `{message, errors}`, OAuth `{error, error_description}`,
 * and plain text.
 */
export const defaultErrorParser: ErrorParser = (_status, body) => {
  if (typeof body === 'string') return { message: str(body.split('\n')[0]) };
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const nested = b.error && typeof b.error === 'object' ? (b.error as Record<string, unknown>) : undefined;
  const code =
    str(nested?.code) ?? str(b.code) ?? str(b.id) ?? (typeof b.error === 'string' ? str(b.error) : undefined);
  let message = str(nested?.message) ?? str(b.message) ?? str(b.detail) ?? str(b.error_description);
  if (!message && Array.isArray(b.errors) && b.errors.length > 0) {
    const first = b.errors[0] as Record<string, unknown> | string;
    message = typeof first === 'string' ? first : (str(first?.message) ?? str(first?.detail));
  }
  return { code, message };
};
