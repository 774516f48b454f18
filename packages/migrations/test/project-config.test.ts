// supabase/config.toml read as the Supabase CLI reads it, and seed paths expanded as it expands them.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { readProjectConfig } from '../src/project-config';
import { planSeeds } from '../src/seed-files';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});
function project(files: Record<string, string>) {
  const root = mkdtempSync(join(tmpdir(), 'wm-config-'));
  roots.push(root);
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, f)), { recursive: true });
    writeFileSync(join(root, f), text);
  }
  return root;
}

describe('readProjectConfig', () => {
  it("is undefined without supabase/config.toml, and takes the CLI template's defaults for keys left out", async () => {
    expect(await readProjectConfig(project({}))).toBeUndefined();
    expect(await readProjectConfig(project({ 'supabase/config.toml': 'project_id = "x"\n' }))).toEqual({
      file: 'supabase/config.toml',
      seed: { enabled: true, sqlPaths: ['./seed.sql'] },
      apiSchemas: ['public', 'graphql_public'],
    });
    const root = project({
      'supabase/config.toml':
        '[api]\nschemas = ["public", "api"]\n\n[db.seed]\nenabled = false\nsql_paths = ["./a.sql"]\n',
    });
    expect(await readProjectConfig(root)).toMatchObject({
      seed: { enabled: false, sqlPaths: ['./a.sql'] },
      apiSchemas: ['public', 'api'],
    });
  });

  it('names the line of a TOML error and the key of a wrong value', async () => {
    await expect(
      readProjectConfig(project({ 'supabase/config.toml': 'project_id = "x"\n[db.seed\n' })),
    ).rejects.toThrow(/^supabase\/config\.toml:2: not valid TOML/);
    await expect(
      readProjectConfig(project({ 'supabase/config.toml': '[db.seed]\nsql_paths = "./seed.sql"\n' })),
    ).rejects.toThrow('supabase/config.toml: [db.seed] sql_paths must be a list of strings, like ["./seed.sql"]');
    await expect(
      readProjectConfig(project({ 'supabase/config.toml': '[db.seed]\nenabled = "yes"\n' })),
    ).rejects.toThrow('supabase/config.toml: [db.seed] enabled must be true or false');
  });
});

describe('planSeeds', () => {
  const seeds = {
    'supabase/seed.sql': '',
    'supabase/seeds/10_b.sql': '',
    'supabase/seeds/2_a.sql': '',
    'supabase/seeds/x.txt': '',
    'supabase/seeds/deep/3.sql': '',
    'supabase/seeds/deep/deeper/4.sql': '',
  };

  it("expands sql_paths relative to supabase/ with Go's glob: sorted per pattern, deduplicated, * within one segment", async () => {
    const root = project({
      ...seeds,
      'supabase/config.toml':
        '[db.seed]\nsql_paths = ["./seeds/*.sql", "seed.sql", "./seeds/2_a.sql", "./seeds/**/*.sql", "./seeds/[0-9]?_*.sql", "./none/*.sql"]\n',
    });
    const plan = await planSeeds({ root, config: await readProjectConfig(root) });
    expect(plan).toEqual({
      files: [
        'supabase/seeds/10_b.sql',
        'supabase/seeds/2_a.sql',
        'supabase/seed.sql',
        // ** is * in Go's glob: one level, not deeper/4.sql
        'supabase/seeds/deep/3.sql',
      ],
      source: 'supabase/config.toml [db.seed] sql_paths',
      warnings: ['no files matched pattern: supabase/none/*.sql'],
    });
  });

  it('seeds nothing when config.toml disables it, supabase/seed.sql without a config.toml, and the input wins over both', async () => {
    const disabled = project({ ...seeds, 'supabase/config.toml': '[db.seed]\nenabled = false\n' });
    expect(await planSeeds({ root: disabled, config: await readProjectConfig(disabled) })).toBeUndefined();
    const bare = project(seeds);
    expect(await planSeeds({ root: bare })).toEqual({
      files: ['supabase/seed.sql'],
      source: 'the default supabase/seed.sql',
      warnings: [],
    });
    expect(await planSeeds({ root: disabled, explicit: ['supabase/seeds/2_*.sql'] })).toEqual({
      files: ['supabase/seeds/2_a.sql'],
      source: "input 'seed-file'",
      warnings: [],
    });
    await expect(planSeeds({ root: bare, explicit: ['seed/missing.sql'] })).rejects.toThrow(
      "input 'seed-file' is seed/missing.sql, which matches no file: check the path (relative to the repository root)",
    );
  });
});
