// supabase/config.toml, read for the keys the Supabase CLI's own commands take from it: seeds
// ([db.seed] enabled, sql_paths) and the exposed schemas ([api] schemas).
// Defaults are the CLI's template's. The CLI has no key for the migrations folder: it is always
// supabase/migrations next to config.toml, which is run-migrations' default too.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { z } from 'zod';
import { MigrationsError } from './errors';

/** Where the CLI looks, relative to the project root (its --workdir). */
export const SUPABASE_CONFIG = 'supabase/config.toml';

export interface SupabaseProjectConfig {
  /** As found, relative to the project root. */
  file: string;
  seed: { enabled: boolean; sqlPaths: string[] };
  apiSchemas: string[];
}

const stringList = z.array(z.string(), { error: 'must be a list of strings, like ["./seed.sql"]' });
const shape = z.looseObject({
  db: z
    .looseObject({
      seed: z
        .looseObject({
          enabled: z.boolean({ error: 'must be true or false' }).optional(),
          sql_paths: stringList.optional(),
        })
        .optional(),
    })
    .optional(),
  api: z.looseObject({ schemas: stringList.optional() }).optional(),
});

/** The project's config.toml, or undefined when it has none. */
export async function readProjectConfig(root = '.'): Promise<SupabaseProjectConfig | undefined> {
  let text: string;
  try {
    text = await readFile(join(root, SUPABASE_CONFIG), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    if (err instanceof TomlError)
      throw new MigrationsError(
        `${SUPABASE_CONFIG}:${err.line}: not valid TOML (${err.message.split('\n')[0]}); fix the file, as the Supabase CLI would refuse it too`,
        { file: SUPABASE_CONFIG, line: err.line },
      );
    throw err;
  }
  const parsed = shape.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.map(String);
    const table = key.length > 1 ? `[${key.slice(0, -1).join('.')}] ` : '';
    throw new MigrationsError(`${SUPABASE_CONFIG}: ${table}${key.at(-1)} ${issue.message}`, { file: SUPABASE_CONFIG });
  }
  const c = parsed.data;
  return {
    file: SUPABASE_CONFIG,
    seed: { enabled: c.db?.seed?.enabled ?? true, sqlPaths: c.db?.seed?.sql_paths ?? ['./seed.sql'] },
    apiSchemas: c.api?.schemas ?? ['public', 'graphql_public'],
  };
}
