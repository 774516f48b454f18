import { defineInputs, input } from '@wingman/action-kit/inputs';

export const sentryReleaseInputs = defineInputs({
  'auth-token': input.string({
    description:
      'Sentry auth token with the project:releases scope (an org token or a user token). Default: the SENTRY_AUTH_TOKEN environment variable.',
    required: true,
    secret: true,
    env: 'SENTRY_AUTH_TOKEN',
  }),
  org: input.string({
    description: 'Sentry organization slug. Default: the SENTRY_ORG environment variable.',
    required: true,
    env: 'SENTRY_ORG',
    pattern: /^[a-z0-9][a-z0-9_-]*$/i,
    expected: 'an organization slug (letters, digits, - and _), as in the Sentry URL',
  }),
  projects: input.list({
    description:
      'Project slugs the release belongs to, separated by commas, spaces or newlines (e.g. backend, frontend). Default: the SENTRY_PROJECT environment variable.',
    required: true,
    env: 'SENTRY_PROJECT',
  }),
  url: input.url({
    description: 'Sentry base URL; set it for self-hosted Sentry.',
    default: 'https://sentry.io',
    protocols: ['https:', 'http:'],
  }),
  release: input.string({
    description: "Release version; a leading refs/tags/ is dropped (github.ref of a tag push). Empty: input 'commit'.",
    // Release.is_valid_version: no slashes, backslashes or control characters; not '.', '..' or 'latest'.
    pattern: /^(refs\/tags\/)?(?!\.{1,2}$)(?!latest$)[^/\\\r\n\t\f]{1,200}$/i,
    expected: "a version of at most 200 characters without '/', '\\' or control characters, not '.', '..' or 'latest'",
  }),
  commit: input.commit({
    description:
      "The commit deployed: the release's head commit (the newest of those associated) and its default name. Default: the workflow's commit (GITHUB_SHA); a workflow that deploys another ref passes the checked-out commit (actions/checkout's commit output).",
  }),
  environment: input.string({
    description: 'When set, a deploy marker for this environment (once per workflow run attempt).',
    pattern: /^[^/\r\n\f]{1,64}$/,
    expected: "an environment name of at most 64 characters without '/'",
  }),
  'set-commits': input.string({
    description:
      "'auto' (local git; on a shallow clone the GitHub compare API or the push event's commits, with a notice), 'skip', or 'repo@sha' / 'repo@prev-sha..sha' for a repository connected in Sentry. Never fails the deploy.",
    default: 'auto',
    pattern: /^(auto|skip|[^@\s]+@[0-9a-zA-Z]{1,64}(\.\.[0-9a-zA-Z]{1,64})?)$/,
    expected: "'auto', 'skip' or repo@sha[..sha]",
  }),
  sourcemaps: input.list({
    description:
      'Build output paths (e.g. .next, dist) to inject with debug ids and upload for every project; separated by commas, spaces or newlines.',
  }),
  'url-prefix': input.string({
    description: 'URL prefix of the uploaded files.',
    default: '~/',
  }),
  finalize: input.boolean({
    description: 'Mark the release as released (finalized) after the deploy marker.',
    default: 'true',
  }),
  timeout: input.duration({
    description:
      'The whole step: installing sentry-cli, every Sentry and GitHub call and every sentry-cli run end with it, so an outage never holds a deploy.',
    default: '5m',
  }),
  'cli-version': input.string({
    description:
      "sentry-cli version, installed from the npm registry into the runner's tool cache (checked against the registry's integrity hash) and reused by later steps.",
    default: '3.8.0',
    pattern: /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/,
    expected: 'an exact version like 3.8.0',
  }),
  'cli-path': input.string({
    description: 'Path of a sentry-cli binary to use instead of installing cli-version (e.g. a preinstalled one).',
  }),
  'npm-registry': input.url({
    description:
      "npm registry that sentry-cli is installed from. Empty: the runner's npm_config_registry, else npm's public registry.",
    protocols: ['https:', 'http:'],
  }),
  'github-token': input.string({
    description: "Token for GitHub's compare API, used for the commits of a shallow checkout.",
    default: '${{ github.token }}',
    secret: true,
  }),
});
