// seed: apply the seed files after the migrations, each once, as supabase db push --include-seed
// does: a file recorded in supabase_migrations.seed_files is not run again when its content changes,
// only its hash is updated (re-running a non-idempotent seed would duplicate its rows). Each file runs
// in its own transaction with its hash row.
import { readFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type pg from 'pg';
import { seedFileHash, UPSERT_SEED_FILE } from './cli-compat';
import { isPgError, MigrationsError } from './errors';
import { inlineParams } from './execute';
import { ensureSeedTable } from './history';
import type { RunOptions } from './options';
import { type MigrateResult, warn } from './report';
import type { SeedPlan } from './seed-files';
import { SqlSplitError, type Statement, splitStatements } from './splitter';
import { inTransaction } from './transaction';

export async function seed(client: pg.Client, o: RunOptions, plan: SeedPlan, result: MigrateResult) {
  result.seedSource = plan.source;
  result.seeds = [];
  for (const w of plan.warnings) warn(o.log, result, `seed: ${w}`);
  if (!plan.files.length) return;
  const recorded = await recordedSeeds(client);
  let tableReady = false;
  for (const file of plan.files) {
    let content: Buffer;
    try {
      content = await readFile(isAbsolute(file) ? file : join(o.projectRoot ?? '.', file));
    } catch {
      throw new MigrationsError(
        `seed ${file} (from ${plan.source}) cannot be read: check the path (relative to the repository root)`,
      );
    }
    const hash = seedFileHash(content);
    const before = recorded.get(file);
    if (before === hash) {
      result.seeds.push({ file, status: 'unchanged' });
      o.log.info(`${file} is unchanged since it was applied; not applied again.`);
      continue;
    }
    const dirty = before !== undefined;
    if (o.dryRun) {
      result.seeds.push({ file, status: dirty ? 'would update hash' : 'would apply' });
      continue;
    }
    if (!tableReady) await ensureSeedTable(client);
    tableReady = true;
    const record = inlineParams(client, UPSERT_SEED_FILE, [file, hash]);
    if (dirty) {
      await client.query(record);
      result.seeds.push({ file, status: 'hash updated' });
      o.log.info(
        `${file} changed since it was seeded: only its hash is updated, as supabase db push does (a seed runs once; a database reset seeds again).`,
      );
      continue;
    }
    const sql = content.toString('utf8');
    await o.log.group(`Seeding with ${file}`, () =>
      inTransaction(client, o, { file, sql }, splitWithFile(sql, file), true, {
        sql: record,
        purpose: 'record the seed in supabase_migrations.seed_files',
      }),
    );
    result.seeds.push({ file, status: 'applied' });
  }
}

async function recordedSeeds(client: pg.Client): Promise<Map<string, string>> {
  const { rows } = await client
    .query<{ path: string; hash: string }>('select path, hash from supabase_migrations.seed_files')
    .catch((err) => {
      if (isPgError(err) && err.code === '42P01') return { rows: [] as { path: string; hash: string }[] };
      throw err;
    });
  return new Map(rows.map((r) => [r.path, r.hash]));
}

function splitWithFile(sql: string, file: string): Statement[] {
  try {
    return splitStatements(sql);
  } catch (err) {
    throw err instanceof SqlSplitError ? err.withFile(file) : err;
  }
}
