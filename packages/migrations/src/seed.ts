// seed: apply the seed file after the migrations, once, as supabase db push does: a seed recorded in
// supabase_migrations.seed_files is not run again when its content changes, only its hash is updated
// (re-running a non-idempotent seed would duplicate its rows).
import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { seedFileHash, UPSERT_SEED_FILE } from './cli-compat';
import { isPgError, MigrationsError } from './errors';
import { inlineParams } from './execute';
import { ensureSeedTable } from './history';
import type { RunOptions } from './options';
import type { MigrateResult } from './report';
import { SqlSplitError, type Statement, splitStatements } from './splitter';
import { inTransaction } from './transaction';

export async function seed(client: pg.Client, o: RunOptions, result: MigrateResult) {
  const file = o.seedFile!;
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch {
    throw new MigrationsError(
      `input 'seed-file' is ${file}, which cannot be read: check the path (relative to the repository root)`,
    );
  }
  const hash = seedFileHash(content);
  const { rows } = await client
    .query<{ hash: string }>('select hash from supabase_migrations.seed_files where path = $1', [file])
    .catch((err) => {
      if (isPgError(err) && err.code === '42P01') return { rows: [] as { hash: string }[] };
      throw err;
    });
  if (rows[0]?.hash === hash) {
    result.seed = { file, status: 'unchanged' };
    o.log.info(`${file} is unchanged since it was applied; not applied again.`);
    return;
  }
  const dirty = rows.length > 0;
  if (o.dryRun) {
    result.seed = { file, status: dirty ? 'would update hash' : 'would apply' };
    return;
  }
  if (dirty) {
    await client.query(inlineParams(client, UPSERT_SEED_FILE, [file, hash]));
    result.seed = { file, status: 'hash updated' };
    o.log.info(
      `${file} changed since it was seeded: only its hash is updated, as supabase db push does (a seed runs once; a database reset seeds again).`,
    );
    return;
  }
  const sql = content.toString('utf8');
  const statements = splitWithFile(sql, file);
  await ensureSeedTable(client);
  await o.log.group(`Seeding with ${file}`, () =>
    inTransaction(client, o, { file, sql }, statements, true, {
      sql: inlineParams(client, UPSERT_SEED_FILE, [file, hash]),
      purpose: 'record the seed in supabase_migrations.seed_files',
    }),
  );
  result.seed = { file, status: 'applied' };
}

function splitWithFile(sql: string, file: string): Statement[] {
  try {
    return splitStatements(sql);
  } catch (err) {
    throw err instanceof SqlSplitError ? err.withFile(file) : err;
  }
}
