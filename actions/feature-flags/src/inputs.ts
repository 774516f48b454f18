import { defineInputs, input } from '@wingman/action-kit/inputs';

export const featureFlagsInputs = defineInputs({
  'supabase-url': input.url({
    description:
      'The Supabase project URL (https://<ref>.supabase.co): the flags are read and written through its Data API.',
    required: true,
    protocols: ['https:', 'http:'],
  }),
  'service-role-key': input.string({
    description:
      "The project's service_role key (only it may write the flags and their audit). Masked. Default: the SUPABASE_SERVICE_ROLE_KEY environment variable.",
    required: true,
    secret: true,
    env: 'SUPABASE_SERVICE_ROLE_KEY',
  }),
  mode: input.choice(['sync', 'set'], {
    description:
      "'sync' brings feature_flags to the file (a deploy); 'set' changes one flag (a person, with a reason).",
    default: 'sync',
  }),
  file: input.string({
    description:
      'sync: the flags file: {"<flag>": {enabled, rollout-percent, description, environments: {<env>: {enabled, rollout-percent}}}}.',
    default: 'feature-flags.json',
  }),
  environment: input.string({
    description: 'sync: whose per-environment overrides apply (e.g. staging).',
    pattern: /^[a-z][a-z0-9-]*$/,
    expected: 'an environment name like staging',
  }),
  prune: input.boolean({
    description: 'sync: delete flags that are in the database but not in the file (otherwise they are only reported).',
    default: 'false',
  }),
  flag: input.string({
    description: 'set: the flag to change.',
  }),
  enabled: input.boolean({
    description: 'set: turn the flag on or off.',
  }),
  'rollout-percent': input.integer({
    description: 'set: the share of subjects (0-100) the flag is on for.',
    min: 0,
    max: 100,
  }),
  reason: input.string({
    description: 'Why: written to the audit with the actor and the run (required for set).',
  }),
  'dry-run': input.boolean({
    description: 'Show the changes without making them.',
    default: 'false',
  }),
});
