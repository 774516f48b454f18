import { defineInputs, input } from '@wingman/action-kit/inputs';

export const runMigrationsInputs = defineInputs({
  'database-url': input.url({
    description:
      "postgres:// URL of the database to migrate. Supabase's transaction pooler (port 6543) is refused: use the session pooler (5432) or a direct connection.",
    required: true,
    secret: true,
    protocols: ['postgres:', 'postgresql:'],
  }),
  'migrations-dir': input.string({
    description: 'Folder of <version>_<name>.sql migrations.',
    default: 'supabase/migrations',
  }),
  'rollbacks-dir': input.string({
    description: 'Folder of down scripts, one per migration with the same file name.',
    default: 'supabase/rollbacks',
  }),
  mode: input.choice(['migrate', 'repair', 'baseline'], {
    description:
      "'migrate' runs migrations (see direction); 'repair' only marks versions applied or reverted in supabase_migrations.schema_migrations, as `supabase migration repair` does; 'baseline' adopts a database that predates the history by recording every migration up to target-version as applied, refused unless its schema is what they build (see shadow-database-url). Repair and baseline run no migration.",
    default: 'migrate',
  }),
  status: input.choice(['applied', 'reverted'], {
    description:
      "mode repair: 'applied' records each version with its file's name and statements (the file must exist); 'reverted' deletes each version's row (it must be in the history).",
  }),
  versions: input.list({
    description:
      'mode repair: the versions to mark, separated by commas, spaces or newlines (the digits before the first _ of a file name).',
  }),
  'shadow-database-url': input.url({
    description:
      'mode baseline: a fresh throwaway database (a services: postgres container) where the migrations up to target-version are built to compare with database-url’s schema.',
    secret: true,
    protocols: ['postgres:', 'postgresql:'],
  }),
  direction: input.choice(['up', 'down'], {
    description: "'up' applies pending migrations; 'down' reverts applied ones with their down scripts.",
    default: 'up',
  }),
  'target-version': input.string({
    description:
      'up: apply up to and including this version. down: revert every applied version above it (empty: only the newest). baseline: the version the database already has.',
    pattern: /^\d+$/,
    expected: 'a migration version (the digits before the first _ of its file name)',
  }),
  'dry-run': input.boolean({
    description: 'Print the plan; change nothing, not even the history table.',
    default: 'false',
  }),
  atomic: input.boolean({
    description: 'Apply all pending files in one transaction instead of one per file.',
    default: 'false',
  }),
  'allow-out-of-order': input.boolean({
    description: 'Apply a pending file older than the newest applied one (the Supabase CLI’s --include-all).',
    default: 'false',
  }),
  'lock-timeout': input.duration({
    description: 'lock_timeout for each migration, so DDL that cannot get its lock quickly does not stall production.',
    default: '5s',
  }),
  'lock-retries': input.integer({
    description: 'Retries, with backoff, of a migration that failed on lock timeout.',
    default: '3',
    min: 0,
    max: 20,
  }),
  'statement-timeout': input.duration({
    description: 'statement_timeout for each statement; 0 for none.',
    default: '0',
  }),
  'wait-for-lock': input.duration({
    description: 'How long to wait for another run that holds the migration lock.',
    default: '5m',
  }),
  lint: input.choice(['error', 'warn', 'off'], {
    description:
      "The migration safety lint over the pending files, on Postgres's own parser and against this database (a table created earlier in the run is new; small tables get notices): 'error' stops before anything is applied on a hazard, 'warn' annotates and goes on, 'off' skips it. Allow one statement with -- wingman:allow <rule> because <reason> on the line before it.",
    default: 'warn',
  }),
  'lint-small-table-rows': input.integer({
    description:
      'Locking findings on existing tables with fewer estimated rows than this become notices (the lock is brief).',
    default: '10000',
    min: 0,
    max: 1_000_000_000,
  }),
  'lint-sarif-file': input.string({
    description:
      'Write the migration lint’s findings as SARIF 2.1.0 to this path, for github/codeql-action/upload-sarif. A path that cannot be written is a warning: the migrations are in by then.',
  }),
  'github-token': input.string({
    description:
      'On pull_request events: post the migration lint’s findings as a PR comment, edited in place on every push. Needs pull-requests: write.',
    secret: true,
  }),
  'include-seed': input.boolean({
    description:
      "Seed after migrating, as supabase db push --include-seed: the files of supabase/config.toml's [db.seed] sql_paths (globs, in order; none when enabled = false), else supabase/seed.sql. Each file runs once; a changed seed only gets its recorded hash updated.",
    default: 'false',
  }),
  'seed-file': input.list({
    description:
      'Seed files instead of config.toml’s, separated by commas, spaces or newlines (relative to the repository root; * ? [..] patterns); implies include-seed.',
  }),
  bootstrap: input.choice(['none', 'supabase'], {
    description:
      "For fresh throwaway databases in PR checks (a plain postgres or supabase/postgres service container): 'supabase' first gives the database what a Supabase project has before its first migration (roles, auth, storage, vault, realtime publication, search_path). Refused on a database with migration history.",
    default: 'none',
  }),
  'verify-rollbacks': input.boolean({
    description:
      'For throwaway databases in PR checks: prove each pending migration’s down script restores the schema (up, down, compare, up).',
    default: 'false',
  }),
});
