// Which seed files a run applies, and from where that came: the seed-file input, or config.toml's
// [db.seed] sql_paths expanded as the Supabase CLI expands them (Go's fs.Glob: *, ? and [...] within
// one path segment, no **; each pattern's matches sorted, duplicates dropped, a pattern matching
// nothing a warning), relative to the supabase folder. Paths are kept relative to the project root
// with forward slashes, as the CLI records them in supabase_migrations.seed_files.
import { readdir, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { MigrationsError } from './errors';
import type { SupabaseProjectConfig } from './project-config';

export interface SeedPlan {
  files: string[];
  /** Where the list came from, for the summary. */
  source: string;
  warnings: string[];
}

export async function planSeeds(options: {
  root: string;
  /** The seed-file input: paths or patterns relative to the project root. */
  explicit?: string[];
  config?: SupabaseProjectConfig;
}): Promise<SeedPlan | undefined> {
  if (options.explicit?.length) {
    const { files, warnings } = await expand(options.root, options.explicit);
    if (!files.length)
      throw new MigrationsError(
        `input 'seed-file' is ${options.explicit.join(', ')}, which matches no file: check the path (relative to the repository root)`,
      );
    return { files, source: "input 'seed-file'", warnings };
  }
  const config = options.config;
  if (!config)
    return { ...(await expand(options.root, ['supabase/seed.sql'])), source: 'the default supabase/seed.sql' };
  if (!config.seed.enabled) return undefined;
  const patterns = config.seed.sqlPaths.map((p) => (p.startsWith('/') ? p : posix.join('supabase', p)));
  return { ...(await expand(options.root, patterns)), source: `${config.file} [db.seed] sql_paths` };
}

async function expand(root: string, patterns: string[]): Promise<{ files: string[]; warnings: string[] }> {
  const files: string[] = [];
  const warnings: string[] = [];
  for (const pattern of patterns) {
    const matches = (await globOne(root, posix.normalize(pattern.replace(/\\/g, '/')))).sort(byteOrder);
    if (!matches.length) warnings.push(`no files matched pattern: ${pattern}`);
    for (const m of matches) if (!files.includes(m)) files.push(m);
  }
  return { files, warnings };
}

const byteOrder = (a: string, b: string) => (Buffer.from(a) < Buffer.from(b) ? -1 : a === b ? 0 : 1);

async function globOne(root: string, pattern: string): Promise<string[]> {
  let found = [''];
  const segments = pattern.split('/').filter((s, i) => s !== '' || i === 0);
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    const next: string[] = [];
    for (const prefix of found) {
      if (segment === '' && i === 0) {
        next.push('/');
        continue;
      }
      const names = hasMeta(segment) ? await matching(at(root, prefix || '.'), segment) : [segment];
      for (const name of names) {
        const path = prefix === '' ? name : posix.join(prefix, name);
        const info = await stat(at(root, path)).catch(() => undefined);
        if (info && (last ? info.isFile() : info.isDirectory())) next.push(path);
      }
    }
    found = next;
  }
  return found;
}

const at = (root: string, path: string) => (posix.isAbsolute(path) ? path : join(root, path));

const hasMeta = (s: string) => /[*?[\\]/.test(s);

async function matching(dir: string, segment: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const re = segmentRegExp(segment);
  return names.filter((n) => re.test(n));
}

/** Go's path.Match for one segment: * any run of characters, ? one, [a-z] / [^a-z] a class, \ escapes. */
function segmentRegExp(segment: string): RegExp {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '\\' && i + 1 < segment.length) out += literal(segment[++i]!);
    else if (c === '[') {
      const end = segment.indexOf(']', i + 2);
      if (end < 0) throw new MigrationsError(`seed pattern ${segment} has an unclosed [: fix [db.seed] sql_paths`);
      let body = segment.slice(i + 1, end);
      const negate = body.startsWith('^');
      if (negate) body = body.slice(1);
      out += `[${negate ? '^' : ''}${body.replace(/[\]\\]/g, '\\$&')}]`;
      i = end;
    } else out += literal(c);
  }
  return new RegExp(`^${out}$`, 's');
}

const literal = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
