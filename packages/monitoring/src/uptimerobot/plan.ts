// What a health URL's monitor needs, decided without a request: which monitor is its, and the fewest
// writes that bring it to the wanted interval, alert contacts and state. Equal means no write at all,
// so a second run changes nothing.
import type { AlertContact, MonitorPatch, NewHttpMonitor, UptimeMonitor } from './api';

export interface WantedMonitor {
  url: string;
  friendlyName: string;
  intervalSeconds: number;
  /** Alert contact ids; undefined leaves the monitor's contacts as they are. */
  alertContacts?: readonly number[];
  /** 'active' starts a paused monitor; 'paused' pauses it (the post step starts it again). */
  state: 'active' | 'paused';
}

export type MonitorWrite =
  | { kind: 'create'; monitor: NewHttpMonitor }
  | { kind: 'update'; patch: MonitorPatch; changes: string[] }
  | { kind: 'pause' }
  | { kind: 'start' };

/** Checks of a web address; a PING or PORT monitor of the same host watches something else. */
const WATCHES_URL = new Set(['HTTP', 'KEYWORD', 'API']);
const CHECK_TIMEOUT_SECONDS = 30;

function sameUrl(a: string, b: string): boolean {
  const norm = (u: string) => {
    try {
      return new URL(u).href;
    } catch {
      return u;
    }
  };
  return norm(a) === norm(b);
}

/** The monitor of a URL: an HTTP one before a keyword or API one, then the oldest. */
export function monitorOf(url: string, monitors: readonly UptimeMonitor[]): UptimeMonitor | undefined {
  return monitors
    .filter((m) => WATCHES_URL.has(String(m.type).toUpperCase()) && sameUrl(m.url, url))
    .sort((a, b) => Number(b.type === 'HTTP') - Number(a.type === 'HTTP') || a.id - b.id)[0];
}

const contactIds = (list: readonly AlertContact[] | undefined) => (list ?? []).map((c) => c.alertContactId);

/** The wanted contacts, keeping the threshold and recurrence of those the monitor already has. */
function contactsFor(wanted: readonly number[], current: readonly AlertContact[] | undefined): AlertContact[] {
  return wanted.map(
    (id) => current?.find((c) => c.alertContactId === id) ?? { alertContactId: id, threshold: 0, recurrence: 0 },
  );
}

export function planMonitor(wanted: WantedMonitor, existing: UptimeMonitor | undefined): MonitorWrite[] {
  if (!existing) {
    const monitor: NewHttpMonitor = {
      type: 'HTTP',
      friendlyName: wanted.friendlyName,
      url: wanted.url,
      interval: wanted.intervalSeconds,
      timeout: CHECK_TIMEOUT_SECONDS,
      ...(wanted.alertContacts ? { assignedAlertContacts: contactsFor(wanted.alertContacts, undefined) } : {}),
    };
    // A new monitor starts checking at once; in pause mode it is paused like the others.
    return wanted.state === 'paused' ? [{ kind: 'create', monitor }, { kind: 'pause' }] : [{ kind: 'create', monitor }];
  }
  const writes: MonitorWrite[] = [];
  const patch: MonitorPatch = {};
  const changes: string[] = [];
  if (existing.interval !== wanted.intervalSeconds) {
    patch.interval = wanted.intervalSeconds;
    changes.push(`interval ${existing.interval} s → ${wanted.intervalSeconds} s`);
  }
  if (wanted.alertContacts) {
    const have = [...new Set(contactIds(existing.assignedAlertContacts))].sort((a, b) => a - b);
    const want = [...new Set(wanted.alertContacts)].sort((a, b) => a - b);
    if (have.join(',') !== want.join(',')) {
      patch.assignedAlertContacts = contactsFor(want, existing.assignedAlertContacts);
      changes.push(`alert contacts ${have.join(', ') || 'none'} → ${want.join(', ') || 'none'}`);
    }
  }
  if (changes.length) writes.push({ kind: 'update', patch, changes });
  const paused = existing.status === 'PAUSED';
  if (wanted.state === 'active' && paused) writes.push({ kind: 'start' });
  if (wanted.state === 'paused' && !paused) writes.push({ kind: 'pause' });
  return writes;
}
