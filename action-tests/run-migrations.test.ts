// The committed bundle, run the way the runner runs it, on each Node runtime it may meet.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { nodeRuntimes, REPO_ROOT, runAction, startPostgres, type TestDatabase } from '@wingman/testkit';

const EXAMPLE = 'examples/wingmanmatch/supabase';
const VERSIONS = readdirSync(`${EXAMPLE}/migrations`)
  .sort()
  .map((f) => f.split('_')[0]!);
const NEWEST = VERSIONS.at(-1)!;
const runtimes = nodeRuntimes().filter((r) => r.name === 'node20' || r.name === 'node24');
const tmp: string[] = [];

afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

it('runs on both Node 20 and Node 24', () => {
  expect(runtimes.map((r) => r.name)).toEqual(['node20', 'node24']);
});

describe.each(runtimes)('run-migrations bundle on $name', (node) => {
  let db: TestDatabase;
  let PASSWORD: string;
  beforeEach(async () => {
    db = await startPostgres();
    PASSWORD = decodeURIComponent(new URL(db.url).password);
    expect(PASSWORD.length).toBeGreaterThan(8);
  });
  afterEach(async () => {
    await db.stop();
  });

  const run = (inputs: Record<string, string | undefined>, cwd = REPO_ROOT) =>
    runAction('run-migrations', {
      node,
      cwd,
      inputs: {
        'database-url': db.url,
        'migrations-dir': `${EXAMPLE}/migrations`,
        'rollbacks-dir': `${EXAMPLE}/rollbacks`,
        ...inputs,
      },
    });

  it('applies the example app, sets outputs, writes a summary, masks the URL; a re-run applies nothing', async () => {
    const first = await run({ 'seed-file': `${EXAMPLE}/seed.sql` });
    expect(first.stderr).toBe('');
    expect(first.exitCode).toBe(0);
    const versions = JSON.parse(first.outputs['applied-versions']!);
    expect(versions).toEqual(VERSIONS);
    expect(first.outputs).toMatchObject({ applied: String(VERSIONS.length), pending: '0', 'current-version': NEWEST });
    expect(Number(first.outputs['duration-ms'])).toBeGreaterThan(0);
    expect(first.summary).toMatch(/✅ run-migrations/);
    expect(first.summary).toMatch(
      /\| 20250801120000 \| profiles \| examples\/wingmanmatch\/supabase\/migrations\/20250801120000_profiles\.sql \| \d+ \| \d+ ms \| applied \|/,
    );
    expect(first.summary).toMatch(
      /Seeds \(from input 'seed-file'\): examples\/wingmanmatch\/supabase\/seed\.sql applied\./,
    );
    // The concurrent-index migration warns, with an annotation at its file.
    expect(first.annotations).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        file: `${EXAMPLE}/migrations/20250806090000_chat_messages_created_at_index.sql`,
      }),
    );
    expect(first.masks).toEqual(expect.arrayContaining([db.url, PASSWORD]));
    expect(first.commands.filter((c) => c.command === 'group').map((c) => c.message)).toContain(
      `Applying ${EXAMPLE}/migrations/20250801120000_profiles.sql`,
    );

    const again = await run({ 'seed-file': `${EXAMPLE}/seed.sql` });
    expect(again.exitCode).toBe(0);
    expect(again.outputs).toMatchObject({
      applied: '0',
      'applied-versions': '[]',
      pending: '0',
      'current-version': NEWEST,
    });
    expect(again.summary).toMatch(/seed\.sql unchanged\./);
  });

  it('fails on a bad statement with an annotation at its line, the summary showing applied / failed / not run, and no secret anywhere', async () => {
    const project = mkdtempSync(join(tmpdir(), 'wm-action-'));
    tmp.push(project);
    mkdirSync(join(project, 'supabase/migrations'), { recursive: true });
    mkdirSync(join(project, 'supabase/rollbacks'), { recursive: true });
    writeFileSync(join(project, 'supabase/migrations/001_ok.sql'), 'create table public.ok (id int);\n');
    // The error Postgres returns quotes the password as a name (row values are withheld anyway): it must
    // come out as ***.
    writeFileSync(
      join(project, 'supabase/migrations/002_bad.sql'),
      `create function public.f() returns int language sql as $$ select 1; $$;\n\nselect * from public."${PASSWORD}";\n`,
    );
    writeFileSync(join(project, 'supabase/migrations/003_never.sql'), 'create table public.never (id int);\n');
    const result = await run(
      { 'migrations-dir': 'supabase/migrations', 'rollbacks-dir': 'supabase/rollbacks' },
      project,
    );
    expect(result.exitCode).toBe(1);
    // Exactly one error line: the failure itself, annotated at the failing statement.
    const errors = result.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    const error = errors[0];
    expect(error).toMatchObject({ file: 'supabase/migrations/002_bad.sql', line: 3, title: '42P01' });
    expect(error!.message).toMatch(/relation "public\.\*\*\*" does not exist/);
    expect(result.summary).toMatch(/❌ run-migrations/);
    expect(result.summary).toMatch(/\| 001 \| ok \| .* \| applied \|/);
    expect(result.summary).toMatch(/\| 002 \| bad \| .* \| failed \|/);
    expect(result.summary).toMatch(/\| 003 \| never \| .* \| not run \|/);
    expect(result.outputs).toMatchObject({
      applied: '1',
      'applied-versions': '["001"]',
      pending: '2',
      'current-version': '001',
    });
    for (const text of [
      result.stdout.replace(/^::add-mask::.*$/gm, ''),
      result.stderr,
      result.summary,
      JSON.stringify(result.outputs),
    ])
      expect(text).not.toContain(PASSWORD);
    // One failure line, no stack trace.
    expect(result.stdout).not.toMatch(/\n\s+at /);
  });

  it('a malformed input fails with one ::error:: line naming it, before connecting to anything', async () => {
    const result = await run({ 'lock-timeout': 'ten' });
    expect(result.exitCode).toBe(1);
    const errors = result.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors).toEqual([`::error::input 'lock-timeout' must be a duration like 30s or 5m, got "ten"`]);
    expect(result.stdout + result.stderr).not.toMatch(/\bat .*\.js:\d+/);
    expect(result.summary).toMatch(/run-migrations failed:\*\* input 'lock-timeout'/);
  });

  it('a dry run reports the plan and changes nothing', async () => {
    const result = await run({ 'dry-run': 'true' });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toMatchObject({ applied: '0', pending: String(VERSIONS.length), 'current-version': '' });
    expect(result.summary).toMatch(/dry run: nothing changed/);
    const client = await db.connect();
    const { rows } = await client.query(`select to_regclass('supabase_migrations.schema_migrations') as t`);
    expect(rows[0].t).toBeNull();
  });

  it('refuses a psql meta-command with an annotation at its file and line, before touching the database', async () => {
    const project = mkdtempSync(join(tmpdir(), 'wm-action-'));
    tmp.push(project);
    mkdirSync(join(project, 'supabase/migrations'), { recursive: true });
    writeFileSync(join(project, 'supabase/migrations/001_meta.sql'), 'select 1;\n\\set ON_ERROR_STOP on\nselect 2;\n');
    const result = await run({ 'migrations-dir': 'supabase/migrations' }, project);
    expect(result.exitCode).toBe(1);
    expect(result.annotations).toEqual([
      expect.objectContaining({ level: 'error', file: 'supabase/migrations/001_meta.sql', line: 2 }),
    ]);
    expect(result.annotations[0]!.message).toMatch(/psql meta-command \\set at line 2 is not SQL/);
  });

  it('refuses the transaction pooler with an explanation', async () => {
    const result = await run({ 'database-url': 'postgres://postgres:pw@db.example.test:6543/postgres' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/::error::input 'database-url' uses port 6543, Supabase's transaction pooler/);
  });

  it('reverts with direction down to a target version', async () => {
    expect((await run({})).exitCode).toBe(0);
    const down = await run({ direction: 'down', 'target-version': '20250805090000' });
    expect(down.exitCode).toBe(0);
    expect(down.outputs).toMatchObject({
      'reverted-versions': JSON.stringify(VERSIONS.filter((v) => v > '20250805090000').reverse()),
      'current-version': '20250805090000',
    });
    expect(down.summary).toMatch(new RegExp(`\\| ${NEWEST} \\| .* \\| reverted \\|`));
  });
});
