// The corpus: one file per rule with its hazard, and one with the safe alternative (or the same
// statement where the database proves it harmless), linted against a database with existing tables
// above and below lint-small-table-rows; then the context cases a file-only linter gets wrong.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ALL_RULES, type LintFile, type LintFinding, lintMigrations, lintSarif } from '../src/index';
import { CORPUS, corpusDatabase } from './helpers';

const corpus = (name: string): LintFile => ({ file: name, sql: readFileSync(join(CORPUS, name), 'utf8') });

const { query, db } = corpusDatabase();

const lint = (files: LintFile[], withDatabase = true) =>
  lintMigrations(files, { query: withDatabase ? query : undefined, smallTableRows: 10_000 });
const summary = (fs: LintFinding[]) => fs.map((f) => `${f.rule}@${f.line}:${f.level}${f.allowed ? ' (allowed)' : ''}`);

describe('the corpus, one hazard and one safe alternative per rule', () => {
  it('has both files for every rule', () => {
    const files = readdirSync(CORPUS);
    for (const r of ALL_RULES)
      expect([r.name, files.includes(`${r.name}.sql`), files.includes(`${r.name}.safe.sql`)]).toEqual([
        r.name,
        true,
        true,
      ]);
  });

  it.each(ALL_RULES.map((r) => [r.name, r] as const))(
    '%s: reported on the hazard, at its line, with the table size',
    async (name, rule) => {
      const findings = await lint([corpus(`${name}.sql`)]);
      const mine = findings.filter((f) => f.rule === name);
      expect(mine.length).toBeGreaterThan(0);
      for (const f of mine) {
        expect(f.level).toBe(rule.level);
        expect(f.allowed).toBeUndefined();
        expect(f.effect).toBe(rule.effect);
        expect(f.safe).toBe(rule.safe);
        const text = readFileSync(join(CORPUS, `${name}.sql`), 'utf8').split('\n')[f.line - 1]!;
        expect(text.trim()).not.toBe('');
        if (f.table) expect(f.message).toMatch(/\(~\d+ rows, [\d.]+ (kB|MB)\)/);
      }
    },
  );

  it.each(ALL_RULES.map((r) => [r.name] as const))('%s: the safe alternative is not reported', async (name) => {
    const findings = await lint([corpus(`${name}.safe.sql`)]);
    expect(summary(findings.filter((f) => f.rule === name && !f.allowed))).toEqual([]);
    expect(summary(findings.filter((f) => f.level !== 'notice' && !f.allowed))).toEqual([]);
  });
});

describe('what the database knows that a file does not', () => {
  const files = [
    {
      file: '1_create.sql',
      sql: 'create table public.orders (id bigint primary key, owner_id bigint, note text);\ninsert into public.orders values (1, 1, null);',
    },
    {
      file: '2_index.sql',
      sql: 'create index orders_owner_idx on public.orders (owner_id);\nalter table public.orders add constraint orders_owner_fk foreign key (owner_id) references public.owners (id);\nalter table public.orders alter column note set not null;\nalter table public.orders drop column note;',
    },
  ];

  it('a table created earlier in the same run is new: nothing on it is a hazard, in the same file or a later one', async () => {
    expect(summary(await lint(files))).toEqual([]);
  });

  it('a small existing table turns locking findings into notices that state its size; destructive ones stay', async () => {
    const small = [
      {
        file: 's.sql',
        sql: 'create index small_name_idx on public.small (name);\nalter table public.small drop column name;',
      },
    ];
    const findings = await lint(small);
    expect(summary(findings)).toEqual(['create_index_not_concurrently@1:notice', 'drop_column@2:error']);
    expect(findings[0]!.message).toMatch(
      /\(~10 rows, 8 kB\): a small table \(under lint-small-table-rows, 10000\), so the lock is brief$/,
    );
  });

  it('without a database every table the file does not create counts as existing, of unknown size', async () => {
    expect(
      summary(await lint([{ file: 's.sql', sql: 'create index small_name_idx on public.small (name);' }], false)),
    ).toEqual(['create_index_not_concurrently@1:warning']);
    // The same-file creation still counts as new.
    expect(summary(await lint([files[0]!, files[1]!], false))).toEqual([]);
  });

  it('overrides need a reason: with one the finding is allowed and kept; without, the override is an error', async () => {
    expect(summary(await lint([corpus('override_without_reason.safe.sql')]))).toEqual(['drop_table@2:error (allowed)']);
    expect((await lint([corpus('override_without_reason.safe.sql')]))[0]!.allowed).toBe(
      'the table moved to the archive project last release',
    );
    expect(summary(await lint([corpus('override_without_reason.sql')]))).toEqual([
      'drop_table@2:error',
      'override_without_reason@1:error',
    ]);
  });

  it('reads the catalog without waiting on a table another session holds locked', async () => {
    const holder = await db().connect();
    try {
      await holder.query('begin; lock table public.big in access exclusive mode');
      const started = Date.now();
      expect(summary(await lint([corpus('create_index_not_concurrently.sql')]))).toEqual([
        'create_index_not_concurrently@1:warning',
      ]);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await holder.query('rollback');
      await holder.end();
    }
  });

  it('points at the statement past its leading comments, also after multi-byte text', async () => {
    const sql = "-- héllo wörld\nselect 'ünïcode';\n/* a\n   block */\n-- and a line\ndrop table public.big;\n";
    expect(summary(await lint([{ file: 'u.sql', sql }]))).toEqual(['drop_table@6:error']);
  });
});

describe('the findings as code scanning reads them', () => {
  it('every rule of the corpus, allowed findings and notices included, makes one valid SARIF 2.1.0 log', async () => {
    const jestSarif = (await import('@microsoft/jest-sarif')).default;
    expect.extend(jestSarif as unknown as Parameters<typeof expect.extend>[0]);
    // Each hazard file alone, as the corpus cases above lint it.
    const findings: LintFinding[] = [];
    for (const name of readdirSync(CORPUS).filter((f) => !f.includes('.safe.')))
      findings.push(...(await lint([corpus(name)])));
    // A notice (an index on a small table) and a hazard allowed on purpose.
    findings.push(...(await lint([{ file: 's.sql', sql: 'create index small_name_idx on public.small (name);' }])));
    findings.push(...(await lint([corpus('override_without_reason.safe.sql')])));
    expect(findings.filter((f) => f.level === 'notice' || f.allowed)).toHaveLength(2);
    expect(new Set(findings.map((f) => f.rule))).toEqual(new Set(ALL_RULES.map((r) => r.name)));
    const log = lintSarif(findings, { version: '1', informationUri: 'https://example.test/lint' });
    (expect(log) as unknown as { toBeValidSarifLog(): void }).toBeValidSarifLog();
    const results = log.runs[0]!.results!;
    expect(results).toHaveLength(findings.length);
    // A notice, or a hazard allowed on purpose, is a note: it does not fail a code scanning check.
    for (const [i, f] of findings.entries())
      expect([f.rule, results[i]!.level]).toEqual([f.rule, f.allowed || f.level === 'notice' ? 'note' : f.level]);
  });
});
