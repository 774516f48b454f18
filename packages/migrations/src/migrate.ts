// run-migrations: bring a database to the commit's migrations (or back down), never half-way.
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { Log } from '@wingman/log';
import { sleep } from '@wingman/time';
import type pg from 'pg';
import { findPendingMigrations, isTransactionControl, seedFileHash, UPSERT_SEED_FILE } from './cli-compat';
import { connect } from './connection';
import { isPgError, locationOf, MigrationsError } from './errors';
import {
  codeOf,
  inlineParams,
  managesOwnTransaction,
  needsNoTransaction,
  runScript,
  runStatement,
  type SqlSource,
} from './execute';
import { listMigrations, type MigrationFile, parseIrreversible, readDownScript } from './files';
import {
  deleteHistory,
  deleteHistorySql,
  ensureHistoryTable,
  ensureSeedTable,
  type HistoryRow,
  insertHistory,
  insertHistorySql,
  readHistory,
} from './history';
import { acquireMigrationLock, releaseMigrationLock } from './lock';
import { describeDifference, diffSnapshots, takeSnapshot } from './snapshot';
import { SqlSplitError, type Statement, splitStatements } from './splitter';

export interface MigrateOptions {
  databaseUrl: string;
  /** As the user gave it: file paths in reports and annotations are shown under it. */
  migrationsDir: string;
  rollbacksDir: string;
  direction: 'up' | 'down';
  /** up: apply up to and including it; down: revert every applied version above it (default: the newest one only). */
  targetVersion?: string;
  dryRun?: boolean;
  atomic?: boolean;
  allowOutOfOrder?: boolean;
  lockTimeoutMs?: number;
  lockRetries?: number;
  statementTimeoutMs?: number;
  waitForLockMs?: number;
  seedFile?: string;
  verifyRollbacks?: boolean;
  log: Log;
  applicationName?: string;
  /** The input databaseUrl came from, named in connection errors (default database-url). */
  databaseInput?: string;
  /** Backoff base for lock-timeout retries. */
  retryDelayMs?: number;
}

export type FileStatus = 'applied' | 'reverted' | 'failed' | 'not run' | 'pending' | 'to revert';

export interface FileReport {
  version: string;
  name: string;
  file: string;
  statements: number;
  status: FileStatus;
  durationMs?: number;
  note?: string;
}

export interface MigrateResult {
  direction: 'up' | 'down';
  dryRun: boolean;
  applied: string[];
  reverted: string[];
  /** Migrations still not applied after the run (in a dry run: the ones it would apply). */
  pending: number;
  currentVersion: string | null;
  files: FileReport[];
  warnings: string[];
  seed?: { file: string; status: 'applied' | 'unchanged' | 'would apply' };
  durationMs: number;
}

/** Carries what was done before the failure, so the report can show applied / failed / not run. */
export class MigrationRunError extends MigrationsError {
  override name = 'MigrationRunError';
  constructor(
    override readonly cause: Error,
    readonly result: MigrateResult,
  ) {
    super(cause.message, locationOf(cause));
  }
}

const DEFAULTS = {
  lockTimeoutMs: 5000,
  lockRetries: 3,
  statementTimeoutMs: 0,
  waitForLockMs: 300_000,
  retryDelayMs: 1000,
};
const LOCK_NOT_AVAILABLE = '55P03';
const short = (text: string, max = 100) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  const started = Date.now();
  const result: MigrateResult = {
    direction: o.direction,
    dryRun: !!o.dryRun,
    applied: [],
    reverted: [],
    pending: 0,
    currentVersion: null,
    files: [],
    warnings: [],
    durationMs: 0,
  };
  // Read and split the files while the connection is being set up; a problem in the files wins.
  const listing = listMigrations(o.migrationsDir);
  listing.catch(() => {});
  const client = await connect(
    o.databaseUrl,
    o.applicationName ?? 'wingman-deploy run-migrations',
    o.databaseInput,
  ).catch(async (err) => {
    await listing;
    throw err;
  });
  let locked = false;
  try {
    const { migrations, skipped } = await listing;
    for (const s of skipped) warn(o.log, result, `skipped ${s.file}: ${s.reason}`);
    if (!o.dryRun) {
      await o.log.group('Taking the migration lock', () =>
        acquireMigrationLock(client, { waitMs: o.waitForLockMs, label: o.applicationName ?? 'run-migrations' }),
      );
      locked = true;
    }
    const history = await readHistory(client);
    if (o.direction === 'up') await up(client, o, migrations, history, result);
    else await down(client, o, migrations, history, result);
    if (o.seedFile && o.direction === 'up') await seed(client, o, result);
  } catch (err) {
    result.durationMs = Date.now() - started;
    throw new MigrationRunError(err as Error, result);
  } finally {
    // up() counted everything pending before it applied anything.
    if (o.direction === 'up') result.pending -= result.applied.length;
    if (locked) await releaseMigrationLock(client).catch(() => {});
    await client.end().catch(() => {});
  }
  result.durationMs = Date.now() - started;
  return result;
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function warn(log: Log, result: MigrateResult, message: string, where?: { file: string; line?: number }) {
  // verify-rollbacks applies a file twice; say it once.
  if (result.warnings.includes(message)) return;
  result.warnings.push(message);
  log.warning(message, where);
}

type Opts = MigrateOptions & typeof DEFAULTS;

// ---------------------------------------------------------------- up

async function up(client: pg.Client, o: Opts, files: MigrationFile[], history: HistoryRow[], result: MigrateResult) {
  checkDrift(files, history);
  const byVersion = new Map(files.map((f) => [f.version, f]));
  const plan = findPendingMigrations(
    files.map((f) => f.version),
    history.map((h) => h.version),
    !!o.allowOutOfOrder,
  );
  if (plan.outOfOrder.length && !o.allowOutOfOrder) {
    const newest = history.at(-1)!.version;
    throw new MigrationsError(
      `pending migration ${fileOf(byVersion, plan.outOfOrder[0]!)} is older than the newest applied migration ${newest}` +
        `${plan.outOfOrder.length > 1 ? ` (and ${plan.outOfOrder.length - 1} more)` : ''}: rename it with a newer timestamp, or set 'allow-out-of-order: true' to apply it anyway`,
    );
  }
  if (o.targetVersion !== undefined && !byVersion.has(o.targetVersion))
    throw new MigrationsError(
      `input 'target-version' is ${o.targetVersion}, which is not a migration in ${o.migrationsDir}: give the version of one of its files`,
    );
  const all = plan.pending.map((v) => byVersion.get(v)!);
  const todo = o.targetVersion === undefined ? all : all.filter((f) => f.version <= o.targetVersion!);
  result.currentVersion = history.at(-1)?.version ?? null;
  result.pending = all.length;
  result.files = todo.map((f) => report(f, o.dryRun ? 'pending' : 'not run'));
  if (o.dryRun || todo.length === 0) {
    if (todo.length === 0) o.log.info(`Database is up to date (${history.length} migrations applied).`);
    return;
  }
  await ensureHistoryTable(client);

  if (o.atomic) {
    await applyAtomically(client, o, todo, result);
  } else {
    for (const [i, file] of todo.entries()) {
      const last = i === todo.length - 1;
      if (o.verifyRollbacks) await verifyRoundTrip(client, o, file, result);
      else await applyFile(client, o, file, result, last);
    }
  }
}

function fileOf(byVersion: Map<string, MigrationFile>, version: string) {
  return byVersion.get(version)?.file ?? version;
}

function report(f: MigrationFile, status: FileStatus): FileReport {
  return { version: f.version, name: f.name, file: f.file, statements: f.statements.length, status };
}

/** Edited or missing files fail the run before anything is applied. */
function checkDrift(files: MigrationFile[], history: HistoryRow[]) {
  const byVersion = new Map(files.map((f) => [f.version, f]));
  const orphans = history.filter((h) => !byVersion.has(h.version)).map((h) => h.version);
  if (orphans.length)
    throw new MigrationsError(
      `the database has applied migrations with no file in the migrations folder: ${orphans.join(', ')}; restore those files, ` +
        `or if they were removed on purpose run 'supabase migration repair --status reverted ${orphans.join(' ')}'`,
    );
  for (const row of history) {
    if (!row.statements) continue;
    const file = byVersion.get(row.version)!;
    const texts = file.statements.map((s) => s.text);
    const n = Math.max(texts.length, row.statements.length);
    for (let i = 0; i < n; i++) {
      if (texts[i] === row.statements[i]) continue;
      const where = file.statements[i] ? `${file.file}:${file.statements[i]!.codeLine}` : file.file;
      throw new MigrationsError(
        `${where}: migration ${row.version} was edited after it was applied: statement ${i + 1} was ` +
          `"${short(row.statements[i] ?? '(none)')}" and is now "${short(texts[i] ?? '(none)')}"; restore the file and put the change in a new migration`,
        { file: file.file, line: file.statements[i]?.codeLine },
      );
    }
  }
}

/** Opens a migration transaction: the statements that start every transactional script. */
const beginTransaction = (o: Opts, synchronous: boolean) => [
  'begin',
  `set local lock_timeout = ${o.lockTimeoutMs}`,
  `set local statement_timeout = ${o.statementTimeoutMs}`,
  // Every commit but the run's last is asynchronous: the last synchronous commit flushes the WAL
  // through all earlier ones. A crash before then loses a migration together with its history row,
  // so the next run applies it again; nothing is ever half-applied.
  ...(synchronous ? [] : ['set local synchronous_commit = off']),
];

/** Runs a script and the history change that records it in one transaction and one round trip. */
async function inTransaction(
  client: pg.Client,
  o: Opts,
  source: SqlSource,
  statements: Statement[],
  synchronous: boolean,
  record: { sql: string; purpose: string },
) {
  try {
    await runScript(client, source, statements, {
      prefix: beginTransaction(o, synchronous),
      suffix: [record.sql, 'commit'],
      suffixPurpose: record.purpose,
    });
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  }
}

const recordApplied = (client: pg.Client, file: MigrationFile) => ({
  sql: insertHistorySql(client, file.version, file.name, texts(file.statements)),
  purpose: `record ${file.version} in supabase_migrations.schema_migrations`,
});

/** One file and its history row in one transaction, retried when it could not get a lock in time. */
async function applyFile(client: pg.Client, o: Opts, file: MigrationFile, result: MigrateResult, last: boolean) {
  const entry = result.files.find((f) => f.version === file.version)!;
  const t0 = Date.now();
  await o.log.group(`Applying ${file.file}`, async () => {
    try {
      if (file.statements.some(needsNoTransaction) || managesOwnTransaction(file.statements)) {
        await applyStatementByStatement(client, o, file, result);
      } else {
        await withLockRetries(o, file.file, () =>
          inTransaction(client, o, file, file.statements, last, recordApplied(client, file)),
        );
      }
    } catch (err) {
      entry.status = 'failed';
      entry.durationMs = Date.now() - t0;
      throw err;
    }
  });
  entry.status = 'applied';
  entry.durationMs = Date.now() - t0;
  result.applied.push(file.version);
  result.currentVersion = file.version;
}

const texts = (statements: Statement[]) => statements.map((s) => s.text);

async function withLockRetries(o: Opts, file: string, attempt: () => Promise<void>) {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      const code = (err as { sqlstate?: string; code?: string }).sqlstate ?? (err as { code?: string }).code;
      if (code !== LOCK_NOT_AVAILABLE || i >= o.lockRetries) throw err;
      const delay = o.retryDelayMs * 2 ** i;
      o.log.info(
        `${file}: could not get a lock within lock-timeout; retry ${i + 1} of ${o.lockRetries} in ${delay} ms`,
      );
      await sleep(delay);
    }
  }
}

/**
 * CREATE INDEX CONCURRENTLY and friends, or a file with its own BEGIN/COMMIT: statement by statement,
 * the history row after the last one, as the Supabase CLI runs such files.
 */
async function applyStatementByStatement(client: pg.Client, o: Opts, file: MigrationFile, result: MigrateResult) {
  const first = file.statements.find(needsNoTransaction);
  const alone = file.statements.filter((s) => !s.commentOnly).length === 1;
  const message = first
    ? `${file.file} runs outside a transaction (line ${first.codeLine}: ${short(codeOf(first), 60)} cannot run inside one)` +
      (alone
        ? `: if it fails, check for an INVALID index or other leftovers before re-running`
        : `: if it fails part-way, the statements before the failure stay applied; keep such a statement in a file of its own`)
    : `${file.file} opens or ends transactions itself, so it runs statement by statement as written, with its history row after its last statement`;
  warn(o.log, result, message, { file: file.file, line: (first ?? file.statements[0])?.codeLine ?? 1 });
  await client.query(`set lock_timeout = ${o.lockTimeoutMs}; set statement_timeout = ${o.statementTimeoutMs}`);
  try {
    for (const s of file.statements) await runStatement(client, file, s);
    await insertHistory(client, file.version, file.name, texts(file.statements));
  } catch (err) {
    // A file that opened its own transaction and failed inside it leaves that transaction aborted.
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    await client.query('reset lock_timeout; reset statement_timeout').catch(() => {});
  }
}

/** atomic: every pending file in one transaction. */
async function applyAtomically(client: pg.Client, o: Opts, todo: MigrationFile[], result: MigrateResult) {
  for (const file of todo) {
    const s = file.statements.find((st) => needsNoTransaction(st) || isTransactionControl(st.text));
    if (s)
      throw new MigrationsError(
        `${file.file}:${s.codeLine}: "${short(codeOf(s), 60)}" cannot run inside a transaction, so 'atomic: true' cannot apply it: ` +
          `set 'atomic: false' for this run`,
        { file: file.file, line: s.codeLine },
      );
  }
  const t0 = Date.now();
  await o.log.group(`Applying ${todo.length} migrations in one transaction`, () =>
    withLockRetries(o, 'atomic run', async () => {
      await client.query(beginTransaction(o, true).join('; '));
      let current: MigrationFile | undefined;
      try {
        for (const file of todo) {
          current = file;
          const record = recordApplied(client, file);
          await runScript(client, file, file.statements, {
            prefix: [],
            suffix: [record.sql],
            suffixPurpose: record.purpose,
          });
        }
        await client.query('commit');
      } catch (err) {
        await client.query('rollback').catch(() => {});
        const entry = result.files.find((f) => f.version === current?.version);
        if (entry && (err as { code?: string; sqlstate?: string }).sqlstate !== LOCK_NOT_AVAILABLE) {
          entry.status = 'failed';
        }
        throw err;
      }
    }),
  );
  for (const entry of result.files) {
    entry.status = 'applied';
    entry.durationMs = Date.now() - t0;
  }
  result.applied.push(...todo.map((f) => f.version));
  result.currentVersion = todo.at(-1)!.version;
}

// ---------------------------------------------------------------- rollback plans

const loadDownScript = (o: Opts, file: { version: string; name: string }) =>
  readDownScript(o.rollbacksDir, file).then((d) => d ?? undefined);

function splitWithFile(sql: string, file: string): Statement[] {
  try {
    return splitStatements(sql);
  } catch (err) {
    throw err instanceof SqlSplitError ? err.withFile(file) : err;
  }
}

/** verify-rollbacks: snapshot, up, down, snapshot equal to before, up again. */
async function verifyRoundTrip(client: pg.Client, o: Opts, file: MigrationFile, result: MigrateResult) {
  const entry = result.files.find((f) => f.version === file.version)!;
  const down = await loadDownScript(o, file);
  if (!down) {
    const irreversible = parseIrreversible(file.sql);
    if (irreversible !== null) {
      entry.note = `irreversible: ${irreversible}`;
      await applyFile(client, o, file, result, true);
      return;
    }
    entry.status = 'failed';
    throw new MigrationsError(
      `${file.file} has no down script ${relative('.', downPath(o, file))}: write one that reverses it, or start the migration with '-- irreversible: <reason>'`,
      { file: file.file, line: 1 },
    );
  }
  const before = await takeSnapshot(client);
  await applyFile(client, o, file, result, true);
  await revert(client, o, {
    version: file.version,
    name: file.name,
    file: down.file,
    sql: down.sql,
    statements: down.statements,
  });
  const after = await takeSnapshot(client);
  const differences = diffSnapshots(before, after);
  if (differences.length) {
    entry.status = 'failed';
    throw new MigrationsError(
      `${down.file} does not undo ${file.file}: after up and down the schema differs from before in ${differences.length} place(s): ` +
        `${differences.slice(0, 5).map(describeDifference).join('; ')}${differences.length > 5 ? '; …' : ''}; make the down script reverse every change`,
      { file: down.file, line: 1 },
    );
  }
  // Up again, so the database ends migrated, and proving the migration re-applies after its down script.
  result.applied.pop();
  await applyFile(client, o, file, result, true);
  entry.note = 'rollback verified';
}

const downPath = (o: Opts, f: { version: string; name: string }) => `${o.rollbacksDir}/${f.version}_${f.name}.sql`;

async function revert(
  client: pg.Client,
  o: Opts,
  down: { version: string; name: string; file: string; sql: string; statements: Statement[] },
) {
  const source: SqlSource = down;
  await o.log.group(`Reverting ${down.version}_${down.name} with ${down.file}`, () =>
    withLockRetries(o, down.file, async () => {
      if (down.statements.some(needsNoTransaction)) {
        await client.query(`set lock_timeout = ${o.lockTimeoutMs}; set statement_timeout = ${o.statementTimeoutMs}`);
        for (const s of down.statements) await runStatement(client, source, s);
        await deleteHistory(client, down.version);
        await client.query('reset lock_timeout; reset statement_timeout');
        return;
      }
      await inTransaction(client, o, source, down.statements, true, {
        sql: deleteHistorySql(client, down.version),
        purpose: `remove ${down.version} from supabase_migrations.schema_migrations`,
      });
    }),
  );
}

// ---------------------------------------------------------------- down

async function down(client: pg.Client, o: Opts, files: MigrationFile[], history: HistoryRow[], result: MigrateResult) {
  const byVersion = new Map(files.map((f) => [f.version, f]));
  const applied = [...history].reverse();
  const toRevert =
    o.targetVersion === undefined ? applied.slice(0, 1) : applied.filter((h) => h.version > o.targetVersion!);
  result.currentVersion = history.at(-1)?.version ?? null;
  const plans = [];
  const missing: string[] = [];
  for (const h of toRevert) {
    const name = h.name || byVersion.get(h.version)?.name || '';
    const down = await loadDownScript(o, { version: h.version, name });
    if (!down) missing.push(downPath(o, { version: h.version, name }));
    else plans.push({ version: h.version, name, file: down.file, sql: down.sql, statements: down.statements });
  }
  if (missing.length)
    throw new MigrationsError(
      `no down script for ${missing.length} of the ${toRevert.length} migration(s) to revert: ${missing.join(', ')}; nothing was reverted — add them to '${o.rollbacksDir}'`,
    );
  result.files = plans.map((p) => ({
    version: p.version,
    name: p.name,
    file: p.file,
    statements: p.statements.length,
    status: o.dryRun ? 'to revert' : 'not run',
  }));
  if (o.dryRun) return;
  for (const plan of plans) {
    const entry = result.files.find((f) => f.version === plan.version)!;
    const t0 = Date.now();
    try {
      await revert(client, o, plan);
    } catch (err) {
      entry.status = 'failed';
      throw err;
    }
    entry.status = 'reverted';
    entry.durationMs = Date.now() - t0;
    result.reverted.push(plan.version);
  }
  const rest = await readHistory(client);
  result.currentVersion = rest.at(-1)?.version ?? null;
}

// ---------------------------------------------------------------- seed

async function seed(client: pg.Client, o: Opts, result: MigrateResult) {
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
  if (o.dryRun) {
    result.seed = { file, status: 'would apply' };
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
