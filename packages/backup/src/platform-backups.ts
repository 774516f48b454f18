// What the platform keeps: the project's backups and point-in-time recovery, read (never restored: on
// Supabase a restore replaces the live database) through GET /v1/projects/{ref}/database/backups, whose
// shape is V1BackupsResponse in the Management API's OpenAPI document.
import { createHttpClient, type HttpClientOptions, HttpError } from '@wingman/http';
import type { Log } from '@wingman/log';
import { parseInstant } from '@wingman/time';
import { z } from 'zod';
import { DrillError } from './errors';

export interface PlatformCheckOptions {
  accessToken: string;
  projectRef: string;
  /** Default https://api.supabase.com. */
  apiUrl?: string;
  maxBackupAgeMs: number;
  requirePitr: boolean;
  now?: Date;
  log: Log;
  http?: Partial<HttpClientOptions>;
}

export interface PlatformBackups {
  region: string;
  pitrEnabled: boolean;
  /** The newest COMPLETED backup, ISO time. */
  newestBackupAt?: string;
  backupAgeHours?: number;
  /** With PITR: the latest point a restore can reach, ISO time. */
  latestRecoveryPointAt?: string;
  recoveryPointAgeHours?: number;
  backups: { status: string; count: number }[];
  problems: string[];
}

const backupsShape = z.looseObject({
  region: z.string().nullish(),
  walg_enabled: z.boolean().nullish(),
  pitr_enabled: z.boolean(),
  backups: z.array(
    z.looseObject({ is_physical_backup: z.boolean().nullish(), status: z.string(), inserted_at: z.string() }),
  ),
  physical_backup_data: z
    .looseObject({
      earliest_physical_backup_date_unix: z.number().nullish(),
      latest_physical_backup_date_unix: z.number().nullish(),
    })
    .nullish(),
});

const hours = (ms: number) => Math.round((ms / 3_600_000) * 10) / 10;
/** inserted_at comes without a zone in some answers; the platform's clock is UTC. */
const parseTime = (s: string) => parseInstant(/[zZ]|[+-]\d\d:?\d\d$/.test(s) ? s : `${s}Z`);

export async function checkPlatformBackups(o: PlatformCheckOptions): Promise<PlatformBackups> {
  const client = createHttpClient({
    baseUrl: o.apiUrl ?? 'https://api.supabase.com',
    token: o.accessToken,
    provider: 'Supabase Management',
    json: true,
    baseUrlInput: 'management-api-url',
    requestIdHeaders: ['sb-request-id', 'x-request-id'],
    onRetry: (r) => o.log.info(`Supabase API ${r.method} ${r.path}: ${r.reason}, retry ${r.retry} in ${r.delayMs} ms`),
    ...o.http,
  });
  let answer: z.infer<typeof backupsShape>;
  try {
    answer = await client.get(`/v1/projects/${encodeURIComponent(o.projectRef)}/database/backups`, {
      schema: backupsShape,
    });
  } catch (err) {
    throw explain(err, o.projectRef);
  }
  const now = (o.now ?? new Date()).getTime();
  const problems: string[] = [];
  const limit = `max-backup-age (${hours(o.maxBackupAgeMs)} h)`;

  const completed = answer.backups
    .filter((b) => b.status === 'COMPLETED')
    .map((b) => parseTime(b.inserted_at))
    .filter((d): d is Date => d !== undefined)
    .sort((a, b) => b.getTime() - a.getTime());
  const newest = completed[0];
  const result: PlatformBackups = {
    region: answer.region ?? '',
    pitrEnabled: answer.pitr_enabled,
    backups: [...countBy(answer.backups.map((b) => b.status))].map(([status, count]) => ({ status, count })),
    problems,
  };
  if (newest) {
    result.newestBackupAt = newest.toISOString();
    result.backupAgeHours = hours(now - newest.getTime());
  }

  const latestUnix = answer.physical_backup_data?.latest_physical_backup_date_unix;
  if (answer.pitr_enabled && latestUnix) {
    result.latestRecoveryPointAt = new Date(latestUnix * 1000).toISOString();
    result.recoveryPointAgeHours = hours(now - latestUnix * 1000);
  }

  if (answer.pitr_enabled) {
    // With PITR the project is restored from a base backup plus WAL, so the recovery point is what counts.
    if (!latestUnix) problems.push(`PITR is enabled but the platform reports no recovery point for ${o.projectRef}`);
    else if (now - latestUnix * 1000 > o.maxBackupAgeMs)
      problems.push(
        `the latest point-in-time recovery point (${result.latestRecoveryPointAt}) is ${result.recoveryPointAgeHours} h old, older than ${limit}: check the project's backups in the Supabase dashboard`,
      );
  } else {
    if (o.requirePitr)
      problems.push(
        `require-pitr is true but point-in-time recovery is off for project ${o.projectRef}: enable the PITR add-on (Project Settings → Add-ons), or set require-pitr: false`,
      );
    if (!newest)
      problems.push(
        `project ${o.projectRef} has no COMPLETED backup (${summarise(result.backups)}): daily backups need a paid plan; check the project's backups in the Supabase dashboard`,
      );
    else if (now - newest.getTime() > o.maxBackupAgeMs)
      problems.push(
        `the newest completed backup (${result.newestBackupAt}) is ${result.backupAgeHours} h old, older than ${limit}: check the project's backups in the Supabase dashboard`,
      );
  }
  return result;
}

function countBy(values: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return m;
}

function summarise(counts: { status: string; count: number }[]): string {
  return counts.length ? counts.map((c) => `${c.count} ${c.status}`).join(', ') : 'none listed';
}

function explain(err: unknown, ref: string): Error {
  if (!(err instanceof HttpError)) return err as Error;
  const what = `could not read the backups of project ${ref}`;
  if (err.status === 401)
    return new DrillError(`${what}: the Supabase access token was refused (401); check input 'supabase-access-token'`);
  if (err.status === 403)
    return new DrillError(
      `${what}: the access token may not read this project's backups (403); use a token of an owner or administrator of the project's organization`,
    );
  if (err.status === 404) return new DrillError(`${what}: not found (404); check input 'project-ref'`);
  return new DrillError(`${what}: ${err.providerMessage ?? err.message} (${err.status})`);
}
