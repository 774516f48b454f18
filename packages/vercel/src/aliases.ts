// Alias templates: {pr}, {branch}, {sha} rendered into DNS-safe hostnames.

export interface AliasContext {
  pr?: number;
  branch?: string;
  sha?: string;
}

/** A branch name as one DNS label part: lower-case a-z0-9 and '-', at most 40 characters. */
export function dnsLabel(text: string, max = 40): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, max)
    .replace(/^-+|-+$/g, '');
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function renderAliases(templates: readonly string[], ctx: AliasContext): string[] {
  const out: string[] = [];
  for (const template of templates) {
    const host = template
      .trim()
      .replace(/^https?:\/\//i, '')
      .replace(/\/+$/, '')
      .replace(/\{(pr|branch|sha)\}/g, (_, key: string) => {
        if (key === 'pr') {
          if (ctx.pr === undefined) {
            throw new Error(
              `alias '${template}' uses {pr} but this run is not for a pull request: use {branch} or {sha}, or set aliases only on pull_request events`,
            );
          }
          return String(ctx.pr);
        }
        const value = key === 'branch' ? ctx.branch : ctx.sha?.slice(0, 7);
        if (!value) throw new Error(`alias '${template}' uses {${key}} but the ${key} of this run is unknown`);
        return dnsLabel(value);
      })
      .toLowerCase();
    const labels = host.split('.');
    if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) {
      throw new Error(
        `alias '${template}' renders to "${host}", which is not a valid hostname (labels of a-z, 0-9 and '-', at most 63 characters each)`,
      );
    }
    if (!out.includes(host)) out.push(host);
  }
  return out;
}
