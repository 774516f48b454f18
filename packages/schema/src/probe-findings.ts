// What the probe reports: an error for every attempt that got through without a policy granting it,
// and a warning for every table or role it could not probe, so nothing passes unverified in silence.
import { type ApiRole, type CoverageRow, coverageFix, coverageFor, openWithoutPolicy } from './coverage';
import type { Finding } from './findings';
import { ACTION_COMMAND, type ProbeAction, type ProbeAttempt } from './probe-attempt';

const WHY: Record<ProbeAction, string> = {
  read: 'The probe row was readable by a role that no policy grants it to: anyone holding that key (the anon key ships in every client) reads every row of this table through the Data API.',
  update:
    'The probe row could be changed by a role that no policy grants it to: anyone holding that key can rewrite every row of this table through the Data API.',
  delete:
    'The probe row could be deleted by a role that no policy grants it to: anyone holding that key can delete every row of this table through the Data API.',
};

const NOT_PROBED_WHY =
  'The live probe could not make a synthetic row in this table, so what anon and authenticated can do with its rows is unverified.';

/** `a` got through (verdict 'error'): which policy gap let it, and the grant or policy that closes it. */
export function probeFinding(schema: string, name: string, a: ProbeAttempt, coverage: CoverageRow[]): Finding {
  const cov = coverageFor(coverage, schema, name, a.role, ACTION_COMMAND[a.action]);
  const table = `${schema}.${name}`;
  const reason = cov ? cov.text : 'not in the coverage matrix';
  const fix = cov && openWithoutPolicy(cov) ? coverageFix(cov) : undefined;
  return {
    rule: `rls_probe_${a.action}`,
    level: 'error',
    object: { type: 'table', schema, name },
    message: `${a.role} could ${a.action} a row of ${table} that no policy grants to ${a.role} (${reason})`,
    why: WHY[a.action],
    ...(fix ? { fix } : {}),
  };
}

export function notProbed(schema: string, name: string, reason: string): Finding {
  return {
    rule: 'rls_probe_not_probed',
    level: 'warning',
    object: { type: 'table', schema, name },
    message: `${schema}.${name} was not probed: ${reason}`,
    why: NOT_PROBED_WHY,
  };
}

/** The probe cannot act as `role`: it does not exist, or `currentUser` is not a member of it. */
export function roleNotProbed(role: ApiRole, exists: boolean, currentUser: string): Finding {
  return {
    rule: 'rls_probe_not_probed',
    level: 'warning',
    object: { type: 'role', name: role },
    message: exists
      ? `the RLS probe cannot act as ${role}: ${currentUser} is not a member of it; run \`grant ${role} to ${currentUser};\` or probe with the postgres user`
      : `the RLS probe cannot act as ${role}: the role does not exist in this database`,
    why: NOT_PROBED_WHY,
  };
}
