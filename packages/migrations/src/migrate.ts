// run-migrations: bring a database to the commit's migrations (or back down), never half-way.
// One connection and the migration lock around one verb: up (with atomic or verify-rollbacks)
// then seed, or down.

import { baseline } from './baseline';
import { bootstrap } from './bootstrap';
import { connect } from './connection';
import { down } from './down';
import { MigrationsError } from './errors';
import { listMigrations } from './files';
import { readHistory } from './history';
import { acquireMigrationLock, releaseMigrationLock } from './lock';
import { type MigrateOptions, type RunOptions, withDefaults } from './options';
import { repair } from './repair';
import { type MigrateResult, MigrationRunError, warn } from './report';
import { seed } from './seed';
import { up } from './up';

/** config.toml's reader (smol-toml, zod) loads only for a run that seeds. */
async function planSeedsFor(o: RunOptions) {
  const root = o.projectRoot ?? '.';
  const [{ readProjectConfig }, { planSeeds }] = await Promise.all([
    import('./project-config'),
    import('./seed-files'),
  ]);
  return planSeeds({
    root,
    explicit: o.seedFiles,
    config: o.seedFiles?.length ? undefined : await readProjectConfig(root),
  });
}

export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const o = withDefaults(options);
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
  // Read and split the files while the connection is being set up (the socket opens first, the files
  // are read synchronously meanwhile); a problem in the files wins over one with the connection.
  const connecting = connect(o.databaseUrl, o.applicationName ?? 'wingman-deploy run-migrations', o.databaseInput);
  connecting.catch(() => {});
  const listing = listMigrations(o.migrationsDir);
  listing.catch(() => {});
  const client = await connecting.catch(async (err) => {
    await listing;
    throw err;
  });
  let locked = false;
  try {
    const { migrations, skipped } = await listing;
    for (const s of skipped) warn(o.log, result, `skipped ${s.file}: ${s.reason}`);
    // Seeds are planned before anything changes: a bad config.toml or a missing seed fails first.
    const seeding =
      o.direction === 'up' && (o.mode ?? 'migrate') === 'migrate' && (o.includeSeed || !!o.seedFiles?.length);
    const seedPlan = seeding ? await planSeedsFor(o) : undefined;
    if (seeding && !seedPlan) {
      result.seedSource = 'disabled in supabase/config.toml ([db.seed] enabled = false)';
      o.log.info('Skipping seed because it is disabled in supabase/config.toml.');
    }
    if (!o.dryRun) {
      await o.log.group('Taking the migration lock', () =>
        acquireMigrationLock(client, { waitMs: o.waitForLockMs, label: o.applicationName ?? 'run-migrations' }),
      );
      locked = true;
    }
    if (o.bootstrap === 'supabase') {
      // Baseline adopts a real database: the bootstrap belongs to the shadow, never to it.
      if (o.mode === 'baseline')
        throw new MigrationsError(
          `input 'bootstrap' is supabase with mode baseline, which would change the database being adopted: remove it (the shadow database is given the Supabase shape by itself)`,
        );
      await bootstrap(client, o, result);
    }
    const history = await readHistory(client);
    if (o.mode === 'repair') await repair(client, o, migrations, history, result);
    else if (o.mode === 'baseline') await baseline(client, o, migrations, history, result, migrate);
    else if (o.direction === 'up') await up(client, o, migrations, history, result);
    else await down(client, o, migrations, history, result);
    if (seedPlan) await seed(client, o, seedPlan, result);
  } catch (err) {
    result.durationMs = Date.now() - started;
    throw new MigrationRunError(err as Error, result);
  } finally {
    // up() counted everything pending before it applied anything.
    if (o.direction === 'up' && (o.mode ?? 'migrate') === 'migrate') result.pending -= result.applied.length;
    if (locked) await releaseMigrationLock(client).catch(() => {});
    await client.end().catch(() => {});
  }
  result.durationMs = Date.now() - started;
  return result;
}
