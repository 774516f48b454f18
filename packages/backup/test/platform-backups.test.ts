// The platform's backups, read from the Management API simulator as its OpenAPI document describes them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { silentLog } from '@wingman/log';
import { SupabaseSim } from '@wingman/testkit';
import { checkPlatformBackups, type PlatformCheckOptions } from '../src/index';

const HOUR = 3_600_000;
const NOW = new Date('2026-12-05T12:00:00Z');
const ago = (h: number) => new Date(NOW.getTime() - h * HOUR).toISOString();
let sim: SupabaseSim;
let apiUrl: string;

beforeAll(async () => {
  sim = new SupabaseSim({ ratePerMinute: 1000 });
  apiUrl = await sim.start();
});
afterAll(() => sim.stop());

const check = (ref: string, extra: Partial<PlatformCheckOptions> = {}) =>
  checkPlatformBackups({
    accessToken: 'sbp_sim_token',
    projectRef: ref,
    apiUrl,
    maxBackupAgeMs: 26 * HOUR,
    requirePitr: false,
    now: NOW,
    log: silentLog,
    http: { retries: 2, minDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });

describe('platform backups', () => {
  it('passes a daily backup younger than max-backup-age, and reports its age', async () => {
    sim.addProject('dailyref000000000001', {
      backups: {
        pitr_enabled: false,
        backups: [
          { status: 'COMPLETED', inserted_at: ago(30) },
          { status: 'COMPLETED', inserted_at: ago(6).replace('Z', '') },
          { status: 'FAILED', inserted_at: ago(1) },
        ],
      },
    });
    const r = await check('dailyref000000000001');
    expect(r.problems).toEqual([]);
    expect(r.newestBackupAt).toBe(ago(6));
    expect(r.backupAgeHours).toBe(6);
    expect(r.backups).toEqual([
      { status: 'COMPLETED', count: 2 },
      { status: 'FAILED', count: 1 },
    ]);
    // Only the list is read: nothing restores.
    expect(sim.requestsTo('POST')).toEqual([]);
  });

  it('fails a stale backup, a project without any, and PITR required but off', async () => {
    sim.addProject('staleref000000000001', {
      backups: { pitr_enabled: false, backups: [{ status: 'COMPLETED', inserted_at: ago(50) }] },
    });
    expect((await check('staleref000000000001')).problems).toEqual([
      expect.stringMatching(/^the newest completed backup \(.*\) is 50 h old, older than max-backup-age \(26 h\)/),
    ]);
    sim.addProject('freeref0000000000001');
    expect((await check('freeref0000000000001')).problems).toEqual([
      expect.stringMatching(/has no COMPLETED backup \(none listed\)/),
    ]);
    sim.addProject('nopitr00000000000001', {
      backups: { pitr_enabled: false, backups: [{ status: 'COMPLETED', inserted_at: ago(2) }] },
    });
    expect((await check('nopitr00000000000001', { requirePitr: true })).problems).toEqual([
      expect.stringMatching(/^require-pitr is true but point-in-time recovery is off for project nopitr/),
    ]);
  });

  it('with PITR, holds the latest recovery point to max-backup-age', async () => {
    const unix = (h: number) => Math.floor((NOW.getTime() - h * HOUR) / 1000);
    sim.addProject('pitrref0000000000001', {
      backups: {
        pitr_enabled: true,
        backups: [],
        physical_backup_data: {
          earliest_physical_backup_date_unix: unix(24 * 7),
          latest_physical_backup_date_unix: unix(0.5),
        },
      },
    });
    const fresh = await check('pitrref0000000000001', { requirePitr: true });
    expect(fresh.problems).toEqual([]);
    expect(fresh.pitrEnabled).toBe(true);
    expect(fresh.recoveryPointAgeHours).toBe(0.5);
    sim.setBackups('pitrref0000000000001', {
      pitr_enabled: true,
      backups: [],
      physical_backup_data: { latest_physical_backup_date_unix: unix(30) },
    });
    expect((await check('pitrref0000000000001')).problems).toEqual([
      expect.stringMatching(/^the latest point-in-time recovery point .* is 30 h old/),
    ]);
  });

  it('turns 401, 403 and 404 into errors that name the input to fix, and waits out a 429', async () => {
    await expect(check('dailyref000000000001', { accessToken: 'sbp_wrong' })).rejects.toThrow(
      /the Supabase access token was refused \(401\); check input 'supabase-access-token'/,
    );
    sim.addProject('otherorg000000000001', { foreign: true });
    await expect(check('otherorg000000000001')).rejects.toThrow(/may not read this project's backups \(403\)/);
    await expect(check('missingref0000000001')).rejects.toThrow(/not found \(404\); check input 'project-ref'/);
    sim.inject('GET', '/v1/projects/dailyref000000000001/database/backups', {
      status: 429,
      headers: { 'retry-after': '0' },
      body: { message: 'Too many requests' },
    });
    expect((await check('dailyref000000000001')).problems).toEqual([]);
    expect(sim.requestsTo('GET', '/v1/projects/dailyref000000000001/database/backups').length).toBeGreaterThanOrEqual(
      3,
    );
  });
});
