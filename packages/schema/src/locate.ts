// Which migration statement created an object, so a finding's annotation lands on the line to change.
import { listMigrations, type MigrationFile, stripLeadingComments } from '@wingman/migrations';
import type { DbObject } from './findings';

export interface SourceLine {
  file: string;
  line: number;
}

const ID = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)`;
const QNAME = String.raw`(${ID})(?:\s*\.\s*(${ID}))?`;
const IF_NOT_EXISTS = String.raw`(?:if\s+not\s+exists\s+)?`;

type Kind = 'relation' | 'function' | 'index' | 'policy' | 'trigger' | 'type' | 'extension' | 'schema' | 'column';

/** Statement shapes that create (or replace, for functions, views and policies) an object; groups: names. */
const CREATORS: { kind: Kind; re: RegExp; latest: boolean }[] = [
  {
    kind: 'relation',
    re: new RegExp(
      String.raw`^create\s+(?:or\s+replace\s+)?(?:(?:temp|temporary|unlogged|foreign)\s+)?table\s+${IF_NOT_EXISTS}${QNAME}`,
      'i',
    ),
    latest: false,
  },
  {
    kind: 'relation',
    re: new RegExp(
      String.raw`^create\s+(?:or\s+replace\s+)?(?:recursive\s+|materialized\s+)?view\s+${IF_NOT_EXISTS}${QNAME}`,
      'i',
    ),
    latest: true,
  },
  {
    kind: 'function',
    re: new RegExp(String.raw`^create\s+(?:or\s+replace\s+)?(?:function|procedure)\s+${QNAME}`, 'i'),
    latest: true,
  },
  { kind: 'type', re: new RegExp(String.raw`^create\s+(?:type|domain)\s+${QNAME}`, 'i'), latest: false },
  { kind: 'extension', re: new RegExp(String.raw`^create\s+extension\s+${IF_NOT_EXISTS}(${ID})`, 'i'), latest: false },
  { kind: 'schema', re: new RegExp(String.raw`^create\s+schema\s+${IF_NOT_EXISTS}(${ID})`, 'i'), latest: false },
];
// These name an object that lives on a table: groups are (name, table schema-or-table, table).
const ON_TABLE: { kind: Kind; re: RegExp; latest: boolean }[] = [
  {
    kind: 'index',
    re: new RegExp(
      String.raw`^create\s+(?:unique\s+)?index\s+(?:concurrently\s+)?${IF_NOT_EXISTS}(${ID})\s+on\s+(?:only\s+)?${QNAME}`,
      'i',
    ),
    latest: false,
  },
  {
    kind: 'policy',
    re: new RegExp(String.raw`^(?:create|alter)\s+policy\s+(${ID})\s+on\s+${QNAME}`, 'i'),
    latest: true,
  },
  {
    kind: 'trigger',
    re: new RegExp(
      String.raw`^create\s+(?:or\s+replace\s+)?(?:constraint\s+)?trigger\s+(${ID})\s[\s\S]*?\bon\s+${QNAME}`,
      'i',
    ),
    latest: true,
  },
];
const ADD_COLUMN = new RegExp(
  String.raw`^alter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?${QNAME}\s+add\s+(?:column\s+)?${IF_NOT_EXISTS}(${ID})`,
  'i',
);

const unquote = (id: string) => (id.startsWith('"') ? id.slice(1, -1).replace(/""/g, '"') : id.toLowerCase());
/** [schema, name] from a possibly unqualified name; unqualified objects land in public (Supabase's search_path). */
const split = (a: string, b: string | undefined): [string, string] =>
  b ? [unquote(a), unquote(b)] : ['public', unquote(a)];

export class MigrationIndex {
  private readonly places = new Map<string, SourceLine>();

  /** Indexes statements in apply order; a later create-or-replace of the same object wins. */
  constructor(migrations: MigrationFile[]) {
    for (const m of migrations)
      for (const s of m.statements) {
        if (s.commentOnly) continue;
        this.index(stripLeadingComments(s.text), { file: m.file, line: s.codeLine });
      }
  }

  static async fromDir(dir: string): Promise<MigrationIndex> {
    return new MigrationIndex((await listMigrations(dir)).migrations);
  }

  private put(key: string, at: SourceLine, latest: boolean) {
    if (latest || !this.places.has(key)) this.places.set(key, at);
  }

  private index(code: string, at: SourceLine) {
    for (const c of CREATORS) {
      const m = c.re.exec(code);
      if (!m) continue;
      const key = c.kind === 'extension' || c.kind === 'schema' ? unquote(m[1]!) : split(m[1]!, m[2]).join('.');
      this.put(`${c.kind}:${key}`, at, c.latest);
      return;
    }
    for (const c of ON_TABLE) {
      const m = c.re.exec(code);
      if (!m) continue;
      const [schema, table] = split(m[2]!, m[3]);
      this.put(`${c.kind}:${schema}.${table}.${unquote(m[1]!)}`, at, c.latest);
      return;
    }
    const m = ADD_COLUMN.exec(code);
    if (m) this.put(`column:${split(m[1]!, m[2]).join('.')}.${unquote(m[3]!)}`, at, false);
  }

  /** Where the migrations created `object` (or, failing that, the table it belongs to). */
  locate(object: DbObject): SourceLine | undefined {
    const schema = object.schema ?? 'public';
    const table = object.table ? this.places.get(`relation:${schema}.${object.table}`) : undefined;
    switch (object.type) {
      case 'table':
      case 'view':
      case 'materialized view':
      case 'foreign table':
        return this.places.get(`relation:${schema}.${object.name}`);
      case 'column':
        return this.places.get(`column:${schema}.${object.table}.${object.name}`) ?? table;
      case 'index':
      case 'policy':
      case 'trigger':
        return this.places.get(`${object.type}:${schema}.${object.table}.${object.name}`) ?? table;
      case 'constraint':
        return table;
      case 'function':
        return this.places.get(`function:${schema}.${object.name}`);
      case 'type':
        return this.places.get(`type:${schema}.${object.name}`);
      case 'extension':
      case 'schema':
        return this.places.get(`${object.type}:${object.name}`);
      default:
        return table;
    }
  }
}
