// The rules: each a name, a level, what happens in production, and the safe alternative.

export type LintLevel = 'error' | 'warning' | 'notice';
export type LintCategory = 'locking' | 'destructive' | 'backward-incompatible' | 'transaction' | 'override';

export interface LintRule {
  name: string;
  level: Exclude<LintLevel, 'notice'>;
  category: LintCategory;
  /** One line: what happens in production. */
  effect: string;
  /** The safe alternative. */
  safe: string;
}

const rule = (name: string, level: LintRule['level'], category: LintCategory, effect: string, safe: string) => ({
  name,
  level,
  category,
  effect,
  safe,
});

export const RULES = {
  createIndex: rule(
    'create_index_not_concurrently',
    'warning',
    'locking',
    'CREATE INDEX holds a SHARE lock for the whole build: every write to the table waits until the index is built.',
    'CREATE INDEX CONCURRENTLY, in a migration file of its own (it cannot run in a transaction).',
  ),
  dropIndex: rule(
    'drop_index_not_concurrently',
    'warning',
    'locking',
    'DROP INDEX takes an ACCESS EXCLUSIVE lock on the table: reads and writes wait, and queue behind any long query.',
    'DROP INDEX CONCURRENTLY, in a migration file of its own.',
  ),
  constraintNotValid: rule(
    'constraint_without_not_valid',
    'warning',
    'locking',
    'Adding a FOREIGN KEY or CHECK scans the whole table while holding a lock that blocks writes (both tables, for a foreign key).',
    'ADD CONSTRAINT … NOT VALID (instant), then VALIDATE CONSTRAINT in a later migration (takes only a SHARE UPDATE EXCLUSIVE lock).',
  ),
  validateSameTransaction: rule(
    'validate_in_same_transaction',
    'warning',
    'locking',
    'VALIDATE in the transaction that added the constraint keeps the ADD’s lock for the whole scan: NOT VALID gains nothing.',
    'VALIDATE CONSTRAINT in a separate, later migration.',
  ),
  setNotNull: rule(
    'set_not_null_without_check',
    'warning',
    'locking',
    'SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock: reads and writes wait.',
    'ADD CONSTRAINT … CHECK (col IS NOT NULL) NOT VALID, VALIDATE it in a later migration, then SET NOT NULL (which then skips the scan) and drop the check.',
  ),
  typeRewrite: rule(
    'column_type_rewrite',
    'warning',
    'locking',
    'This type change rewrites the table and its indexes under an ACCESS EXCLUSIVE lock: reads and writes wait for the whole rewrite.',
    'Add a new column, backfill it in batches, switch the app, then drop the old column (only widening varchar/numeric or varchar → text is free).',
  ),
  volatileDefault: rule(
    'add_column_volatile_default',
    'warning',
    'locking',
    'A column with a volatile default (or an identity or stored generated column) rewrites the whole table under an ACCESS EXCLUSIVE lock.',
    'Add the column without the default (or with a constant one), backfill in batches, then set the default.',
  ),
  rewriteCommand: rule(
    'table_rewrite_command',
    'warning',
    'locking',
    'CLUSTER, VACUUM FULL and REINDEX without CONCURRENTLY rewrite under an ACCESS EXCLUSIVE (REINDEX: SHARE) lock for their whole run.',
    'REINDEX … CONCURRENTLY; pg_repack instead of CLUSTER or VACUUM FULL; or run it in a maintenance window, not a migration.',
  ),
  lockTable: rule(
    'lock_table',
    'warning',
    'locking',
    'LOCK TABLE holds its lock until the migration commits: everything that conflicts with it waits.',
    'Let each statement take the lock it needs; keep the migration short.',
  ),
  dropTable: rule(
    'drop_table',
    'error',
    'destructive',
    'DROP TABLE deletes the table and its data; the running release still reads it until the deploy finishes.',
    'Expand/contract: stop using the table in one release, drop it in a later migration.',
  ),
  dropColumn: rule(
    'drop_column',
    'error',
    'destructive',
    'DROP COLUMN deletes its data; the running release still reads it between the migration and the deploy, and its queries fail.',
    'Expand/contract: ship a release that no longer reads the column, then drop it in a later migration.',
  ),
  dropSchema: rule(
    'drop_schema',
    'error',
    'destructive',
    'DROP SCHEMA deletes everything in it (with CASCADE, silently).',
    'Drop the objects one by one, after no release uses them.',
  ),
  truncate: rule(
    'truncate',
    'error',
    'destructive',
    'TRUNCATE deletes every row (and with CASCADE, those of the referencing tables) under an ACCESS EXCLUSIVE lock.',
    'Delete the rows you mean with a WHERE, in batches; keep TRUNCATE for data you can lose.',
  ),
  deleteWithoutWhere: rule(
    'delete_without_where',
    'error',
    'destructive',
    'DELETE without WHERE deletes every row of the table.',
    'Add the WHERE that names the rows to delete.',
  ),
  updateWithoutWhere: rule(
    'update_without_where',
    'error',
    'destructive',
    'UPDATE without WHERE rewrites every row, holding row locks on all of them until the migration commits.',
    'Add a WHERE, and backfill large tables in batches.',
  ),
  dropType: rule(
    'drop_type',
    'error',
    'destructive',
    'DROP TYPE fails while a column uses it, and with CASCADE drops those columns and their data.',
    'Move the columns off the type in earlier migrations, then drop it.',
  ),
  narrowing: rule(
    'narrowing_type_change',
    'error',
    'destructive',
    'A narrowing type change fails on (or truncates) values that no longer fit, and the running release may still write them.',
    'Check the data fits, constrain writes first (a CHECK … NOT VALID), then change the type in a later migration.',
  ),
  renameTable: rule(
    'rename_table',
    'error',
    'backward-incompatible',
    'The running release queries the old name until the deploy finishes: its queries fail in between.',
    'Expand/contract: create the new table (or a view under the new name), move the app, drop the old name later.',
  ),
  renameColumn: rule(
    'rename_column',
    'error',
    'backward-incompatible',
    'The running release queries the old column name until the deploy finishes: its queries fail in between.',
    'Expand/contract: add the new column, write both, backfill, move the app, drop the old column later.',
  ),
  concurrentlyInTransaction: rule(
    'concurrently_in_transaction',
    'error',
    'transaction',
    'CREATE INDEX CONCURRENTLY cannot run in a transaction block; mixed with other statements it runs outside the file’s transaction, so a failure leaves the file half applied (and an INVALID index).',
    'Put the CONCURRENTLY statement alone in a migration file of its own, with no BEGIN/COMMIT.',
  ),
  overrideWithoutReason: rule(
    'override_without_reason',
    'error',
    'override',
    'An override without a reason hides a hazard with nothing to say why it is safe.',
    'Write it as -- wingman:allow <rule> because <reason>.',
  ),
} satisfies Record<string, LintRule>;

export const ALL_RULES: LintRule[] = Object.values(RULES);
