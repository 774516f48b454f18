// The verify-schema bundle, run as the runner runs it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import jestSarif from '@microsoft/jest-sarif';
import { silentLog } from '@wingman/log';
import { migrate } from '@wingman/migrations';
import { nodeRuntimes, REPO_ROOT, runAction, startDataApi, startPostgres, type TestDatabase } from '@wingman/testkit';

expect.extend(jestSarif as unknown as Parameters<typeof expect.extend>[0]);
declare module 'expect' {
  interface Matchers<R> {
    toBeValidSarifLog(): R;
  }
}

const EXAMPLE = 'examples/wingmanmatch/supabase';
const node24 = nodeRuntimes().find((r) => r.name === 'node24')!;
const tmp: string[] = [];
let db: TestDatabase;

beforeEach(async () => {
  db = await startPostgres();
});
afterEach(async () => {
  await db.stop();
});
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

const verify = (inputs: Record<string, string>, cwd = REPO_ROOT) =>
  runAction('verify-schema', { node: node24, cwd, inputs: { 'database-url': db.url, ...inputs } });

/** The example app's migrations applied to the test database. */
const migrateExample = () =>
  migrate({
    databaseUrl: db.url,
    migrationsDir: `${EXAMPLE}/migrations`,
    rollbacksDir: `${EXAMPLE}/rollbacks`,
    direction: 'up',
    log: silentLog,
  });

describe('verify-schema bundle', () => {
  it('passes the example app with fail-on: warn', async () => {
    await migrateExample();
    const result = await verify({ 'migrations-dir': `${EXAMPLE}/migrations`, 'fail-on': 'warn' });
    expect(result.stderr).toBe('');
    expect(result.outputs).toMatchObject({ errors: '0', warnings: '0' });
    expect(result.exitCode).toBe(0);
    expect(result.summary).toMatch(/✅ verify-schema/);
    expect(result.summary).toMatch(/Policy coverage/);
    expect(result.summary).toMatch(/not applicable/);
  });

  it.each(nodeRuntimes().filter((r) => r.name === 'node20' || r.name === 'node24'))(
    'reads every exposed table through the Data API on $name (Node 20 has no global WebSocket)',
    async (node) => {
      await migrateExample();
      const api = await startDataApi({ databaseUrl: db.url });
      try {
        const result = await runAction('verify-schema', {
          node,
          cwd: REPO_ROOT,
          inputs: {
            'database-url': db.url,
            'migrations-dir': `${EXAMPLE}/migrations`,
            'supabase-url': api.url,
            'anon-key': api.anonKey,
          },
        });
        expect(result.stderr).toBe('');
        expect(result.exitCode).toBe(0);
        expect(result.summary).toMatch(/\d+ read through the Data API/);
        expect(api.requests.length).toBeGreaterThan(0);
      } finally {
        await api.stop();
      }
    },
  );

  it('annotates each finding at the statement that created the object, writes valid SARIF, and fails on errors', async () => {
    const project = mkdtempSync(join(tmpdir(), 'wm-verify-'));
    tmp.push(project);
    mkdirSync(join(project, 'supabase/migrations'), { recursive: true });
    writeFileSync(
      join(project, 'supabase/migrations/20250101000000_notes.sql'),
      [
        '-- notes, forgotten RLS',
        'create table public.notes (',
        '  id bigint generated always as identity primary key,',
        '  body text',
        ');',
        '',
        'create function public.touch() returns trigger language plpgsql as $$ begin return new; end $$;',
      ].join('\n'),
    );
    await migrate({
      databaseUrl: db.url,
      migrationsDir: join(project, 'supabase/migrations'),
      rollbacksDir: join(project, 'supabase/migrations'),
      direction: 'up',
      log: silentLog,
    });
    const result = await verify({ 'migrations-dir': 'supabase/migrations', 'sarif-file': 'out/verify.sarif' }, project);
    expect(result.exitCode).toBe(1);
    expect(result.annotations).toContainEqual(
      expect.objectContaining({
        level: 'error',
        file: 'supabase/migrations/20250101000000_notes.sql',
        line: 2,
        title: 'rls_disabled_in_public',
      }),
    );
    expect(result.annotations).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        file: 'supabase/migrations/20250101000000_notes.sql',
        line: 7,
        title: 'function_search_path_mutable',
      }),
    );
    expect(Number(result.outputs.errors)).toBeGreaterThan(0);
    const findings = JSON.parse(result.outputs.findings!);
    expect(findings).toContainEqual(
      expect.objectContaining({ rule: 'rls_disabled_in_public', object: expect.objectContaining({ name: 'notes' }) }),
    );
    expect(result.outputs['sarif-file']).toBe('out/verify.sarif');
    const sarif = JSON.parse(readFileSync(join(project, 'out/verify.sarif'), 'utf8'));
    expect(sarif).toBeValidSarifLog();
    expect(sarif.runs[0].results.length).toBe(findings.length);
    // The step fails with a plain log line: each finding already has its own annotation (one per cause).
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^verify-schema found \d+ finding\(s\) at 'error' or above/m);
    expect(result.annotations.filter((a) => a.level === 'error')).toHaveLength(Number(result.outputs.errors));
    expect(result.stdout.replace(/^::add-mask::.*$/gm, '')).not.toContain(new URL(db.url).password);
  });

  it('refuses an ignore without a reason, naming the config file', async () => {
    const project = mkdtempSync(join(tmpdir(), 'wm-verify-'));
    tmp.push(project);
    mkdirSync(join(project, '.github'), { recursive: true });
    writeFileSync(
      join(project, '.github/verify-schema.yml'),
      'ignore:\n  - rule: no_primary_key\n    object: public.t\n',
    );
    const result = await verify({}, project);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /::error::config-file \.github\/verify-schema\.yml: ignore\[0\]\.reason needs a reason/,
    );
  });

  it('names the input behind each setup error: a schema that does not exist, an unreachable shadow, an unwritable SARIF path', async () => {
    const errorOf = (r: Awaited<ReturnType<typeof verify>>) =>
      r.annotations.filter((a) => a.level === 'error').map((a) => a.message);
    const schema = await verify({ 'exposed-schemas': 'public,pubic' });
    expect(schema.exitCode).toBe(1);
    expect(errorOf(schema)).toEqual([
      expect.stringMatching(/^input 'exposed-schemas' names 'pubic', which the database does not have/),
    ]);

    const shadow = await verify({
      'migrations-dir': `${EXAMPLE}/migrations`,
      'shadow-database-url': 'postgres://postgres:pw@127.0.0.1:1/postgres',
    });
    expect(shadow.exitCode).toBe(1);
    expect(errorOf(shadow).join('\n')).toMatch(/check 'shadow-database-url'/);
    expect(errorOf(shadow).join('\n')).not.toMatch(/check 'database-url'/);

    const project = mkdtempSync(join(tmpdir(), 'wm-verify-'));
    tmp.push(project);
    writeFileSync(join(project, 'reports'), 'a file where a folder is expected');
    const sarif = await verify({ 'sarif-file': 'reports/schema.sarif' }, project);
    expect(sarif.exitCode).toBe(1);
    expect(errorOf(sarif)).toEqual([
      expect.stringMatching(
        /^input 'sarif-file' reports\/schema\.sarif: the SARIF report cannot be written there \((EEXIST|ENOTDIR)\)/,
      ),
    ]);
  });
});
