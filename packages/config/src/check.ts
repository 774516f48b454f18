// The checks, on what the platforms hold (read elsewhere): present, shaped, aligned across platforms,
// isolated across environments. Values are compared by SHA-256 in memory and never leave it: findings
// and cells carry names, places and shapes only.
import { createHash } from 'node:crypto';
import { environmentsOf, type Manifest } from './manifest';

export type Platform = 'heroku' | 'vercel';

/** One platform's variables for one environment: a Heroku app's config vars, or a Vercel target's env. */
export interface Reading {
  platform: Platform;
  environment: string;
  /** For messages: "Heroku app wingman-api", "Vercel target production". */
  where: string;
  /** Name → value; value undefined when the variable exists but cannot be read back (Vercel sensitive). */
  vars: Map<string, { value?: string }>;
  /** Why nothing could be read (a refused token, a missing app): the place is unchecked. */
  refused?: string;
}

export type CheckKind = 'present' | 'shape' | 'aligned' | 'isolated' | 'unreadable' | 'access';

export interface Finding {
  variable?: string;
  platform: Platform;
  environment: string;
  check: CheckKind;
  level: 'error' | 'warning' | 'notice';
  /** What is wrong and what to do; names and shapes, never a value. */
  message: string;
}

export interface Cell {
  variable: string;
  platform: Platform;
  environment: string;
  present: boolean;
  readable: boolean;
  /** undefined: not checked (absent, unreadable, or no rule). */
  shape?: boolean;
  aligned?: boolean;
  isolated?: boolean;
}

export interface CheckResult {
  cells: Cell[];
  findings: Finding[];
}

const hash = (v: string) => createHash('sha256').update(v).digest('hex');

/** What a value looks like, without it: "an https:// URL on …supabase.co", "a value that is not a URL". */
export function shapeOf(value: string): string {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value);
  if (!m) return 'a value that is not a URL';
  let host = '';
  try {
    host = new URL(value).hostname;
  } catch {
    // a scheme with an unparsable rest
  }
  const suffix = host.split('.').slice(-2).join('.');
  return `a ${m[1]!.toLowerCase()}:// URL${suffix.includes('.') ? ` on …${suffix}` : ''}`;
}

/**
 * Checks `environment` (the one being deployed): each variable it needs on each platform that names it,
 * and its isolation from the other environments' values (the preview target's too, on Vercel).
 */
export function checkConfig(manifest: Manifest, environment: string, readings: Reading[]): CheckResult {
  const cells: Cell[] = [];
  const findings: Finding[] = [];
  const reading = (platform: Platform, env: string) =>
    readings.find((r) => r.platform === platform && r.environment === env);
  for (const r of readings)
    if (r.refused && r.environment === environment)
      findings.push({ platform: r.platform, environment, check: 'access', level: 'error', message: r.refused });
    else if (r.refused)
      findings.push({
        platform: r.platform,
        environment: r.environment,
        check: 'access',
        level: 'warning',
        message: `${r.refused}; isolation from ${r.environment} is not checked`,
      });

  for (const [name, spec] of Object.entries(manifest.variables)) {
    if (!environmentsOf(manifest, spec).includes(environment)) continue;
    const hashes: Partial<Record<Platform, string>> = {};
    for (const platform of ['heroku', 'vercel'] as const) {
      const key = spec[platform];
      if (!key) continue;
      const r = reading(platform, environment);
      if (!r || r.refused) continue;
      const label = `${key} on ${r.where}`;
      const held = r.vars.get(key);
      const cell: Cell = {
        variable: name,
        platform,
        environment,
        present: !!held,
        readable: held?.value !== undefined,
      };
      cells.push(cell);
      if (!held) {
        findings.push({
          variable: name,
          platform,
          environment,
          check: 'present',
          level: 'error',
          message: `${label} is missing: set it${platform === 'vercel' ? ` for ${environment}` : ''}`,
        });
        continue;
      }
      if (held.value === undefined) {
        findings.push({
          variable: name,
          platform,
          environment,
          check: 'unreadable',
          level: 'notice',
          message: `${label} is sensitive and cannot be read back: only its presence is checked`,
        });
        continue;
      }
      const value = held.value;
      hashes[platform] = hash(value);
      const problems: string[] = [];
      if (spec.pattern !== undefined && !new RegExp(spec.pattern).test(value))
        problems.push(`does not match ${spec.pattern}: it is ${shapeOf(value)}`);
      if (spec.equals !== undefined) {
        const want = spec.equals.replaceAll('{environment}', environment);
        if (value !== want) problems.push(`is not '${want}'`);
      }
      if (spec.pattern !== undefined || spec.equals !== undefined) cell.shape = problems.length === 0;
      for (const p of problems)
        findings.push({
          variable: name,
          platform,
          environment,
          check: 'shape',
          level: 'error',
          message: `${label} ${p}`,
        });

      if (spec.isolated) {
        cell.isolated = true;
        const others = [...manifest.environments, ...(platform === 'vercel' ? ['preview'] : [])].filter(
          (e, i, all) => e !== environment && all.indexOf(e) === i,
        );
        for (const other of others) {
          const o = reading(platform, other);
          const v = o?.vars.get(key)?.value;
          if (!o || o.refused || v === undefined) continue;
          if (hash(v) === hashes[platform]) {
            cell.isolated = false;
            findings.push({
              variable: name,
              platform,
              environment,
              check: 'isolated',
              level: 'error',
              message: `${label} has the same value as ${key} on ${o.where}: give each environment its own (isolated: true)`,
            });
          }
        }
      }
    }
    if (spec.heroku && spec.vercel && hashes.heroku && hashes.vercel) {
      const aligned = hashes.heroku === hashes.vercel;
      for (const c of cells.filter((c) => c.variable === name && c.environment === environment)) c.aligned = aligned;
      if (!aligned)
        findings.push({
          variable: name,
          platform: 'vercel',
          environment,
          check: 'aligned',
          level: 'error',
          message: `${spec.vercel} on ${reading('vercel', environment)!.where} differs from ${spec.heroku} on ${reading('heroku', environment)!.where}: the same value must reach both`,
        });
    }
  }
  return { cells, findings };
}
