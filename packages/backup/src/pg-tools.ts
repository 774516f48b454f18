// pg_dump refuses a server newer than itself, and a plain dump is best restored by the psql beside the
// pg_dump that wrote it (pg_dump ≥ 17.6/16.10/15.14 writes \restrict lines older psql rejects). Ubuntu
// runners keep each installed major under /usr/lib/postgresql/<major>/bin, with /usr/bin/pg_dump a
// wrapper for one of them, so every candidate is asked its version and the newest fitting one wins.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { DrillError } from './errors';

const run = promisify(execFile);

export interface PgTools {
  pgDump: string;
  psql: string;
  /** pg_dump's major version. */
  major: number;
}

const DEBIAN_LAYOUT = '/usr/lib/postgresql';

async function majorOf(binary: string): Promise<number | undefined> {
  try {
    const { stdout } = await run(binary, ['--version'], { timeout: 10_000 });
    const m = /\(PostgreSQL\)\s+(\d+)/.exec(stdout);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function candidates(explicit?: string): string[] {
  if (explicit) return [explicit];
  const found = ['pg_dump'];
  if (existsSync(DEBIAN_LAYOUT))
    for (const v of readdirSync(DEBIAN_LAYOUT)) {
      const p = join(DEBIAN_LAYOUT, v, 'bin', 'pg_dump');
      if (existsSync(p)) found.push(p);
    }
  return found;
}

/** The newest pg_dump found (and its psql) when it can dump a server of `serverMajor`; a clear error otherwise. */
export async function findPgTools(serverMajor: number, explicit?: string): Promise<PgTools> {
  const versions: { path: string; major: number }[] = [];
  for (const path of candidates(explicit)) {
    const major = await majorOf(path);
    if (major !== undefined) versions.push({ path, major });
  }
  const install = `install postgresql-client-${serverMajor} (on Ubuntu runners from the PostgreSQL project's PGDG apt repository: the runner image's own client is older) and put its bin folder on PATH, or name its pg_dump in input 'pg-dump'`;
  if (!versions.length)
    throw new DrillError(
      explicit
        ? `input 'pg-dump' names ${explicit}, which does not run as pg_dump --version: ${install}`
        : `pg_dump was not found on PATH: ${install}`,
    );
  versions.sort((a, b) => b.major - a.major);
  const best = versions[0]!;
  if (best.major < serverMajor)
    throw new DrillError(
      `pg_dump ${best.major} (${best.path}) is older than the source server (PostgreSQL ${serverMajor}) and pg_dump cannot dump a newer server: ${install}`,
    );
  const beside = best.path.includes('/') ? join(dirname(best.path), 'psql') : 'psql';
  const psql = existsSync(beside) ? beside : 'psql';
  return { pgDump: best.path, psql, major: best.major };
}
