import { defineInputs, input } from '@wingman/action-kit/inputs';

export const verifyConfigInputs = defineInputs({
  manifest: input.string({
    description: 'The configuration manifest: environments, and per variable its Heroku and Vercel names and rules.',
    default: 'deploy/config.yml',
  }),
  environment: input.string({
    description:
      'The environment being deployed: its variables are checked, and isolated ones against the other environments.',
    required: true,
    pattern: /^[a-z][a-z0-9-]*$/,
    expected: 'an environment name like staging',
  }),
  'heroku-api-key': input.string({
    description:
      'Heroku API key that may read the config vars of the apps in heroku-apps. Default: the HEROKU_API_KEY environment variable.',
    secret: true,
    env: 'HEROKU_API_KEY',
  }),
  'heroku-apps': input.list({
    description:
      'Each environment and its Heroku app, environment=app, separated by commas, spaces or newlines (e.g. staging=wingman-api-staging, production=wingman-api).',
  }),
  'vercel-token': input.string({
    description:
      "Vercel token that may read the project's environment variables. Default: the VERCEL_TOKEN environment variable.",
    secret: true,
    env: 'VERCEL_TOKEN',
  }),
  'vercel-project-id': input.string({
    description: 'The Vercel project. Default: the VERCEL_PROJECT_ID environment variable.',
    env: 'VERCEL_PROJECT_ID',
  }),
  'vercel-team-id': input.string({
    description:
      'The team owning the project (empty for a personal account). Default: the VERCEL_ORG_ID environment variable.',
    env: 'VERCEL_ORG_ID',
  }),
  'fail-on': input.choice(['error', 'warn', 'warning'], {
    description:
      "Fail the step on errors ('error'), or on warnings too ('warn' or 'warning': e.g. another environment that could not be read for the isolation check).",
    default: 'error',
  }),
  'heroku-api-url': input.url({
    description: 'Heroku Platform API base URL.',
    default: 'https://api.heroku.com',
    protocols: ['https:', 'http:'],
  }),
  'vercel-api-url': input.url({
    description: 'Vercel API base URL.',
    default: 'https://api.vercel.com',
    protocols: ['https:', 'http:'],
  }),
});
