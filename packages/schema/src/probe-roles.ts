// The API roles the probe acts as: the ones the connected user may become. The others are reported,
// not skipped in silence.
import type pg from 'pg';
import type { ApiRole } from './coverage';
import type { Finding } from './findings';
import { roleNotProbed } from './probe-findings';

/** The `wanted` roles the connected user is a member of, and a finding for each of the others. */
export async function actingRoles(
  client: pg.Client,
  wanted: readonly ApiRole[],
): Promise<{ roles: ApiRole[]; findings: Finding[] }> {
  const membership = (
    await client.query<{ role: string; ok: boolean }>(
      `select r.rolname::text as role, pg_has_role(current_user, r.oid, 'MEMBER') as ok
       from pg_roles r where r.rolname = any($1::text[])`,
      [wanted],
    )
  ).rows;
  const roles = wanted.filter((role) => membership.some((m) => m.role === role && m.ok));
  const currentUser = (await client.query<{ u: string }>('select current_user::text as u')).rows[0]?.u ?? 'this user';
  const findings: Finding[] = [];
  for (const role of wanted) {
    if (roles.includes(role)) continue;
    const exists = membership.some((m) => m.role === role);
    findings.push(roleNotProbed(role, exists, currentUser));
  }
  return { roles, findings };
}
