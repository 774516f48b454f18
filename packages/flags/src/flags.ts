// The flags in the database, through the Data API with the service_role key (as the app's own
// FeatureFlagManager reaches them): sync from the flags file, one change at a time, every change
// followed by its audit row (who, why, from which run).
import { envProxyFetch } from '@wingman/http';
import type { Log } from '@wingman/log';
import { loadCreateClient } from '@wingman/supabase-client';
import { type FlagsFile, type FlagValue, valueFor, valueHash } from './flags-file';

export interface FlagRow {
  flag_name: string;
  enabled: boolean;
  rollout_percent: number;
  description: string | null;
  synced_hash: string | null;
}

export interface FlagChange {
  flag: string;
  action: 'insert' | 'update' | 'delete';
  from?: { enabled: boolean; rolloutPercent: number; description?: string | null };
  to?: { enabled: boolean; rolloutPercent: number; description?: string | null };
}

export interface FlagsReport {
  changes: FlagChange[];
  /** Flags whose runtime value differs from the file's, kept because the file did not change since the last sync. */
  keptRuntime: string[];
  /** In the database but not in the file (deleted with prune). */
  notInFile: string[];
  dryRun: boolean;
}

export interface Who {
  actor: string;
  reason?: string;
  runUrl?: string;
}

export class FlagsError extends Error {
  override name = 'FlagsError';
}

type Client = Awaited<ReturnType<typeof connect>>;

async function connect(url: string, serviceRoleKey: string) {
  const createClient = await loadCreateClient();
  return createClient(url, serviceRoleKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: { fetch: envProxyFetch() },
  });
}

/** A refused key, a missing table, or another error of the Data API, said with what to do. */
function explain(what: string, error: { code?: string; message: string; status?: number }): FlagsError {
  if (error.code === '42501' || error.status === 401 || error.status === 403)
    return new FlagsError(
      `could not ${what}: the Data API refused the key (${error.code ?? error.status}: ${error.message}); input 'service-role-key' must be the project's service_role key`,
    );
  if (error.code === 'PGRST205' || error.code === '42P01')
    return new FlagsError(
      `could not ${what}: ${error.message}; apply the feature flags migration (feature_flags, feature_flag_audit) first`,
    );
  return new FlagsError(`could not ${what}: ${error.message}`);
}

export class FlagStore {
  private constructor(
    private readonly client: Client,
    private readonly log: Log,
  ) {}

  static async open(url: string, serviceRoleKey: string, log: Log): Promise<FlagStore> {
    return new FlagStore(await connect(url, serviceRoleKey), log);
  }

  async list(): Promise<FlagRow[]> {
    const { data, error, status } = await this.client
      .from('feature_flags')
      .select('flag_name,enabled,rollout_percent,description,synced_hash')
      .order('flag_name');
    if (error) throw explain('read feature_flags', { ...error, status });
    return (data ?? []) as FlagRow[];
  }

  /** Writes one change, then its audit row (none for bookkeeping that changes nothing a reader sees). */
  async apply(change: FlagChange, row: Partial<FlagRow>, who: Who, audit = true): Promise<void> {
    const t = this.client.from('feature_flags');
    const stamped = { ...row, updated_by: who.actor };
    const { error, status } =
      change.action === 'insert'
        ? await t.insert(stamped)
        : change.action === 'update'
          ? await t.update(stamped).eq('flag_name', change.flag)
          : await t.delete().eq('flag_name', change.flag);
    if (error) throw explain(`${change.action} flag ${change.flag}`, { ...error, status });
    if (!audit) return;
    const recorded = await this.client.from('feature_flag_audit').insert({
      flag_name: change.flag,
      old_value: change.from ?? null,
      new_value: change.to ?? null,
      actor: who.actor,
      reason: who.reason ?? null,
      run_url: who.runUrl ?? null,
    });
    if (recorded.error)
      throw explain(`record the change of ${change.flag} in feature_flag_audit`, {
        ...recorded.error,
        status: recorded.status,
      });
    this.log.info(`${change.flag}: ${describeChange(change)}`);
  }
}

const shown = (v: FlagChange['to']) => (v ? `${v.enabled ? 'on' : 'off'} ${v.rolloutPercent}%` : 'absent');

export function describeChange(c: FlagChange): string {
  return `${shown(c.from)} → ${shown(c.to)}`;
}

const stateOf = (r: FlagRow) => ({ enabled: r.enabled, rolloutPercent: r.rollout_percent, description: r.description });

/**
 * Brings the database to the file for `environment`: new flags inserted, descriptions updated, and a
 * flag's enabled/rollout only changed when the file's value changed since the last sync (its hash is
 * kept), so a toggle made at runtime survives the next deploy. Flags the file lacks are reported, and
 * deleted with prune.
 */
export async function syncFlags(
  store: FlagStore,
  file: FlagsFile,
  o: { environment?: string; prune: boolean; dryRun: boolean; who: Who },
): Promise<FlagsReport> {
  const rows = new Map((await store.list()).map((r) => [r.flag_name, r]));
  const report: FlagsReport = { changes: [], keptRuntime: [], notInFile: [], dryRun: o.dryRun };
  const plan: { change: FlagChange; row: Partial<FlagRow>; seen?: boolean }[] = [];
  for (const [name, spec] of Object.entries(file)) {
    const want: FlagValue = valueFor(spec, o.environment);
    const hash = valueHash(want);
    const description = spec.description ?? null;
    const row = rows.get(name);
    if (!row) {
      plan.push({
        change: { flag: name, action: 'insert', to: { ...want, description } },
        row: {
          flag_name: name,
          enabled: want.enabled,
          rollout_percent: want.rolloutPercent,
          description,
          synced_hash: hash,
        },
      });
      continue;
    }
    const fileChanged = row.synced_hash !== hash;
    const next = fileChanged ? want : { enabled: row.enabled, rolloutPercent: row.rollout_percent };
    if (!fileChanged && (row.enabled !== want.enabled || row.rollout_percent !== want.rolloutPercent))
      report.keptRuntime.push(name);
    const same =
      next.enabled === row.enabled && next.rolloutPercent === row.rollout_percent && description === row.description;
    if (same && !fileChanged) continue;
    plan.push({
      change: { flag: name, action: 'update', from: stateOf(row), to: { ...next, description } },
      row: { enabled: next.enabled, rollout_percent: next.rolloutPercent, description, synced_hash: hash },
      // The file caught up with the database: only the hash moves, nobody sees a change.
      seen: !same,
    });
  }
  for (const name of rows.keys())
    if (!(name in file)) {
      report.notInFile.push(name);
      if (o.prune) plan.push({ change: { flag: name, action: 'delete', from: stateOf(rows.get(name)!) }, row: {} });
    }
  for (const p of plan) {
    const seen = p.seen ?? true;
    if (seen) report.changes.push(p.change);
    if (!o.dryRun) await store.apply(p.change, p.row, o.who, seen);
  }
  return report;
}

/** One change to one flag, with its reason. */
export async function setFlag(
  store: FlagStore,
  o: { flag: string; enabled?: boolean; rolloutPercent?: number; dryRun: boolean; who: Who },
): Promise<FlagsReport> {
  const rows = await store.list();
  const row = rows.find((r) => r.flag_name === o.flag);
  if (!row)
    throw new FlagsError(
      `input 'flag': ${o.flag} is not a flag in feature_flags (flags: ${rows.map((r) => r.flag_name).join(', ') || 'none'}); add it to the flags file and sync first`,
    );
  if (o.enabled === undefined && o.rolloutPercent === undefined)
    throw new FlagsError("mode set changes nothing without 'enabled' or 'rollout-percent': set one of them");
  const to = {
    enabled: o.enabled ?? row.enabled,
    rolloutPercent: o.rolloutPercent ?? row.rollout_percent,
    description: row.description,
  };
  const change: FlagChange = { flag: o.flag, action: 'update', from: stateOf(row), to };
  const report: FlagsReport = { changes: [], keptRuntime: [], notInFile: [], dryRun: o.dryRun };
  if (to.enabled === row.enabled && to.rolloutPercent === row.rollout_percent) return report;
  report.changes.push(change);
  // The synced hash stays: the next sync keeps this runtime value unless the file changes.
  if (!o.dryRun) await store.apply(change, { enabled: to.enabled, rollout_percent: to.rolloutPercent }, o.who);
  return report;
}
