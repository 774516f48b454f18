import { defineInputs, type Inputs, input } from '@wingman/action-kit/inputs';

export const previewDatabaseInputs = defineInputs({
  mode: input.choice(['ensure', 'delete', 'sweep'], {
    description:
      "'ensure' creates the pull request's database, or finds the one an earlier push made, and waits until it is up; 'delete' removes it (when the PR closes; nothing there is fine); 'sweep' removes the previews of every closed pull request (a daily schedule).",
    default: 'ensure',
  }),
  'supabase-access-token': input.string({
    description:
      'Supabase branching: a personal access token of the staging project’s organisation (a preview-only credential, not production’s). With project-ref, each PR gets a Supabase preview branch wingman-pr-<n>. Default: the SUPABASE_ACCESS_TOKEN environment variable.',
    secret: true,
    env: 'SUPABASE_ACCESS_TOKEN',
  }),
  'project-ref': input.string({
    description: 'Supabase branching: the staging project whose preview branches these are (its 20-letter ref).',
    pattern: /^[a-z]{20}$/,
    expected: 'a Supabase project ref (20 lowercase letters)',
  }),
  'staging-database-url': input.url({
    description:
      'Without Supabase branching: a postgres:// URL of a staging server, as a role that may create databases. Each PR gets wingman_pr_<n> there, made from template and shaped like a Supabase project.',
    secret: true,
    protocols: ['postgres:', 'postgresql:'],
  }),
  template: input.string({
    description: 'staging-database-url: the template database the PR databases are created from.',
    default: 'template1',
  }),
  'pull-request': input.integer({
    description: 'The pull request number. Default: the pull request of the triggering event.',
    min: 1,
  }),
  'max-previews': input.integer({
    description:
      'ensure: how many other pull requests may hold a preview database at once before a new one is refused (each costs money).',
    default: '10',
    min: 1,
  }),
  'github-token': input.string({
    description: "sweep: a token that may read the repository's pull requests (github.token).",
    secret: true,
  }),
  timeout: input.duration({
    description: 'ensure: how long the database may take to come up.',
    default: '10m',
  }),
  'management-api-url': input.url({
    description: 'Supabase Management API base URL.',
    default: 'https://api.supabase.com',
    protocols: ['https:', 'http:'],
  }),
  'branch-api-url': input.string({
    description: "A preview branch's API URL, {ref} being the branch's project ref.",
    default: 'https://{ref}.supabase.co',
    pattern: /\{ref\}/,
    expected: 'a URL containing {ref}',
  }),
});

/**
 * Which store the inputs name, or why they name none: checked before the store's code is loaded, so a
 * step with its inputs left out fails as fast as any other bad input.
 */
export type PreviewKind = 'supabase-branch' | 'database';

export function previewKind(inputs: Inputs<typeof previewDatabaseInputs.spec>): PreviewKind {
  const branching = inputs.supabaseAccessToken !== undefined || inputs.projectRef !== undefined;
  if (branching && inputs.stagingDatabaseUrl)
    throw new Error(
      "inputs 'supabase-access-token'/'project-ref' (Supabase branching) and 'staging-database-url' (a database per PR) are two ways to the same thing: set one of them",
    );
  if (branching) {
    if (!inputs.supabaseAccessToken || !inputs.projectRef)
      throw new Error(
        `Supabase branching needs both 'supabase-access-token' and 'project-ref'; ${inputs.projectRef ? "'supabase-access-token' (or SUPABASE_ACCESS_TOKEN)" : "'project-ref'"} is empty`,
      );
    return 'supabase-branch';
  }
  if (inputs.stagingDatabaseUrl) return 'database';
  throw new Error(
    "no preview database is configured: set 'supabase-access-token' and 'project-ref' (a Supabase preview branch per PR), or 'staging-database-url' (a wingman_pr_<n> database per PR on a staging server)",
  );
}
