// A schema snapshot for proving that a down script undoes its migration: every object a migration
// can create or change, by name and definition (never by OID or column number, which a round trip
// changes: a dropped column leaves a hidden slot behind and shifts attnum).
import type pg from 'pg';

const USER_SCHEMAS = `n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast', 'supabase_migrations')
  and n.nspname not like 'pg_temp%' and n.nspname not like 'pg_toast_temp%'`;

const PARTS: Record<string, string> = {
  schemas: `select n.nspname, n.nspacl::text from pg_namespace n where ${USER_SCHEMAS}`,
  relations: `select n.nspname, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity, c.relacl::text, c.reloptions,
      obj_description(c.oid, 'pg_class') as comment
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where ${USER_SCHEMAS}`,
  columns: `select c.oid::regclass::text as rel, a.attname, format_type(a.atttypid, a.atttypmod) as type, a.attnotnull,
      a.attidentity, a.attgenerated, pg_get_expr(d.adbin, d.adrelid) as default, a.attacl::text, col_description(c.oid, a.attnum) as comment
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where ${USER_SCHEMAS} and a.attnum > 0 and not a.attisdropped`,
  constraints: `select n.nspname, co.conrelid::regclass::text as rel, co.contypid::regtype::text as domain, co.conname,
      pg_get_constraintdef(co.oid) as def
    from pg_constraint co join pg_namespace n on n.oid = co.connamespace where ${USER_SCHEMAS}`,
  indexes: `select pg_get_indexdef(i.indexrelid) as def, i.indisvalid
    from pg_index i join pg_class c on c.oid = i.indexrelid join pg_namespace n on n.oid = c.relnamespace where ${USER_SCHEMAS}`,
  policies: `select p.polrelid::regclass::text as rel, p.polname, p.polcmd, p.polpermissive,
      array(select case r when 0 then 'public' else r::regrole::text end from unnest(p.polroles) r order by 1) as roles,
      pg_get_expr(p.polqual, p.polrelid) as using, pg_get_expr(p.polwithcheck, p.polrelid) as check
    from pg_policy p`,
  functions: `select n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) as args, pg_get_function_result(p.oid) as result,
      p.prokind, p.prosecdef, p.provolatile, p.proconfig, p.proacl::text, md5(p.prosrc) as body, obj_description(p.oid, 'pg_proc') as comment
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace where ${USER_SCHEMAS}`,
  triggers: `select t.tgrelid::regclass::text as rel, t.tgname, t.tgenabled, pg_get_triggerdef(t.oid) as def
    from pg_trigger t where not t.tgisinternal`,
  types: `select n.nspname, t.typname, t.typtype, t.typacl::text,
      array(select e.enumlabel::text from pg_enum e where e.enumtypid = t.oid order by e.enumsortorder) as labels
    from pg_type t join pg_namespace n on n.oid = t.typnamespace where ${USER_SCHEMAS}`,
  views: `select c.oid::regclass::text as rel, pg_get_viewdef(c.oid) as def
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where ${USER_SCHEMAS} and c.relkind in ('v', 'm')`,
  defaultPrivileges: `select defaclrole::regrole::text, defaclnamespace::regnamespace::text, defaclobjtype, defaclacl::text from pg_default_acl`,
  extensions: `select extname, extversion, extnamespace::regnamespace::text from pg_extension`,
  publications: `select pubname, puballtables from pg_publication`,
};

/** kind → sorted lines, one per object. */
export type SchemaSnapshot = Record<string, string[]>;

export async function takeSnapshot(client: pg.Client): Promise<SchemaSnapshot> {
  const snapshot: SchemaSnapshot = {};
  for (const [kind, sql] of Object.entries(PARTS)) {
    const { rows } = await client.query(sql);
    snapshot[kind] = rows.map((r) => JSON.stringify(Object.values(r))).sort();
  }
  return snapshot;
}

/** "relations: + [...]" / "- [...]" lines: what `after` has that `before` lacks, and the reverse. */
export function diffSnapshots(before: SchemaSnapshot, after: SchemaSnapshot): string[] {
  const out: string[] = [];
  for (const kind of Object.keys(before)) {
    const a = new Set(before[kind]);
    const b = new Set(after[kind]);
    for (const line of a) if (!b.has(line)) out.push(`${kind} - ${line}`);
    for (const line of b) if (!a.has(line)) out.push(`${kind} + ${line}`);
  }
  return out;
}
