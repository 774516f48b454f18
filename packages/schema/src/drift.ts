// Drift: production against what its migrations build. The migrations are applied to a throwaway
// database, both catalogs are snapshotted, and every difference is an error (the dashboard hot-fix case).
import type { Log } from '@wingman/log';
import {
  connect,
  diffSnapshots,
  KIND_NAMES,
  migrate,
  type SnapshotDifference,
  takeSnapshot,
} from '@wingman/migrations';
import { PLATFORM_EXTENSIONS, SYSTEM_SCHEMAS } from '@wingman/supabase-platform';
import type { DbObject, Finding, ObjectType } from './findings';

export interface DriftOptions {
  databaseUrl: string;
  shadowDatabaseUrl: string;
  migrationsDir: string;
  log: Log;
}

const KIND_TYPE: Record<string, ObjectType> = {
  schemas: 'schema',
  relations: 'table',
  columns: 'column',
  constraints: 'constraint',
  indexes: 'index',
  policies: 'policy',
  functions: 'function',
  triggers: 'trigger',
  types: 'type',
  views: 'view',
  extensions: 'extension',
};

function objectOf(d: SnapshotDifference): DbObject {
  const { schema, table, name } = d.object;
  return { type: KIND_TYPE[d.kind] ?? 'table', ...(schema ? { schema } : {}), ...(table ? { table } : {}), name };
}

const WHERE = {
  added: 'is in production but no migration creates it',
  removed: 'is created by the migrations but missing in production',
};

export function driftFindings(differences: SnapshotDifference[]): Finding[] {
  return differences
    .filter((d) => !(d.kind === 'extensions' && PLATFORM_EXTENSIONS.includes(d.key)))
    .map((d) => ({
      rule: 'schema_drift',
      level: 'error' as const,
      object: objectOf(d),
      message:
        d.change === 'changed'
          ? `${KIND_NAMES[d.kind]} ${d.key} differs from what the migrations build: migrations ${d.before}, production ${d.after}`
          : `${KIND_NAMES[d.kind]} ${d.key} ${WHERE[d.change]}`,
      why: 'Production must be what its migrations build: a change made outside them (a dashboard hot-fix) is lost or conflicts at the next migration, and rollbacks no longer match.',
      fix:
        d.change === 'added'
          ? 'capture it in a migration (supabase db diff) or drop it in production'
          : 'apply the missing migration, or write a migration that reconciles production',
    }));
}

/** Builds the migrations into the shadow database and compares its catalog with production's. */
export async function detectDrift(
  o: DriftOptions,
): Promise<{ findings: Finding[]; differences: SnapshotDifference[] }> {
  await o.log.group('Building the migrations in the shadow database', async () => {
    await migrate({
      databaseUrl: o.shadowDatabaseUrl,
      migrationsDir: o.migrationsDir,
      rollbacksDir: o.migrationsDir,
      direction: 'up',
      log: o.log,
      applicationName: 'wingman-deploy verify-schema shadow',
      databaseInput: 'shadow-database-url',
      lint: 'off', // the shadow only builds; the lint judges what is applied to the real database
    });
  });
  const [shadow, production] = await Promise.all([
    connect(o.shadowDatabaseUrl, 'wingman-deploy verify-schema shadow', 'shadow-database-url'),
    connect(o.databaseUrl, 'wingman-deploy verify-schema'),
  ]);
  try {
    const [expected, actual] = await Promise.all([
      takeSnapshot(shadow, { excludeSchemas: SYSTEM_SCHEMAS }),
      takeSnapshot(production, { excludeSchemas: SYSTEM_SCHEMAS }),
    ]);
    // before = what the migrations build, after = production: "added" means only production has it.
    const differences = diffSnapshots(expected, actual);
    return { findings: driftFindings(differences), differences };
  } finally {
    await Promise.all([shadow.end(), production.end()]);
  }
}
