// mode: baseline — adopt a database that predates this suite: record every local migration up to
// target-version as applied without running it, but only when the schema is what those migrations
// build. They are built in a throwaway shadow database (given the Supabase shape first) and both
// catalogs are compared, platform schemas aside, as verify-schema's drift check compares them.
import { PLATFORM_EXTENSIONS, SYSTEM_SCHEMAS } from '@wingman/supabase-platform';
import type pg from 'pg';
import { INSERT_MIGRATION_VERSION } from './cli-compat';
import { connect } from './connection';
import { MigrationsError } from './errors';
import { inlineParams } from './execute';
import type { MigrationFile } from './files';
import { ensureHistoryTable, type HistoryRow } from './history';
import type { MigrateOptions, RunOptions } from './options';
import type { MigrateResult } from './report';
import { describeDifference, diffSnapshots, takeSnapshot } from './snapshot';

/** How many differences a refusal names; the rest are counted. */
const SHOWN = 5;

export async function baseline(
  client: pg.Client,
  o: RunOptions,
  files: MigrationFile[],
  history: HistoryRow[],
  result: MigrateResult,
  buildShadow: (options: MigrateOptions) => Promise<unknown>,
) {
  if (history.length)
    throw new MigrationsError(
      `mode baseline adopts a database with no migration history, but supabase_migrations.schema_migrations has ${history.length} row(s): use mode repair to mark single versions`,
    );
  if (o.targetVersion === undefined)
    throw new MigrationsError(
      `input 'target-version' is empty: mode baseline records every migration up to it as applied; give the version the database already has`,
    );
  if (!files.some((f) => f.version === o.targetVersion))
    throw new MigrationsError(
      `input 'target-version' is ${o.targetVersion}, which is not a migration in ${o.migrationsDir}: give the version of one of its files`,
    );
  if (!o.shadowDatabaseUrl)
    throw new MigrationsError(
      `input 'shadow-database-url' is empty: mode baseline builds the migrations in a throwaway database (a services: postgres container) to prove the schema matches`,
    );
  if (sameDatabase(o.shadowDatabaseUrl, o.databaseUrl))
    throw new MigrationsError(
      `input 'shadow-database-url' names the same database as 'database-url': the shadow must be a throwaway database of its own`,
    );
  const adopted = files.filter((f) => f.version <= o.targetVersion!);

  await o.log.group(`Building ${adopted.length} migration(s) in the shadow database`, () =>
    buildShadow({
      databaseUrl: o.shadowDatabaseUrl!,
      migrationsDir: o.migrationsDir,
      rollbacksDir: o.rollbacksDir,
      direction: 'up',
      targetVersion: o.targetVersion,
      bootstrap: 'supabase',
      log: o.log,
      applicationName: 'wingman-deploy run-migrations shadow',
      databaseInput: 'shadow-database-url',
      lint: 'off', // the shadow only builds; the lint judges what is applied to the real database
    }),
  );
  const shadow = await connect(o.shadowDatabaseUrl, 'wingman-deploy run-migrations shadow', 'shadow-database-url');
  let differences: ReturnType<typeof diffSnapshots>;
  try {
    const [expected, actual] = await Promise.all([
      takeSnapshot(shadow, { excludeSchemas: SYSTEM_SCHEMAS }),
      takeSnapshot(client, { excludeSchemas: SYSTEM_SCHEMAS }),
    ]);
    differences = diffSnapshots(expected, actual).filter(
      (d) => !(d.kind === 'extensions' && PLATFORM_EXTENSIONS.includes(d.key)),
    );
  } finally {
    await shadow.end().catch(() => {});
  }
  if (differences.length)
    throw new MigrationsError(
      `mode baseline refused: the database's schema is not what the migrations up to ${o.targetVersion} build ` +
        `(${differences.length} difference(s); "added" = only in the database): ` +
        differences.slice(0, SHOWN).map(describeDifference).join('; ') +
        (differences.length > SHOWN ? `; and ${differences.length - SHOWN} more` : '') +
        '; reconcile the schema, or baseline at the version it does match',
    );

  result.baselined = adopted.map((f) => f.version);
  result.currentVersion = o.targetVersion;
  result.pending = files.length - adopted.length;
  if (o.dryRun) {
    o.log.info(
      `dry run: the schema matches; would record ${adopted.length} migration(s) up to ${o.targetVersion} as applied`,
    );
    return;
  }
  await ensureHistoryTable(client);
  const inserts = adopted.map((f) =>
    inlineParams(client, INSERT_MIGRATION_VERSION, [f.version, f.name, f.statements.map((s) => s.text)]),
  );
  await client.query(`begin; ${inserts.join('; ')}; commit`).catch(async (err) => {
    await client.query('rollback').catch(() => {});
    throw err;
  });
  o.log.info(`Recorded ${adopted.length} migration(s) up to ${o.targetVersion} as applied; none of them ran.`);
}

function sameDatabase(a: string, b: string): boolean {
  const key = (u: string) => {
    const p = new URL(u);
    return `${p.hostname.toLowerCase()}:${p.port || '5432'}${p.pathname || '/postgres'}`;
  };
  try {
    return key(a) === key(b);
  } catch {
    return false;
  }
}
