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
