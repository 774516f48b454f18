import { defineInputs, input } from '@wingman/action-kit/inputs';

export const deployVercelInputs = defineInputs({
  token: input.string({
    description:
      'Vercel access token (Account Settings → Tokens) with access to the project’s team. Default: the VERCEL_TOKEN environment variable.',
    required: true,
    secret: true,
    env: 'VERCEL_TOKEN',
  }),
  'project-id': input.string({
    description:
      'The Vercel project: its id (prj_…, from the project settings) or its name. Default: the VERCEL_PROJECT_ID environment variable.',
    required: true,
    env: 'VERCEL_PROJECT_ID',
    pattern: /^(prj_[A-Za-z0-9]+|[a-z0-9][a-z0-9._-]{0,99})$/,
    expected: 'a project id (prj_…) or a lower-case project name',
  }),
  'team-id': input.string({
    description:
      'The team owning the project (team_…); sent as teamId on every call. Leave empty for a personal account. Default: the VERCEL_ORG_ID environment variable when it names a team (team_…).',
    pattern: /^team_[A-Za-z0-9]+$/,
    env: 'VERCEL_ORG_ID',
    envMatching: /^team_/,
    expected: 'a team id like team_… (Team Settings → General)',
  }),
  mode: input.choice(['deploy', 'promote', 'rollback', 'cleanup', 'sweep'], {
    description:
      "'deploy' uploads the app's source for Vercel to build (or a built output-dir) and waits for READY; 'promote' moves the production domains to a staged deployment; 'rollback' moves them back to an earlier production deployment; 'cleanup' (pull request closed) removes the preview aliases and marks the PR's GitHub deployments inactive; 'sweep' (daily) removes the preview aliases of every closed pull request, told apart by the {pr} of 'aliases' (with github-token, to read which are closed).",
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
  source: input.string({
    description:
      "deploy: the folder Vercel builds when there is no built output: the app, or the repository root when the project has a Root Directory. Files follow its .vercelignore (else the Vercel CLI's default ignore list); .env*, private keys and .vercel/project.json never go up.",
    default: '.',
  }),
  'output-dir': input.string({
    description:
      "deploy: a built output to ship instead of building `source`: `vercel build`'s .vercel/output, or with static: true a plain folder. Empty: .vercel/output when it exists, else Vercel builds `source`.",
  }),
  static: input.boolean({
    description:
      'deploy: publish output-dir as a plain static site (wrapped as .vercel/output/static). Never implied: a folder without a build setup or config.json is refused.',
    default: 'false',
  }),
  framework: input.string({
    description: "deploy from source: the framework preset (nextjs, vite, …) instead of the project's setting.",
    pattern: /^[a-z0-9][a-z0-9-]*$/,
    expected: 'a Vercel framework slug like nextjs or vite',
  }),
  'build-command': input.string({
    description: "deploy from source: the build command instead of the project's (Settings → Build and Deployment).",
  }),
  'install-command': input.string({
    description: "deploy from source: the install command instead of the project's.",
  }),
  'build-output-directory': input.string({
    description: "deploy from source: the folder the build writes (relative to the app) instead of the project's.",
  }),
  env: input.keyValues({
    description:
      "deploy: KEY=VALUE lines, environment variables of this deployment at runtime (the CLI's --env); {pr}, {branch} and {sha} are filled in. Values are masked.",
    secret: true,
  }),
  'build-env': input.keyValues({
    description:
      "deploy from source: KEY=VALUE lines, environment variables of the build (the CLI's --build-env), e.g. NEXT_PUBLIC_API_URL=https://myapp-pr-{pr}.herokuapp.com; {pr}, {branch} and {sha} are filled in. Values are masked.",
    secret: true,
  }),
  'expect-source-digest': input.string({
    description:
      "deploy: refuse unless the files hash to this digest: pass the earlier environment's source-digest output so production builds exactly what staging built.",
    pattern: /^sha256:[0-9a-f]{64}$/,
    expected: 'a digest like sha256:… as the source-digest output gives it',
  }),
  'bypass-secret': input.string({
    description:
      'deploy: a Protection Bypass for Automation secret of the project; the protection-bypass output then carries the header for smoke-health.',
    secret: true,
  }),
  deployment: input.string({
    description:
      'promote/rollback: the deployment (dpl_… id or URL). promote requires it; rollback defaults to the previous production deployment.',
  }),
  aliases: input.list({
    description:
      'deploy: extra hostnames to point at the deployment; cleanup: the preview hostnames to remove; sweep: the preview templates, whose {pr} tells which pull request an alias is of. One per line or comma-separated; {pr}, {branch} and {sha} are replaced.',
  }),
  'github-token': input.string({
    description:
      "On pull_request events: comment the preview on the PR (edited in place) and create a GitHub deployment; with mode cleanup, mark those deployments inactive. Needs pull-requests: write and deployments: write. Mode sweep reads which pull requests are closed (pull-requests: read). GITHUB_TOKEN works, but its deployment statuses start no `deployment_status` workflows; a GitHub App installation token's do.",
    secret: true,
  }),
  comment: input.boolean({
    description:
      "deploy, with github-token on a pull request: write the preview's PR comment. 'false' records the GitHub deployment only, for a workflow whose own step writes the PR's one comment (the full-stack preview).",
    default: 'true',
  }),
  commit: input.commit({
    description:
      "deploy: the commit deployed, as Vercel records it and the reuse of a READY deployment matches it ({sha} too). Default: the workflow's commit (on pull_request, the PR head); a workflow that deploys another ref passes the checked-out commit (actions/checkout's commit output).",
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
