// What to hide for one secret value. A connection URL leaks through its password alone as easily as
// through the whole URL (drivers and servers quote either), so both are masked, encoded and decoded.

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
  // A server that echoes a credential back often echoes it encoded: base64 and base64url of the value and
  // of the Authorization forms built from it (Bearer <v>, Basic base64(":<v>")), without padding so the
  // form also matches inside a longer encoded string that starts with it.
  for (const plain of [...parts]) {
    for (const form of [plain, `Bearer ${plain}`, `:${plain}`]) {
      const bytes = Buffer.from(form, 'utf8');
      parts.add(bytes.toString('base64'));
      parts.add(bytes.toString('base64').replace(/=+$/, ''));
      parts.add(bytes.toString('base64url'));
    }
  }
  return [...parts].filter((p) => p.length >= 3);
}

/** Remembers secrets and replaces them with *** in any text that leaves the process. */
export class SecretRedactor {
  private readonly secrets = new Set<string>();

  add(value: string | undefined): void {
    if (value) for (const part of secretParts(value)) this.secrets.add(part);
  }

  redact(text: string): string {
    let out = text;
    // Longest first, so a URL is replaced whole before its password inside it.
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join('***');
    return out;
  }
}
