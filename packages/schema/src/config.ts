// .github/verify-schema.yml: per-rule level overrides and ignores, each ignore with a required reason.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import type { DbObject, Finding, Level } from './findings';

const level = z.enum(['error', 'warning', 'info', 'off']);
const schema = z
  .object({
    rules: z.record(z.string(), level).default({}),
    /** Report exactly what Supabase's advisors (splinter) report, without this suite's departures. */
    splinter_parity: z.boolean({ error: 'must be true or false' }).default(false),
    ignore: z
      .array(
        z
          .object({
            rule: z.string().min(1),
            object: z
              .string()
              .min(1)
              .describe(
                'schema.name, or schema.table.name for policies, indexes, columns; * matches any run of characters',
              ),
            reason: z
              .string({ error: 'needs a reason: say why the finding is acceptable' })
              .trim()
              .min(1, 'needs a reason: say why the finding is acceptable'),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export type SchemaConfig = z.infer<typeof schema>;
export const EMPTY_CONFIG: SchemaConfig = { rules: {}, splinter_parity: false, ignore: [] };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the config; a missing file is an empty config only when the user did not name it. */
export async function loadConfig(path: string, explicit: boolean): Promise<SchemaConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    if (!explicit) return EMPTY_CONFIG;
    throw new ConfigError(`config-file ${path} cannot be read: check the path (relative to the repository root)`);
  }
  return parseConfig(text, path);
}

export function parseConfig(text: string, path: string): SchemaConfig {
  let raw: unknown;
  try {
    raw = parse(text) ?? {};
  } catch (err) {
    throw new ConfigError(`config-file ${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.length
      ? issue.path
          .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
          .join('')
          .replace(/^\./, '')
      : 'top level';
    throw new ConfigError(
      `config-file ${path}: ${where} ${issue.message}; see the verify-schema README for the format`,
    );
  }
  return result.data;
}

export function objectKey(o: DbObject): string {
  return [o.schema, o.table, o.name].filter(Boolean).join('.');
}

const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );

export interface AppliedConfig {
  findings: Finding[];
  ignored: { finding: Finding; reason: string }[];
}

/** Level overrides first ('off' drops the rule), then ignores. */
export function applyConfig(findings: Finding[], config: SchemaConfig): AppliedConfig {
  const ignores = config.ignore.map((i) => ({ ...i, match: glob(i.object) }));
  const out: AppliedConfig = { findings: [], ignored: [] };
  for (const f of findings) {
    const override = config.rules[f.rule];
    if (override === 'off') continue;
    const finding: Finding = override ? { ...f, level: override as Level } : f;
    const ignore = ignores.find((i) => i.rule === f.rule && i.match.test(objectKey(f.object)));
    if (ignore) out.ignored.push({ finding, reason: ignore.reason });
    else out.findings.push(finding);
  }
  return out;
}
