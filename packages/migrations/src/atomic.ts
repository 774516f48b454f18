// atomic: every pending file in one transaction, so a failure anywhere leaves the database as it was.
import type pg from 'pg';
import { recordApplied } from './apply-file';
import { isTransactionControl } from './cli-compat';
import { MigrationsError } from './errors';
import { codeOf, needsNoTransaction, runScript } from './execute';
import type { MigrationFile } from './files';
import type { RunOptions } from './options';
import { type MigrateResult, short } from './report';
import { beginTransaction, LOCK_NOT_AVAILABLE, withLockRetries } from './transaction';

export async function applyAtomically(client: pg.Client, o: RunOptions, todo: MigrationFile[], result: MigrateResult) {
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
