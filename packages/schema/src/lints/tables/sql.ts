// SQL fragments the table and policy queries share. Each query is one set-based query over
// pg_catalog; identifiers that end up in a fix are quoted in the query with format('%I') /
// quote_ident so keywords and mixed case survive. $1 is always the exposed schemas where a rule takes them.
import { SYSTEM_SCHEMAS } from '@wingman/supabase-platform';

const sqlList = (names: string[]) => names.map((s) => `'${s}'`).join(', ');

/** `<column> not in (system schemas)`; `keep` re-admits schemas (realtime.messages policies are user-written). */
export function notSystem(column: string, keep: string[] = []): string {
  return `${column} not in (${sqlList(SYSTEM_SCHEMAS.filter((s) => !keep.includes(s)))})`;
}

/** Tables created by `create extension` belong to the extension, not to the user's migrations. */
export const notExtensionOwned = (oid: string) =>
  `not exists (select 1 from pg_catalog.pg_depend e where e.classid = 'pg_catalog.pg_class'::regclass and e.objid = ${oid} and e.deptype = 'e')`;

/** Does anon or authenticated hold `check` (an expression over r.oid)? Roles that do not exist count as no. */
export const apiRoleHas = (check: string) =>
  `exists (select 1 from pg_catalog.pg_roles r where r.rolname in ('anon', 'authenticated') and ${check})`;
