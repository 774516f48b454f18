import { defineInputs, input } from '@wingman/action-kit/inputs';

export const deployHerokuInputs = defineInputs({
  'api-key': input.string({
    description:
      'Heroku API key (a long-lived authorization from `heroku authorizations:create`). Masked, sent only as a Bearer header, never written to disk. Default: the HEROKU_API_KEY environment variable.',
    required: true,
    secret: true,
    env: 'HEROKU_API_KEY',
  }),
  app: input.string({
    description: 'App name or id. An unknown app fails with "app not found": this action never creates apps.',
    required: true,
    pattern: /^(?:[a-z][a-z0-9-]{1,29}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
    expected: 'a Heroku app name (lowercase letters, digits and dashes) or an app id (UUID)',
  }),
  mode: input.choice(
    ['deploy', 'promote', 'rollback', 'maintenance', 'review-app', 'delete-review-app', 'sweep-review-apps'],
    {
      description:
        "'deploy' builds app-dir on Heroku; 'promote' copies app's slug to the apps of pipeline-stage; 'rollback' goes back to an earlier release; 'maintenance' turns maintenance mode on or off (input maintenance); 'review-app' builds app-dir as the pull request's review app in app's pipeline (a later push builds on it); 'delete-review-app' deletes it; 'sweep-review-apps' deletes those of every closed pull request (a daily schedule).",
      default: 'deploy',
    },
  ),
  'app-dir': input.string({
    description: 'deploy: the folder to ship, e.g. a monorepo sub-folder (no git subtree needed).',
    default: '.',
  }),
  exclude: input.list({
    description:
      'deploy: extra gitignore-style patterns left out of the tarball, separated by commas, spaces or newlines. .git and .gitignored paths are always left out.',
  }),
  version: input.string({
    description:
      "deploy: recorded as the build's source version and used to skip a commit that is already released (default: the workflow's commit, GITHUB_SHA). promote: the commit this run deploys; the promotion is refused when the source app runs a slug of another (default: not checked).",
  }),
  'config-vars': input.keyValues({
    description:
      'deploy: KEY=VALUE lines (e.g. from secrets) set in one PATCH before the build, so its release carries them. Only differing values are sent; an unchanged set makes no release. The summary names the keys added, changed and removed, never the values. Values are masked.',
    secret: true,
  }),
  prune: input.boolean({
    description:
      "deploy: with config-vars, remove the app's config vars that config-vars does not list (an add-on's own vars, such as DATABASE_URL, are never removed).",
    default: 'false',
  }),
  'pull-request': input.integer({
    description:
      'review-app, delete-review-app: the pull request number (default: the pull request of the triggering event).',
    min: 1,
  }),
  'github-token': input.string({
    description: "sweep-review-apps: a token that may read the repository's pull requests (github.token).",
    secret: true,
  }),
  maintenance: input.choice(['on', 'off'], {
    description:
      "maintenance: 'on' makes Heroku answer every web request with its maintenance page (503) while dynos and release phases keep running; 'off' lets traffic in again. An app already in that state is left alone.",
  }),
  force: input.boolean({
    description: 'deploy/promote: build or promote even when the current release already runs this version.',
    default: 'false',
  }),
  'pipeline-stage': input.choice(['test', 'review', 'development', 'staging', 'production'], {
    description: "promote: the pipeline stage whose apps receive app's current release, e.g. production.",
  }),
  to: input.string({
    description:
      "rollback: 'previous' (the newest earlier release eligible for rollback) or a release version like v42. A version is re-run safe: it is skipped when already rolled back to.",
    default: 'previous',
    pattern: /^(?:previous|v?\d+)$/,
    expected: "'previous' or a release version like v42",
  }),
  timeout: input.duration({
    description:
      'The whole step: every API call, upload, build and release phase wait (or promotion, or rollback release) ends with it.',
    default: '15m',
  }),
  'api-url': input.url({
    description: 'Heroku Platform API base URL.',
    default: 'https://api.heroku.com',
    protocols: ['https:', 'http:'],
  }),
});
