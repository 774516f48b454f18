// Running pg_dump and psql: the connection goes in as a URL without its password (which goes in
// PGPASSWORD), so no secret is in the process list, and their stderr is kept for the error, with the
// row values a failed COPY quotes withheld (they are production data).
import { spawn } from 'node:child_process';
import { withholdRowValues } from '@wingman/log';
import { DrillError } from './errors';

export interface PgRun {
  binary: string;
  args: string[];
  url: string;
  /** Extra libpq settings, e.g. PGOPTIONS. */
  env?: Record<string, string>;
  /** What the run is, for the error: "pg_dump of the source". */
  what: string;
  /** Ends the process (SIGTERM): the drill's timeout, or the other dump failing. */
  signal?: AbortSignal;
}

export function libpqEnv(url: string): { dbname: string; env: Record<string, string> } {
  const u = new URL(url);
  const env: Record<string, string> = {};
  if (u.password) env.PGPASSWORD = decodeURIComponent(u.password);
  u.password = '';
  return { dbname: u.toString(), env };
}

export function runPg(o: PgRun): Promise<void> {
  const { dbname, env } = libpqEnv(o.url);
  return new Promise((resolve, reject) => {
    const child = spawn(o.binary, [...o.args, `--dbname=${dbname}`], {
      env: { ...process.env, ...env, ...o.env, PGAPPNAME: 'wingman-deploy backup-drill', PGCONNECT_TIMEOUT: '15' },
      stdio: ['ignore', 'ignore', 'pipe'],
      signal: o.signal,
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    child.on('error', (err) => {
      if (o.signal?.aborted) return; // 'close' follows and says why
      reject(
        new DrillError(
          `${o.what} could not start ${o.binary} (${err.message}): install the PostgreSQL client tools, or name pg_dump in input 'pg-dump' (its psql beside it)`,
        ),
      );
    });
    child.on('close', (code) => {
      if (o.signal?.aborted) return reject(new DrillError(`${o.what} was stopped: ${abortReason(o.signal)}`));
      if (code === 0) return resolve();
      const lines = stderr.trim().split('\n').filter(Boolean);
      const last = lines.find((l) => /ERROR|FATAL|error:/.test(l)) ?? lines.at(-1) ?? `exit code ${code}`;
      reject(new DrillError(`${o.what} failed: ${withholdRowValues(last.trim())}`));
    });
  });
}

function abortReason(signal: AbortSignal): string {
  const reason = signal.reason as unknown;
  return reason instanceof Error ? reason.message : String(reason ?? 'aborted');
}
