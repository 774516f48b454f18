// Templates: {pr}, {branch}, {sha} rendered into DNS-safe hostnames (aliases) and into env values (a
// preview's NEXT_PUBLIC_API_URL=https://myapp-pr-{pr}.herokuapp.com).

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

/** `text` with {pr}, {branch} (DNS-safe) and {sha} (7 characters) filled in; `what` names it in errors. */
export function renderTemplate(text: string, ctx: AliasContext, what: string): string {
  return text.replace(/\{(pr|branch|sha)\}/g, (_, key: string) => {
    if (key === 'pr') {
      if (ctx.pr === undefined) {
        throw new Error(
          `${what} uses {pr} but this run is not for a pull request: use {branch} or {sha}, or set it only on pull_request events`,
        );
      }
      return String(ctx.pr);
    }
    const value = key === 'branch' ? ctx.branch : ctx.sha?.slice(0, 7);
    if (!value) throw new Error(`${what} uses {${key}} but the ${key} of this run is unknown`);
    return dnsLabel(value);
  });
}

/** KEY=VALUE values with their templates filled in. */
export function renderValues(
  values: Record<string, string> | undefined,
  ctx: AliasContext,
  input: string,
): Record<string, string> | undefined {
  if (!values) return undefined;
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, renderTemplate(v, ctx, `input '${input}' (${k})`)]),
  );
}

/** An alias template as a hostname template: no scheme, no trailing slash. */
const hostTemplate = (template: string) =>
  template
    .trim()
    .replace(/^https?:\/\//i, '')
    .replace(/\/+$/, '');

export function renderAliases(templates: readonly string[], ctx: AliasContext): string[] {
  const out: string[] = [];
  for (const template of templates) {
    const host = renderTemplate(hostTemplate(template), ctx, `alias '${template}'`).toLowerCase();
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

/**
 * Which pull request an alias of `template` belongs to: the number where {pr} stands, {branch} and
 * {sha} matching any DNS-safe text. undefined when the alias is not of the template, or the template
 * has no {pr} (its aliases cannot be told apart by pull request).
 */
export function pullRequestOfAlias(template: string, alias: string): number | undefined {
  const host = hostTemplate(template).toLowerCase();
  if (!host.includes('{pr}')) return undefined;
  const pattern = host
    .split(/(\{pr\}|\{branch\}|\{sha\})/)
    .map((part) =>
      part === '{pr}'
        ? '(\\d+)'
        : part === '{branch}' || part === '{sha}'
          ? '[a-z0-9-]+'
          : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  const m = new RegExp(`^${pattern}$`).exec(alias.toLowerCase());
  return m ? Number(m[1]) : undefined;
}
