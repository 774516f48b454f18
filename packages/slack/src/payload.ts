// The `payload` input: a raw Slack message (JSON or YAML) sent instead of the built one, with
// {placeholders} filled from the details and the run. The template is parsed first and placeholders are
// replaced inside its string values, so a value with quotes or newlines can never break the JSON.
import { parse } from 'yaml';

export class PayloadError extends Error {
  override name = 'PayloadError';
}

const PLACEHOLDER = /\{([A-Za-z_][\w-]*(?:\.[\w-]+)*)\}/g;

function lookup(vars: Record<string, unknown>, path: string): { found: boolean; value?: unknown } {
  if (Object.hasOwn(vars, path)) return { found: true, value: vars[path] };
  let cur: unknown = vars;
  for (const part of path.split('.')) {
    if (cur && typeof cur === 'object' && Object.hasOwn(cur as object, part))
      cur = (cur as Record<string, unknown>)[part];
    else return { found: false };
  }
  return { found: true, value: cur };
}

function asText(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function fill(value: unknown, vars: Record<string, unknown>, missing: Set<string>): unknown {
  if (typeof value === 'string')
    return value.replace(PLACEHOLDER, (whole, path: string) => {
      const hit = lookup(vars, path);
      if (!hit.found) {
        missing.add(path);
        return whole;
      }
      return asText(hit.value);
    });
  if (Array.isArray(value)) return value.map((v) => fill(v, vars, missing));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, vars, missing)]));
  return value;
}

/**
 * Parses the template and fills its placeholders. `vars` are the details (dotted paths reach into them)
 * and the run's values (status, environment, title, run_url, …). An unknown placeholder is an error: a
 * literal "{name}" in a deploy message is a typo nobody should find in production.
 */
export function renderPayload(template: string, vars: Record<string, unknown>): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = parse(template);
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new PayloadError(`input 'payload' is not valid JSON or YAML (${why}): fix the syntax`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new PayloadError(
      `input 'payload' must be a JSON or YAML object (a Slack message with text and/or blocks), got ${Array.isArray(parsed) ? 'an array' : typeof parsed}`,
    );
  const missing = new Set<string>();
  const out = fill(parsed, vars, missing) as Record<string, unknown>;
  if (missing.size)
    throw new PayloadError(
      `input 'payload' uses ${[...missing].map((m) => `{${m}}`).join(', ')}, which ${missing.size === 1 ? 'is' : 'are'} not in details or the run values; available: ${Object.keys(vars).join(', ')}`,
    );
  if (out.text === undefined && out.blocks === undefined && out.attachments === undefined)
    throw new PayloadError(
      `input 'payload' has neither text nor blocks, so Slack would refuse it (no_text): add a text key`,
    );
  if (out.blocks !== undefined && !Array.isArray(out.blocks))
    throw new PayloadError(
      `input 'payload' has blocks that are not a list: blocks must be an array of Block Kit blocks`,
    );
  return out;
}
