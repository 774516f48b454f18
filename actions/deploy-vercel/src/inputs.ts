import { defineInputs, input } from '@wingman/action-kit/inputs';

export const deployVercelInputs = defineInputs({
  token: input.string({
    description: 'Vercel access token (Account Settings → Tokens) with access to the project’s team.',
    required: true,
    secret: true,
  }),
  'project-id': input.string({
    description: 'The Vercel project: its id (prj_…, from the project settings) or its name.',
    required: true,
    pattern: /^(prj_[A-Za-z0-9]+|[a-z0-9][a-z0-9._-]{0,99})$/,
    expected: 'a project id (prj_…) or a lower-case project name',
  }),
  'team-id': input.string({
    description:
      'The team owning the project (team_…); sent as teamId on every call. Leave empty for a personal account.',
    pattern: /^team_[A-Za-z0-9]+$/,
    expected: 'a team id like team_… (Team Settings → General)',
  }),
  mode: input.choice(['deploy', 'promote', 'rollback', 'cleanup'], {
    description:
      "'deploy' uploads output-dir and waits for READY; 'promote' moves the production domains to a staged deployment; 'rollback' moves them back to an earlier production deployment; 'cleanup' (pull request closed) removes the preview aliases and marks the PR's GitHub deployments inactive.",
    default: 'deploy',
  }),
  target: input.string({
    description: 'deploy: preview, production, or the slug of a custom environment.',
    default: 'preview',
    pattern: /^[a-z0-9][a-z0-9_-]*$/i,
    expected: 'preview, production or a custom environment slug',
  }),
  staged: input.boolean({
    description:
      'deploy with target production: build it without taking the production domains (autoAssignCustomDomains: false) until a later promote.',
    default: 'false',
  }),
  'output-dir': input.string({
    description:
      'deploy: the prebuilt output of `vercel build`; a folder without config.json is deployed as a plain static site.',
    default: '.vercel/output',
  }),
  deployment: input.string({
    description:
      'promote/rollback: the deployment (dpl_… id or URL). promote requires it; rollback defaults to the previous production deployment.',
  }),
  aliases: input.list({
    description:
      'deploy: extra hostnames to point at the deployment; cleanup: the preview hostnames to remove. One per line or comma-separated; {pr}, {branch} and {sha} are replaced.',
  }),
  'github-token': input.string({
    description:
      'On pull_request events: comment the preview on the PR (edited in place) and create a GitHub deployment; with mode cleanup, mark those deployments inactive. Needs pull-requests: write and deployments: write.',
    secret: true,
  }),
  force: input.boolean({
    description: 'deploy even when a READY deployment of this commit already exists for the target.',
    default: 'false',
  }),
  'upload-concurrency': input.integer({
    description: 'Files uploaded at the same time.',
    default: '8',
    min: 1,
    max: 64,
  }),
  timeout: input.duration({
    description:
      'The whole step: uploads, the build (or promote/rollback taking effect) and every API call end with it.',
    default: '15m',
  }),
  'api-url': input.url({
    description: 'Vercel API base URL.',
    default: 'https://api.vercel.com',
    protocols: ['https:', 'http:'],
  }),
});
