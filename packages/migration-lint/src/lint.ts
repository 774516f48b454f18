// Lints the pending migrations in the order they will run, on Postgres's parser, judged against the
// target database: a table created earlier in the same run is new (empty, no one uses it), so
// locking and destructive rules leave it alone; an existing table's size decides whether a lock
// matters (below smallTableRows it is a notice). Without a database (file-only), every table a file
// does not create itself counts as existing, of unknown size.
import { type Catalog, type NameRef, type Query, readCatalog, refKey, type TableFacts } from './catalog';
import { type ParsedStatement, parseStatements } from './parse';
import { type LintCategory, type LintLevel, type LintRule, RULES } from './rules';

export interface LintFile {
  /** As annotations show it (relative to the repository root). */
  file: string;
  sql: string;
}

export interface LintFinding {
  rule: string;
  level: LintLevel;
  category: LintCategory;
  file: string;
  line: number;
  /** One line: what this statement does to which object. */
  message: string;
  effect: string;
  safe: string;
  table?: { name: string; rows: number | null; bytes: number };
  /** The reason of a `-- wingman:allow` override: the finding stands, but does not fail the run. */
  allowed?: string;
}

export interface LintOptions {
  /** The target database, read only; without it the lint judges the files alone. */
  query?: Query;
  /** Locking findings on existing tables with fewer estimated rows become notices. */
  smallTableRows: number;
}

/** Functions known to be volatile, for the file-only judgement (with a database, pg_proc decides). */
const VOLATILE = new Set([
  'random',
  'gen_random_uuid',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'gen_random_bytes',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'txid_current',
]);

const OVERRIDE = /^\s*--\s*wingman:allow\s+([a-z_,\s]+?)(?:\s+because\s+(.*\S))?\s*$/i;

type Node = Record<string, unknown>;
/** " name" for a message, or nothing for an unnamed object. */
const named = (name: unknown) => (typeof name === 'string' && name ? ` ${name}` : '');
const str = (v: unknown) => (v as { String?: { sval?: string } })?.String?.sval;
const rangeVar = (v: unknown): NameRef | undefined => {
  const r = v as { schemaname?: string; relname?: string } | undefined;
  return r?.relname ? { schema: r.schemaname, name: r.relname } : undefined;
};
const listName = (v: unknown): NameRef => {
  const items = ((v as { List?: { items?: unknown[] } }).List?.items ?? []).map(str).filter(Boolean) as string[];
  return items.length > 1 ? { schema: items.at(-2), name: items.at(-1)! } : { name: items[0] ?? '' };
};
const typeName = (v: unknown): NameRef => {
  const names = (((v as { TypeName?: { names?: unknown[] } }).TypeName?.names ?? []) as unknown[])
    .map(str)
    .filter(Boolean) as string[];
  return names.length > 1 ? { schema: names.at(-2), name: names.at(-1)! } : { name: names[0] ?? '' };
};
const cmdsOf = (n: Node) =>
  ((n.cmds as { AlterTableCmd?: Node }[] | undefined) ?? []).map((c) => c.AlterTableCmd).filter(Boolean) as Node[];
const hasOption = (list: unknown, name: string) =>
  ((list as { DefElem?: { defname?: string } }[] | undefined) ?? []).some((d) => d.DefElem?.defname === name);

/** Every FuncCall name inside an expression tree. */
function functionsIn(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const x of node) functionsIn(x, out);
  else if (node && typeof node === 'object') {
    const call = (node as { FuncCall?: { funcname?: unknown[] } }).FuncCall;
    if (call) {
      const name = str(call.funcname?.at(-1));
      if (name) out.push(name);
    }
    for (const v of Object.values(node)) functionsIn(v, out);
  }
  return out;
}

interface FileParse {
  file: LintFile;
  statements: ParsedStatement[];
  lines: string[];
}

export async function lintMigrations(files: LintFile[], options: LintOptions): Promise<LintFinding[]> {
  const parsed: FileParse[] = [];
  for (const file of files) {
    const statements = await parseStatements(file.sql);
    // A file Postgres cannot parse fails when it is applied, with Postgres's own message.
    if (!Array.isArray(statements)) continue;
    parsed.push({ file, statements, lines: file.sql.split('\n') });
  }
  const catalog = options.query ? await readCatalog(options.query, ...references(parsed)) : undefined;
  return judge(parsed, catalog, options);
}

/**
 * The tables, indexes and default functions the statements name, for one catalog read. A table the
 * run creates (CREATE TABLE without IF NOT EXISTS) before naming it is new: no need to ask.
 */
function references(parsed: FileParse[]): [NameRef[], NameRef[], string[]] {
  const tables = new Map<string, NameRef>();
  const indexes = new Map<string, NameRef>();
  const functions = new Set<string>();
  const created = new Set<string>();
  const table = (r: NameRef | undefined) => {
    if (r && !created.has(refKey(r)) && !created.has(r.name)) tables.set(refKey(r), r);
  };
  for (const { statements } of parsed)
    for (const { kind, node } of statements) {
      if (kind === 'CreateStmt' && !node.if_not_exists) {
        const r = rangeVar(node.relation);
        if (r && !tables.has(refKey(r))) {
          created.add(refKey(r));
          created.add(r.name);
          continue;
        }
      }
      if ('relation' in node) table(rangeVar(node.relation));
      if (kind === 'LockStmt' || kind === 'TruncateStmt')
        for (const r of (node.relations as { RangeVar?: unknown }[]) ?? []) table(rangeVar(r.RangeVar));
      if (kind === 'VacuumStmt')
        for (const r of (node.rels as { VacuumRelation?: { relation?: unknown } }[]) ?? [])
          table(rangeVar(r.VacuumRelation?.relation));
      if (kind === 'DropStmt' && node.removeType === 'OBJECT_TABLE')
        for (const o of node.objects as unknown[]) table(listName(o));
      if (kind === 'DropStmt' && node.removeType === 'OBJECT_INDEX')
        for (const o of node.objects as unknown[]) indexes.set(refKey(listName(o)), listName(o));
      if (kind === 'ReindexStmt' && node.kind === 'REINDEX_OBJECT_INDEX') {
        const r = rangeVar(node.relation);
        if (r) indexes.set(refKey(r), r);
      }
      if (kind === 'AlterTableStmt')
        for (const cmd of cmdsOf(node))
          if (cmd.subtype === 'AT_AddColumn') for (const f of functionsIn(cmd.def)) functions.add(f);
    }
  return [[...tables.values()], [...indexes.values()], [...functions]];
}

function judge(parsed: FileParse[], catalog: Catalog | undefined, o: LintOptions): LintFinding[] {
  const findings: LintFinding[] = [];
  // Created earlier in this run: new, empty, unused by the running release.
  const newTables = new Set<string>();
  const newIndexes = new Set<string>();
  const newTypes = new Set<string>();
  const newSchemas = new Set<string>();
  const bare = (r: NameRef) => r.name;
  const isNew = (r: NameRef, set: Set<string>) => set.has(refKey(r)) || set.has(bare(r));
  const remember = (r: NameRef | undefined, set: Set<string>) => {
    if (!r) return;
    set.add(refKey(r));
    set.add(bare(r));
  };
  const facts = (r: NameRef): TableFacts | undefined => catalog?.tables.get(refKey(r));
  /** Existing: in the database (or, file-only, not created in this run). */
  const existing = (r: NameRef | undefined) => !!r && !isNew(r, newTables) && (catalog ? !!facts(r) : true);

  for (const { file, statements, lines } of parsed) {
    const addedNotValid = new Set<string>();
    const code = statements.filter((s) => s.kind !== 'TransactionStmt');
    const hasBegin = statements.some((s) => s.kind === 'TransactionStmt');
    for (const s of statements) {
      const { kind, node } = s;
      const hit = (rule: LintRule, message: string, table?: NameRef, tableFacts?: TableFacts) => {
        const f = tableFacts ?? (table ? facts(table) : undefined);
        findings.push(finding(rule, file.file, s.line, message, f, o.smallTableRows));
      };
      const relation = rangeVar(node.relation);

      switch (kind) {
        case 'CreateStmt':
        case 'CreateTableAsStmt':
          remember(rangeVar(node.relation ?? (node.into as Node | undefined)?.rel), newTables);
          break;
        case 'CreateSchemaStmt':
          if (node.schemaname) newSchemas.add(node.schemaname as string);
          break;
        case 'CreateEnumStmt':
        case 'CreateDomainStmt':
          remember(namesToRef(node.typeName ?? node.domainname), newTypes);
          break;
        case 'CompositeTypeStmt':
          remember(rangeVar(node.typevar), newTypes);
          break;
        case 'IndexStmt': {
          if (node.idxname) remember({ schema: relation?.schema, name: node.idxname as string }, newIndexes);
          if (node.concurrent) {
            if (code.length > 1 || hasBegin)
              hit(
                RULES.concurrentlyInTransaction,
                `CREATE INDEX CONCURRENTLY${named(node.idxname)} shares ${file.file} with other statements`,
              );
          } else if (existing(relation))
            hit(
              RULES.createIndex,
              `CREATE INDEX${named(node.idxname)} on ${refKey(relation!)} without CONCURRENTLY`,
              relation,
            );
          break;
        }
        case 'DropStmt': {
          const objects = (node.objects as unknown[]) ?? [];
          if (node.removeType === 'OBJECT_INDEX')
            for (const ref of objects.map(listName)) {
              if (isNew(ref, newIndexes)) continue;
              const owner = catalog?.indexTables.get(refKey(ref));
              if (catalog && !owner) continue; // not in the database: nothing to lock
              if (node.concurrent) {
                if (code.length > 1 || hasBegin)
                  hit(
                    RULES.concurrentlyInTransaction,
                    `DROP INDEX CONCURRENTLY ${refKey(ref)} shares ${file.file} with other statements`,
                  );
              } else hit(RULES.dropIndex, `DROP INDEX ${refKey(ref)} without CONCURRENTLY`, undefined, owner);
            }
          if (node.removeType === 'OBJECT_TABLE')
            for (const ref of objects.map(listName))
              if (existing(ref)) hit(RULES.dropTable, `DROP TABLE ${refKey(ref)}`, ref);
          if (node.removeType === 'OBJECT_SCHEMA')
            for (const name of objects.map(str))
              if (name && !newSchemas.has(name))
                hit(RULES.dropSchema, `DROP SCHEMA ${name}${node.behavior === 'DROP_CASCADE' ? ' CASCADE' : ''}`);
          if (node.removeType === 'OBJECT_TYPE' || node.removeType === 'OBJECT_DOMAIN')
            for (const ref of objects.map(typeName))
              if (!isNew(ref, newTypes)) hit(RULES.dropType, `DROP TYPE ${refKey(ref)}`);
          break;
        }
        case 'AlterTableStmt': {
          if (!existing(relation)) break;
          const t = refKey(relation!);
          const tf = facts(relation!);
          for (const cmd of cmdsOf(node)) {
            const def = cmd.def as Node | undefined;
            const constraint = (def?.Constraint ?? undefined) as Node | undefined;
            switch (cmd.subtype) {
              case 'AT_AddConstraint':
                if (!constraint) break;
                if (
                  (constraint.contype === 'CONSTR_FOREIGN' || constraint.contype === 'CONSTR_CHECK') &&
                  !constraint.skip_validation
                )
                  hit(
                    RULES.constraintNotValid,
                    `ADD ${constraint.contype === 'CONSTR_FOREIGN' ? 'FOREIGN KEY' : 'CHECK'}${named(constraint.conname)} on ${t} without NOT VALID`,
                    relation,
                  );
                if (constraint.skip_validation && constraint.conname) addedNotValid.add(`${t}.${constraint.conname}`);
                if (
                  (constraint.contype === 'CONSTR_PRIMARY' || constraint.contype === 'CONSTR_UNIQUE') &&
                  !constraint.indexname
                )
                  hit(
                    RULES.createIndex,
                    `ADD ${constraint.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE'} on ${t} builds its index under the table's lock (build it CONCURRENTLY first, then ADD CONSTRAINT … USING INDEX)`,
                    relation,
                  );
                break;
              case 'AT_ValidateConstraint':
                if (addedNotValid.has(`${t}.${cmd.name}`))
                  hit(
                    RULES.validateSameTransaction,
                    `VALIDATE CONSTRAINT ${cmd.name} on ${t} in the file (transaction) that added it`,
                    relation,
                  );
                break;
              case 'AT_SetNotNull':
                if (!tf?.notNullChecked.includes(cmd.name as string))
                  hit(
                    RULES.setNotNull,
                    `SET NOT NULL on ${t}.${cmd.name} without a validated CHECK (${cmd.name} IS NOT NULL)`,
                    relation,
                  );
                break;
              case 'AT_AlterColumnType': {
                const target = (def?.ColumnDef as Node | undefined)?.typeName as Node | undefined;
                const change = classifyTypeChange(tf?.columns[cmd.name as string], target);
                if (change === 'narrowing')
                  hit(
                    RULES.narrowing,
                    `ALTER COLUMN ${t}.${cmd.name} TYPE ${describeType(target)} narrows ${tf?.columns[cmd.name as string]}`,
                    relation,
                  );
                else if (change === 'rewrite')
                  hit(
                    RULES.typeRewrite,
                    `ALTER COLUMN ${t}.${cmd.name} TYPE ${describeType(target)}${tf ? ` (from ${tf.columns[cmd.name as string]})` : ''} rewrites the table`,
                    relation,
                  );
                break;
              }
              case 'AT_AddColumn': {
                const col = def?.ColumnDef as Node | undefined;
                const constraints = ((col?.constraints as { Constraint?: Node }[] | undefined) ?? []).map(
                  (c) => c.Constraint ?? {},
                );
                const rewriting = constraints.find(
                  (c) =>
                    c.contype === 'CONSTR_IDENTITY' ||
                    c.contype === 'CONSTR_GENERATED' ||
                    (c.contype === 'CONSTR_DEFAULT' &&
                      functionsIn(c.raw_expr).some((f) => catalog?.volatile.get(f) ?? VOLATILE.has(f))),
                );
                if (rewriting)
                  hit(
                    RULES.volatileDefault,
                    `ADD COLUMN ${t}.${col?.colname} with ${rewriting.contype === 'CONSTR_DEFAULT' ? 'a volatile default' : rewriting.contype === 'CONSTR_IDENTITY' ? 'an identity' : 'a stored generated expression'}`,
                    relation,
                  );
                break;
              }
              case 'AT_DropColumn':
                hit(RULES.dropColumn, `DROP COLUMN ${t}.${cmd.name}`, relation);
                break;
            }
          }
          break;
        }
        case 'ClusterStmt':
          if (!relation || existing(relation))
            hit(RULES.rewriteCommand, `CLUSTER${relation ? ` ${refKey(relation)}` : ''}`, relation);
          break;
        case 'VacuumStmt':
          if (node.is_vacuumcmd && hasOption(node.options, 'full'))
            for (const r of ((node.rels as { VacuumRelation?: { relation?: unknown } }[] | undefined) ?? [{}]).map(
              (x) => rangeVar(x.VacuumRelation?.relation),
            ))
              if (!r || existing(r)) hit(RULES.rewriteCommand, `VACUUM FULL${r ? ` ${refKey(r)}` : ''}`, r);
          break;
        case 'ReindexStmt':
          if (!hasOption(node.params, 'concurrently')) {
            const owner =
              node.kind === 'REINDEX_OBJECT_INDEX' && relation ? catalog?.indexTables.get(refKey(relation)) : undefined;
            const onTable = node.kind === 'REINDEX_OBJECT_TABLE' ? relation : undefined;
            if (onTable && !existing(onTable)) break;
            if (relation && isNew(relation, newIndexes)) break;
            hit(
              RULES.rewriteCommand,
              `REINDEX${relation ? ` ${refKey(relation)}` : ''} without CONCURRENTLY`,
              onTable,
              owner,
            );
          }
          break;
        case 'LockStmt':
          for (const r of ((node.relations as { RangeVar?: unknown }[]) ?? []).map((x) => rangeVar(x.RangeVar)))
            if (existing(r)) hit(RULES.lockTable, `LOCK TABLE ${refKey(r!)}`, r);
          break;
        case 'TruncateStmt':
          for (const r of ((node.relations as { RangeVar?: unknown }[]) ?? []).map((x) => rangeVar(x.RangeVar)))
            if (existing(r))
              hit(RULES.truncate, `TRUNCATE ${refKey(r!)}${node.behavior === 'DROP_CASCADE' ? ' CASCADE' : ''}`, r);
          break;
        case 'DeleteStmt':
          if (!node.whereClause && existing(relation))
            hit(RULES.deleteWithoutWhere, `DELETE FROM ${refKey(relation!)} without WHERE`, relation);
          break;
        case 'UpdateStmt':
          if (!node.whereClause && existing(relation))
            hit(RULES.updateWithoutWhere, `UPDATE ${refKey(relation!)} without WHERE`, relation);
          break;
        case 'RenameStmt':
          if (!existing(relation)) break;
          if (node.renameType === 'OBJECT_TABLE')
            hit(RULES.renameTable, `RENAME ${refKey(relation!)} TO ${node.newname}`, relation);
          if (node.renameType === 'OBJECT_COLUMN')
            hit(RULES.renameColumn, `RENAME COLUMN ${refKey(relation!)}.${node.subname} TO ${node.newname}`, relation);
          break;
      }
    }
    applyOverrides(findings, file.file, lines);
  }
  return findings;
}

function namesToRef(v: unknown): NameRef | undefined {
  const names = ((v as unknown[] | undefined) ?? []).map(str).filter(Boolean) as string[];
  return names.length
    ? names.length > 1
      ? { schema: names.at(-2), name: names.at(-1)! }
      : { name: names[0]! }
    : undefined;
}

function finding(
  rule: LintRule,
  file: string,
  line: number,
  message: string,
  table: TableFacts | undefined,
  smallTableRows: number,
): LintFinding {
  const small =
    rule.category === 'locking' && table?.rows !== null && table?.rows !== undefined && table.rows < smallTableRows;
  const size = table ? ` (~${table.rows ?? '?'} rows, ${formatBytes(table.bytes)})` : '';
  return {
    rule: rule.name,
    level: small ? 'notice' : rule.level,
    category: rule.category,
    file,
    line,
    message: `${message}${size}${small ? `: a small table (under lint-small-table-rows, ${smallTableRows}), so the lock is brief` : ''}`,
    effect: rule.effect,
    safe: rule.safe,
    ...(table ? { table: { name: table.name, rows: table.rows, bytes: table.bytes } } : {}),
  };
}

/**
 * `-- wingman:allow <rule>[, <rule>] because <reason>` on the line before a statement marks its
 * findings of those rules allowed; an override without a reason is itself an error.
 */
function applyOverrides(findings: LintFinding[], file: string, lines: string[]) {
  for (const f of findings) {
    if (f.file !== file || f.allowed !== undefined || f.rule === RULES.overrideWithoutReason.name) continue;
    const m = OVERRIDE.exec(lines[f.line - 2] ?? '');
    if (!m) continue;
    const rules = m[1]!.split(/[\s,]+/).filter(Boolean);
    if (!rules.includes(f.rule)) continue;
    if (m[2]) f.allowed = m[2];
  }
  // Every override line without a reason, once, whether or not it matched a finding.
  for (const [i, text] of lines.entries()) {
    const m = OVERRIDE.exec(text);
    if (m && !m[2])
      findings.push({
        rule: RULES.overrideWithoutReason.name,
        level: 'error',
        category: 'override',
        file,
        line: i + 1,
        message: `-- wingman:allow ${m[1]!.trim()} has no reason`,
        effect: RULES.overrideWithoutReason.effect,
        safe: RULES.overrideWithoutReason.safe,
      });
  }
}

function formatBytes(n: number): string {
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} kB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(1)} GB`;
}

// ----- type changes -------------------------------------------------------------------------

const INTERNAL: Record<string, string> = {
  varchar: 'character varying',
  bpchar: 'character',
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  float4: 'real',
  float8: 'double precision',
  bool: 'boolean',
  timestamptz: 'timestamp with time zone',
  timestamp: 'timestamp without time zone',
  timetz: 'time with time zone',
  time: 'time without time zone',
  varbit: 'bit varying',
};
const INTEGER_WIDTH: Record<string, number> = { smallint: 2, integer: 4, bigint: 8 };

function describeType(t: Node | undefined): string {
  const parsed = targetType(t);
  return parsed ? `${parsed.base}${parsed.mods.length ? `(${parsed.mods.join(',')})` : ''}` : 'the new type';
}

function targetType(t: Node | undefined): { base: string; mods: number[] } | undefined {
  if (!t) return undefined;
  const names = ((t.names as unknown[]) ?? []).map(str).filter(Boolean) as string[];
  const raw = names.at(-1);
  if (!raw) return undefined;
  const mods = ((t.typmods as { A_Const?: { ival?: { ival?: number } } }[] | undefined) ?? []).map(
    (m) => m.A_Const?.ival?.ival ?? 0,
  );
  return { base: INTERNAL[raw] ?? raw, mods };
}

function currentType(formatted: string): { base: string; mods: number[] } {
  const m = /^(.*?)(?:\(([\d,\s]+)\))?(\[\])?$/.exec(formatted)!;
  return { base: m[1]!.trim(), mods: m[2] ? m[2].split(',').map((x) => Number(x.trim())) : [] };
}

/** free: binary-coercible (no rewrite, no scan); rewrite: the table is rewritten; narrowing: values may not fit. */
export function classifyTypeChange(from: string | undefined, to: Node | undefined): 'free' | 'rewrite' | 'narrowing' {
  const next = targetType(to);
  if (!next) return 'rewrite';
  if (!from) return 'rewrite'; // file-only: the current type is unknown
  const prev = currentType(from);
  const same = prev.base === next.base;
  const text = (b: string) => b === 'text';
  const varchar = (b: string) => b === 'character varying';
  if (same && prev.mods.join() === next.mods.join()) return 'free';
  if (
    varchar(prev.base) &&
    (text(next.base) || (varchar(next.base) && (!next.mods.length || next.mods[0]! >= (prev.mods[0] ?? Infinity))))
  )
    return prev.mods.length || !next.mods.length ? 'free' : 'narrowing';
  if (varchar(prev.base) && varchar(next.base)) return 'narrowing';
  if (text(prev.base) && varchar(next.base)) return next.mods.length ? 'narrowing' : 'free';
  if (same && prev.base === 'numeric') {
    if (!next.mods.length) return 'free';
    if (!prev.mods.length) return 'narrowing';
    const [p1, s1 = 0] = prev.mods;
    const [p2, s2 = 0] = next.mods;
    if (s1 === s2) return p2! >= p1! ? 'free' : 'narrowing';
    return p2! - s2 < p1! - s1 || s2 < s1 ? 'narrowing' : 'rewrite';
  }
  if (same && (prev.base === 'bit varying' || prev.base === 'character')) {
    const longer = !next.mods.length || (prev.mods.length > 0 && next.mods[0]! >= prev.mods[0]!);
    if (!longer) return 'narrowing';
    return prev.base === 'bit varying' ? 'free' : 'rewrite';
  }
  if (prev.base === 'cidr' && next.base === 'inet') return 'free';
  const a = INTEGER_WIDTH[prev.base];
  const b = INTEGER_WIDTH[next.base];
  if (a && b) return b < a ? 'narrowing' : 'rewrite';
  return 'rewrite';
}
