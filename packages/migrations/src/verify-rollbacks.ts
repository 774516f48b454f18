// verify-rollbacks: prove each migration's down script undoes it before leaving it applied.
import { relative } from 'node:path';
import type pg from 'pg';
import { applyFile } from './apply-file';
import { downPath, loadDownScript, revert } from './down';
import { MigrationsError } from './errors';
import { type MigrationFile, parseIrreversible } from './files';
import type { RunOptions } from './options';
import type { MigrateResult } from './report';
import { describeDifference, diffSnapshots, takeSnapshot } from './snapshot';

/** Snapshot, up, down, snapshot equal to before, up again. */
export async function verifyRoundTrip(client: pg.Client, o: RunOptions, file: MigrationFile, result: MigrateResult) {
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
