import { defineInputs, input } from '@wingman/action-kit/inputs';

export const verifySchemaInputs = defineInputs({
  'database-url': input.url({
    description: 'postgres:// URL of the database to verify (the session pooler or a direct connection).',
    required: true,
    secret: true,
    protocols: ['postgres:', 'postgresql:'],
  }),
  'exposed-schemas': input.list({
    description:
      "Schemas the Data API exposes (Supabase's db_schemas), separated by commas, spaces or newlines. Default: supabase/config.toml's [api] schemas (Supabase's own schemas such as graphql_public left out), else public.",
  }),
  'fail-on': input.choice(['error', 'warn', 'warning', 'info', 'none'], {
    description:
      "Fail the step on findings at this level or above: 'error', 'warn' (or 'warning', as the Supabase CLI spells it), 'info', or 'none' to only report.",
    default: 'error',
  }),
  'config-file': input.string({
    description:
      'Rules to ignore per object (each with a required reason) and rule level overrides. Default: .github/verify-schema.yml when it exists.',
  }),
  'migrations-dir': input.string({
    description: 'Migrations folder: findings point at the statement that created the object; the drift baseline.',
    default: 'supabase/migrations',
  }),
  'shadow-database-url': input.url({
    description:
      'A throwaway database: the migrations are applied to it and its schema compared with database-url’s; every difference is drift.',
    secret: true,
    protocols: ['postgres:', 'postgresql:'],
  }),
  'supabase-url': input.url({
    description:
      'The project URL (https://<ref>.supabase.co): with anon-key, every exposed table is read through the Data API as anon.',
    protocols: ['https:', 'http:'],
  }),
  'anon-key': input.string({ description: 'The anon key, for the live Data API probe.', secret: true }),
  'sarif-file': input.string({ description: 'Write the findings as SARIF 2.1.0 here, for GitHub code scanning.' }),
  'workload-lints': input.boolean({
    description: 'Also run the lints that need real traffic statistics (unused_index, table_bloat).',
    default: 'false',
  }),
});
