// A catalog snapshot, keyed by object: what verify-rollbacks compares before and after a round trip,
// and what verify-schema compares between production and a database built from the migrations.
// Objects are identified by name and definition, never by OID or column number, which a round trip
// changes (a dropped column leaves a hidden slot behind and shifts attnum).
import type pg from 'pg';

/** Schemas no migration owns: Postgres' own, and the history table's. */
const SYSTEM_SCHEMAS = ['pg_catalog', 'information_schema', 'pg_toast', 'supabase_migrations'];

/** Who an object is: its schema, the table it hangs off (columns, policies …), its own name. */
export interface SnapshotIdentity {
  schema?: string;
  table?: string;
  name: string;
}

/** kind → key ("public.profiles") → the object's identity and its definition as JSON. */
export type SchemaSnapshot = Record<string, Record<string, SnapshotIdentity & { def: string }>>;

export interface SnapshotOptions {
  /** More schemas to leave out (the platform's own: auth, storage …). */
  excludeSchemas?: readonly string[];
}

// Each query returns (key, def). $1 = schemas to leave out.
const IN_SCOPE = `n.nspname <> all($1::text[]) and n.nspname not like 'pg\\_temp%' and n.nspname not like 'pg\\_toast\\_temp%'`;

const PARTS: Record<string, string> = {
  schemas: `select n.nspname as key, null as schema, null as tbl, n.nspname as name, jsonb_build_object('acl', n.nspacl::text) as def from pg_namespace n where ${IN_SCOPE}`,
  relations: `select format('%I.%I', n.nspname, c.relname) as key, n.nspname as schema, null as tbl, c.relname as name,
      jsonb_build_object('kind', c.relkind, 'rls', c.relrowsecurity, 'force_rls', c.relforcerowsecurity, 'acl', c.relacl::text,
        'options', c.reloptions, 'comment', obj_description(c.oid, 'pg_class')) as def
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where ${IN_SCOPE} and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')`,
  columns: `select format('%I.%I.%I', n.nspname, c.relname, a.attname) as key, n.nspname as schema, c.relname as tbl, a.attname as name,
      jsonb_build_object('type', format_type(a.atttypid, a.atttypmod), 'not_null', a.attnotnull, 'identity', a.attidentity,
        'generated', a.attgenerated, 'default', pg_get_expr(d.adbin, d.adrelid), 'acl', a.attacl::text,
        'comment', col_description(c.oid, a.attnum)) as def
    from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
    left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum
    where ${IN_SCOPE} and c.relkind in ('r', 'p', 'v', 'm', 'f') and a.attnum > 0 and not a.attisdropped`,
  constraints: `select format('%I.%I.%I', n.nspname, coalesce(r.relname, t.typname), co.conname) as key, n.nspname as schema, coalesce(r.relname, t.typname) as tbl, co.conname as name,
      jsonb_build_object('def', pg_get_constraintdef(co.oid)) as def
    from pg_constraint co join pg_namespace n on n.oid = co.connamespace
    left join pg_class r on r.oid = co.conrelid left join pg_type t on t.oid = co.contypid where ${IN_SCOPE}`,
  indexes: `select format('%I.%I', n.nspname, c.relname) as key, n.nspname as schema, t.relname as tbl, c.relname as name,
      jsonb_build_object('def', pg_get_indexdef(i.indexrelid), 'valid', i.indisvalid) as def
    from pg_index i join pg_class c on c.oid = i.indexrelid join pg_class t on t.oid = i.indrelid
    join pg_namespace n on n.oid = c.relnamespace where ${IN_SCOPE}`,
  policies: `select format('%I.%I.%I', n.nspname, c.relname, p.polname) as key, n.nspname as schema, c.relname as tbl, p.polname as name,
      jsonb_build_object('command', p.polcmd, 'permissive', p.polpermissive,
        'roles', array(select case r when 0 then 'public' else r::regrole::text end from unnest(p.polroles) r order by 1),
        'using', pg_get_expr(p.polqual, p.polrelid), 'with_check', pg_get_expr(p.polwithcheck, p.polrelid)) as def
    from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace where ${IN_SCOPE}`,
  functions: `select format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) as key, n.nspname as schema, null as tbl, p.proname as name,
      jsonb_build_object('result', pg_get_function_result(p.oid), 'kind', p.prokind, 'security_definer', p.prosecdef,
        'volatility', p.provolatile, 'config', p.proconfig, 'acl', p.proacl::text, 'body', md5(p.prosrc),
        'comment', obj_description(p.oid, 'pg_proc')) as def
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    where ${IN_SCOPE} and not exists (select 1 from pg_depend d where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')`,
  triggers: `select format('%I.%I.%I', n.nspname, c.relname, t.tgname) as key, n.nspname as schema, c.relname as tbl, t.tgname as name,
      jsonb_build_object('def', pg_get_triggerdef(t.oid), 'enabled', t.tgenabled) as def
    from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
    where not t.tgisinternal and ${IN_SCOPE}`,
  types: `select format('%I.%I', n.nspname, t.typname) as key, n.nspname as schema, null as tbl, t.typname as name,
      jsonb_build_object('kind', t.typtype, 'acl', t.typacl::text,
        'labels', array(select e.enumlabel::text from pg_enum e where e.enumtypid = t.oid order by e.enumsortorder)) as def
    from pg_type t join pg_namespace n on n.oid = t.typnamespace
    where ${IN_SCOPE} and t.typtype in ('e', 'd', 'c', 'r', 'm')
      and not exists (select 1 from pg_class c where c.oid = t.typrelid and c.relkind <> 'c')`,
  views: `select format('%I.%I', n.nspname, c.relname) as key, n.nspname as schema, null as tbl, c.relname as name, jsonb_build_object('def', pg_get_viewdef(c.oid)) as def
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where ${IN_SCOPE} and c.relkind in ('v', 'm')`,
  defaultPrivileges: `select format('%s in %s on %s', d.defaclrole::regrole::text, coalesce(d.defaclnamespace::regnamespace::text, '(all)'), d.defaclobjtype) as key, n.nspname as schema, null as tbl, d.defaclrole::regrole::text as name,
      jsonb_build_object('acl', d.defaclacl::text) as def
    from pg_default_acl d left join pg_namespace n on n.oid = d.defaclnamespace where d.defaclnamespace = 0 or ${IN_SCOPE}`,
  extensions: `select e.extname as key, null as schema, null as tbl, e.extname as name, jsonb_build_object('version', e.extversion, 'schema', e.extnamespace::regnamespace::text) as def
    from pg_extension e`,
};

export async function takeSnapshot(client: pg.Client, options: SnapshotOptions = {}): Promise<SchemaSnapshot> {
  const exclude = [...SYSTEM_SCHEMAS, ...(options.excludeSchemas ?? [])];
  const snapshot: SchemaSnapshot = {};
  for (const [kind, sql] of Object.entries(PARTS)) {
    const { rows } = await client.query<{
      key: string;
      schema: string | null;
      tbl: string | null;
      name: string;
      def: unknown;
    }>(sql, sql.includes('$1') ? [exclude] : []);
    snapshot[kind] = Object.fromEntries(
      rows.map((r) => [
        r.key,
        { schema: r.schema ?? undefined, table: r.tbl ?? undefined, name: r.name, def: JSON.stringify(r.def) },
      ]),
    );
  }
  return snapshot;
}

export interface SnapshotDifference {
  kind: string;
  key: string;
  object: SnapshotIdentity;
  /** added: only in `after`; removed: only in `before`; changed: in both, defined differently. */
  change: 'added' | 'removed' | 'changed';
  before?: string;
  after?: string;
}

export function diffSnapshots(before: SchemaSnapshot, after: SchemaSnapshot): SnapshotDifference[] {
  const out: SnapshotDifference[] = [];
  for (const kind of Object.keys(before)) {
    const a = before[kind] ?? {};
    const b = after[kind] ?? {};
    const identity = ({ schema, table, name }: SnapshotIdentity) => ({ schema, table, name });
    for (const key of Object.keys(a).sort()) {
      const x = a[key]!;
      const y = b[key];
      if (!y) out.push({ kind, key, object: identity(x), change: 'removed', before: x.def });
      else if (x.def !== y.def)
        out.push({ kind, key, object: identity(x), change: 'changed', before: x.def, after: y.def });
    }
    for (const key of Object.keys(b).sort())
      if (!(key in a)) out.push({ kind, key, object: identity(b[key]!), change: 'added', after: b[key]!.def });
  }
  return out;
}

/** The singular of a snapshot kind, for messages: "policy", "index". */
export const KIND_NAMES: Record<string, string> = {
  schemas: 'schema',
  relations: 'relation',
  columns: 'column',
  constraints: 'constraint',
  indexes: 'index',
  policies: 'policy',
  functions: 'function',
  triggers: 'trigger',
  types: 'type',
  views: 'view',
  defaultPrivileges: 'default privileges',
  extensions: 'extension',
};

/** "relation public.t added", "policy public.t.p changed: {…} → {…}" */
export function describeDifference(d: SnapshotDifference): string {
  const kind = KIND_NAMES[d.kind] ?? d.kind;
  if (d.change === 'changed') return `${kind} ${d.key} changed: ${d.before} → ${d.after}`;
  return `${kind} ${d.key} ${d.change}`;
}
