// Every health URL watched around the clock: one paged list of the account's monitors, then only the writes
// the plans need (create, update, pause, start). Rate limits are tight (FREE: 10 requests a minute), so no
// call is made twice and none is made for a monitor that is already as wanted.
import type { HttpClientOptions } from '@wingman/http';
import type { Log } from '@wingman/log';
import { MonitoringError } from '../errors';
import { type UptimeMonitor, UptimeRobotApi } from './api';
import { type MonitorWrite, monitorOf, planMonitor, type WantedMonitor } from './plan';

export interface MonitorSyncOptions {
  apiUrl: string;
  apiKey: string;
  healthUrls: readonly string[];
  /** For the friendly names of new monitors: "<service> <environment>: <url>". */
  service: string;
  environment: string;
  intervalSeconds: number;
  /** Alert contact ids; undefined leaves existing monitors' contacts alone (new ones get none). */
  alertContacts?: readonly number[];
  /** 'active' (default) starts paused monitors; 'paused' pauses them for a deploy. */
  state?: 'active' | 'paused';
  /**
   * Called once, before the first pause, with the id of every monitor of the health URLs: what must be
   * started again afterwards (an action saves it for its post step), even if this run fails halfway.
   */
  onPausing?: (ids: number[]) => void;
  pageSize?: number;
  log: Log;
  http?: Partial<HttpClientOptions>;
}

export interface MonitorResult {
  url: string;
  id: number;
  /** As UptimeRobot answered after the last write. */
  status: string;
  action: 'created' | 'updated' | 'unchanged';
  /** What changed, for the summary: "interval 60 s → 300 s", "paused", … */
  changes: string[];
}

export interface MonitorSyncResult {
  monitors: MonitorResult[];
  errors: string[];
}

export function friendlyName(service: string, environment: string, url: string): string {
  const name = `${service} ${environment}: ${url.replace(/^https?:\/\//, '')}`;
  return name.length > 250 ? `${name.slice(0, 249)}…` : name;
}

interface Pending {
  url: string;
  writes: MonitorWrite[];
  monitor?: UptimeMonitor;
  result?: MonitorResult;
}

export async function syncMonitors(o: MonitorSyncOptions): Promise<MonitorSyncResult> {
  const state = o.state ?? 'active';
  const api = new UptimeRobotApi({ apiUrl: o.apiUrl, apiKey: o.apiKey, pageSize: o.pageSize, http: o.http });
  const errors: string[] = [];
  // One failing monitor leaves the others; a refused key or a spent rate limit stops the run.
  const attempt = async (call: () => Promise<void>) => {
    try {
      await call();
    } catch (err) {
      if (err instanceof MonitoringError && (err.isAuthFailure || err.status === 429)) throw err;
      errors.push(err instanceof Error ? err.message : String(err));
    }
  };
  try {
    const existing = await api.listMonitors();
    const pending: Pending[] = [...new Set(o.healthUrls)].map((url) => {
      const wanted: WantedMonitor = {
        url,
        friendlyName: friendlyName(o.service, o.environment, url),
        intervalSeconds: o.intervalSeconds,
        alertContacts: o.alertContacts,
        state,
      };
      const monitor = monitorOf(url, existing);
      return { url, monitor, writes: planMonitor(wanted, monitor) };
    });

    // Settings first, for every URL; pausing and starting after, once the ids to resume are known.
    for (const p of pending) {
      const m = p.monitor;
      if (m) p.result = { url: p.url, id: m.id, status: m.status, action: 'unchanged', changes: [] };
      for (const w of p.writes) {
        if (w.kind === 'create')
          await attempt(async () => {
            const created = await api.createMonitor(w.monitor);
            p.result = { url: p.url, id: created.id, status: created.status, action: 'created', changes: ['created'] };
            o.log.info(`UptimeRobot: created monitor ${created.id} for ${p.url} (every ${w.monitor.interval} s)`);
          });
        if (w.kind === 'update' && p.result)
          await attempt(async () => {
            const updated = await api.updateMonitor(p.result!.id, w.patch);
            p.result = { ...p.result!, status: updated.status, action: 'updated', changes: w.changes };
            o.log.info(`UptimeRobot: monitor ${updated.id} for ${p.url}: ${w.changes.join(', ')}`);
          });
      }
    }
    const known = pending.filter((p) => p.result);
    if (state === 'paused' && known.length) o.onPausing?.(known.map((p) => p.result!.id));
    for (const p of known) {
      const r = p.result!;
      for (const w of p.writes) {
        if (w.kind !== 'pause' && w.kind !== 'start') continue;
        await attempt(async () => {
          const after = w.kind === 'pause' ? await api.pauseMonitor(r.id) : await api.startMonitor(r.id);
          r.status = after.status;
          if (r.action === 'unchanged') r.action = 'updated';
          r.changes.push(w.kind === 'pause' ? 'paused' : 'started');
          o.log.info(`UptimeRobot: monitor ${r.id} for ${p.url} ${w.kind === 'pause' ? 'paused' : 'started'}`);
        });
      }
    }
    for (const p of known)
      if (p.result!.action === 'unchanged')
        o.log.info(`UptimeRobot: monitor ${p.result!.id} for ${p.url} is as wanted`);
    return { monitors: known.map((p) => p.result!), errors };
  } finally {
    await api.close();
  }
}

export interface ResumeOptions {
  apiUrl: string;
  apiKey: string;
  /** The ids onPausing gave. */
  ids: readonly number[];
  log: Log;
  http?: Partial<HttpClientOptions>;
}

export interface ResumeResult {
  resumed: { id: number; status: string }[];
  errors: string[];
}

/** Starts the monitors a deploy paused; each one is tried even when another fails. */
export async function resumeMonitors(o: ResumeOptions): Promise<ResumeResult> {
  const api = new UptimeRobotApi({ apiUrl: o.apiUrl, apiKey: o.apiKey, http: o.http });
  const result: ResumeResult = { resumed: [], errors: [] };
  try {
    for (const id of o.ids) {
      try {
        const m = await api.startMonitor(id);
        result.resumed.push({ id, status: m.status });
        o.log.info(`UptimeRobot: monitor ${id} (${m.url}) started again`);
      } catch (err) {
        if (err instanceof MonitoringError && err.isAuthFailure) throw err;
        result.errors.push(err instanceof Error ? err.message : String(err));
      }
    }
  } finally {
    await api.close();
  }
  return result;
}
