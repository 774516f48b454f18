// SQL predicates the object rules share: user schemas only, no extension members, and "can an API
// role select this" without failing on databases where anon or authenticated do not exist.
import { SYSTEM_SCHEMAS } from '@wingman/supabase-platform';

/** SQL predicate: schema column `col` is a user schema (also skips pg_toast, pg_temp_N). */
export const userSchema = (col: string) =>
  `(${col} <> all (array[${SYSTEM_SCHEMAS.map((s) => `'${s}'`).join(', ')}]) and ${col} !~ '^pg_')`;

/** SQL predicate: the object `oid` of catalog `catalog` is not a member of an extension. */
export const notExtensionMember = (catalog: string, oid: string) =>
  `not exists (select 1 from pg_catalog.pg_depend d where d.classid = '${catalog}'::regclass and d.objid = ${oid} and d.deptype = 'e')`;

/** SQL predicate: anon or authenticated may SELECT relation `oid` (roles looked up by oid: absent roles are no error). */
export const apiRoleCanSelect = (oid: string) =>
  `exists (select 1 from pg_catalog.pg_roles r where r.rolname in ('anon', 'authenticated') and pg_catalog.has_table_privilege(r.oid, ${oid}, 'SELECT'))`;
