// bootstrap: supabase — a fresh CI database (plain PostgreSQL or Supabase's image) gets what a
// Supabase project has before its first migration, so the project's migrations apply as they would there.
import { BootstrapRefused, bootstrapSupabase } from '@wingman/supabase-platform';
import type pg from 'pg';
import { MigrationsError } from './errors';
import type { RunOptions } from './options';
import type { MigrateResult } from './report';

export async function bootstrap(client: pg.Client, o: RunOptions, result: MigrateResult) {
  if (o.dryRun) {
    result.bootstrap = 'would apply';
    o.log.info('dry run: would give the database the Supabase shape (bootstrap: supabase)');
    return;
  }
  await o.log.group('Giving the database the Supabase shape (roles, auth, storage, vault, realtime)', async () => {
    try {
      await bootstrapSupabase(client, `input '${o.databaseInput ?? 'database-url'}'`);
    } catch (err) {
      if (err instanceof BootstrapRefused)
        throw new MigrationsError(`input 'bootstrap' is supabase, but ${err.message}`);
      throw err;
    }
  });
  result.bootstrap = 'applied';
}
