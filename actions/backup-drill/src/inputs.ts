import { defineInputs, input } from '@wingman/action-kit/inputs';

export const backupDrillInputs = defineInputs({
  'database-url': input.url({
    description:
      'postgres:// URL of the database whose recovery is rehearsed (production). A read-only role is enough, with BYPASSRLS so no row is hidden from the dump.',
    required: true,
    secret: true,
    protocols: ['postgres:', 'postgresql:'],
  }),
  'scratch-database-url': input.url({
    description:
      'postgres:// URL of an empty throwaway database to restore into, as a superuser (a services: postgres container). Refused when it is the source.',
    required: true,
    secret: true,
    protocols: ['postgres:', 'postgresql:'],
  }),
  'supabase-access-token': input.string({
    description:
      "Supabase access token that may read the project's backups; with project-ref the platform's backups are checked. Default: the SUPABASE_ACCESS_TOKEN environment variable.",
    secret: true,
    env: 'SUPABASE_ACCESS_TOKEN',
  }),
  'project-ref': input.string({
    description: 'The Supabase project whose backups are checked (its 20-letter reference).',
    pattern: /^[a-z0-9]{20}$/,
    expected: 'a Supabase project ref: 20 lowercase letters and digits',
  }),
  'max-backup-age': input.duration({
    description: 'The newest completed backup (with PITR: the latest recovery point) must be younger than this.',
    default: '26h',
  }),
  'require-pitr': input.boolean({
    description: 'Fail when point-in-time recovery is off for the project.',
    default: 'false',
  }),
  'rto-budget': input.duration({
    description: 'The recovery (dump, restore, verify) must finish within this.',
    default: '5m',
  }),
  schemas: input.list({
    description:
      'Schemas to copy whole. Default: every user schema (Supabase-managed and extension schemas left out, as the Supabase CLI leaves them out of its dump); the migration history and the rows of auth and storage are always copied.',
  }),
  'exposed-schemas': input.list({
    description: "Schemas the Data API exposes, for verify-schema's lints on the copy.",
    default: 'public',
  }),
  'pg-dump': input.string({
    description:
      "A pg_dump to use (its psql beside it restores). Default: the newest on PATH or under /usr/lib/postgresql; it must be at least the server's major version.",
  }),
  timeout: input.duration({
    description:
      'The whole drill must end within this: pg_dump and psql are stopped when it runs out (set it above rto-budget, which only judges the time taken).',
    default: '20m',
  }),
  'management-api-url': input.url({
    description: 'Supabase Management API base URL.',
    default: 'https://api.supabase.com',
    protocols: ['https:', 'http:'],
  }),
});
