// The pipeline rehearsed on one machine the way GitHub would run it for a team: two repositories — the
// suite (this repository, tagged v1) and the caller (examples/wingmanmatch, a repository of its own
// with thin workflows that reference the suite @v1) — the caller's environments with their reviewers,
// branch policies and secrets, embedded PostgreSQL for each environment's database, the Heroku,
// Vercel, Slack, Sentry and GitHub simulators, and the example backend as the deployed app.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SUPABASE_ROLES_SQL } from '@wingman/supabase-platform';
import {
  type DataApi,
  DatadogSimulator,
  GitHubSimulator,
  HerokuSim,
  queryRows,
  REPO_ROOT,
  SentrySimulator,
  SlackSimulator,
  SUPABASE_IMAGE_INIT_SQL,
  SupabaseSim,
  sentryCliBinary,
  startDataApi,
  startPostgres,
  startPostgresServer,
  type TestDatabase,
  UptimeRobotSimulator,
  VercelSimulator,
} from '@wingman/testkit';
import pg from 'pg';
import type { Value } from './expressions';
import type { EnvironmentSettings, Repository } from './github-model';
import { type RunEvent, type ServiceStandIn, type StepRecord, type WorkflowRun, WorkflowRunner } from './runner';

export type Scenario =
  | 'happy'
  | 'smoke-fails'
  | 'rollback'
  | 'preview'
  | 'preview-branch'
  | 'repair'
  | 'flag'
  | 'redeploy';
export const SCENARIOS: Scenario[] = [
  'happy',
  'smoke-fails',
  'rollback',
  'preview',
  'preview-branch',
  'repair',
  'flag',
  'redeploy',
];

export interface RehearsalOptions {
  scenario?: Scenario;
  /** Rehearse the migrations against this database (both environments) instead of embedded ones. */
  databaseUrl?: string;
  /** A line of progress or summary. */
  print?: (line: string) => void;
}

export interface RehearsalResult {
  ok: boolean;
  /** Each workflow run of the scenario, in order ("push-main", "rollback", "preview (opened)" …). */
  /** A run with `expectFailure` is one the scenario makes fail on purpose (a cleanup that fails half-way). */
  runs: { name: string; run: WorkflowRun; expectFailure?: boolean }[];
  heroku: Record<
    'staging' | 'production',
    {
      current?: number;
      slugOfCurrent?: string;
      previousSlug?: string;
      /** Config var names of the current release (values are the rehearsal's own, never shown). */
      configOfCurrent: string[];
      /** Maintenance mode switches, in order (true: on), and the mode at the end. */
      maintenanceSwitches: boolean[];
      maintenance: boolean;
    }
  >;
  vercelProduction?: string;
  /** The production deployment the project had before the rehearsal (an earlier release). */
  vercelEarlierProduction: string;
  slack: { text?: string; edits: number; replies: number }[];
  sentryReleases: string[];
  /** Datadog: DORA deployments (service, env, version) and event titles, in order. */
  datadog: {
    deployments: { env?: string; version?: string; commit?: string; startedBeforeFinished: boolean }[];
    events: string[];
  };
  /** UptimeRobot: every monitor at the end (url, status), and how many write calls were made. */
  uptime: { monitors: { url: string; status: string; interval: number }[]; writes: number };
  github: { comments: string[]; deployments: { environment: string; state?: string }[] };
  /** The closing lines: approvals, deployment records, runner starts. */
  closing: string[];
  /** Each environment's feature flags at the end (deploy syncs feature-flags.json). */
  flags: Record<'staging' | 'production', { flag: string; enabled: boolean; rollout: number }[]>;
  /** Production's feature flag audit at the end. */
  flagAudit: Record<string, unknown>[];
  /** preview: the review apps and the PR databases left at the end. */
  previews?: {
    /** The stack comments of the pull requests whose preview failed (#8: review app build, #9: the limit). */
    comments: Record<number, string>;
    reviewApps: { pr: number | null; status: string }[];
    databases: string[];
    /** preview-branch: the staging project's Supabase preview branches left (by git branch). */
    supabaseBranches?: string[];
    /** The pull requests' Vercel preview aliases still served. */
    aliases: string[];
  };
  /** redeploy: after each deploy-ref dispatch, the commit it should have put on staging and what each provider records. */
  redeploys?: {
    expected: string;
    /** Staging's current Heroku release: its slug's commit (the build's source version). */
    heroku: string | null | undefined;
    /** The newest Vercel deployment's commit. */
    vercel: string | undefined;
    /** The Sentry release the run's sentry-release step made. */
    sentry: string | undefined;
    /** The newest Datadog deploy marker's commit. */
    datadog: string | undefined;
    /** The newest Slack message (it names the commit). */
    slack: string;
  }[];
  durationMs: number;
}

export const SUITE = 'wingman-deploy/wingman-deploy';
export const CALLER = 'wingman-org/wingmanmatch';
export const CALLER_ROOT = join(REPO_ROOT, 'examples/wingmanmatch');
/** The rehearsed pull request adds the example app's newest migrations to its base. */
export const PR_MIGRATIONS = 4;
const BASE_SHA = 'ba5e'.repeat(10);
/** preview-branch: the staging project whose Supabase preview branches hold the PRs' databases. */
const STAGING_PROJECT_REF = 'stagingwingmanmatchx';
const SENTRY_DSN = 'https://rehearsal0key@o1.ingest.sentry.io/42';
/** Staging's HEROKU_CONFIG_VARS environment secret: set on the app before its build. */
export const STAGING_CONFIG_VARS = 'RESEND_API_KEY=re_rehearsal_0123456789\nENVIRONMENT=staging';
const APPS = { staging: 'wingmanmatch-staging', production: 'wingmanmatch-production' } as const;
const KEYS = {
  heroku: 'heroku-rehearsal-key',
  vercel: 'vercel-rehearsal-token',
  slack: 'xoxb-rehearsal',
  sentry: 'sentry-rehearsal',
  datadog: 'dd0rehearsal0123456789abcdef0123',
  uptimerobot: 'ur4242-rehearsal0123456789abcdef',
  supabase: `sbp_${'a1b2'.repeat(10)}`,
};

/** The two repositories: the suite at HEAD (tags v1, main) and the caller as its own repository. */
export function rehearsalRepositories(): Repository[] {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  const sha = git('rev-parse', 'HEAD');
  // The example app's own "commit": the tree it is made of, so each repository has its own sha.
  let callerSha: string;
  try {
    callerSha = git('rev-parse', 'HEAD:examples/wingmanmatch');
  } catch {
    callerSha = sha;
  }
  return [
    { name: SUITE, root: REPO_ROOT, sha, refs: ['v1', 'main', 'refs/tags/v1', 'refs/heads/main'] },
    { name: CALLER, root: CALLER_ROOT, sha: callerSha, refs: ['main', 'refs/heads/main'] },
  ];
}

/** A release whose /health reports a broken dependency, for the smoke-fails scenario. */
async function brokenApp(): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer((_req, res) => {
    res
      .writeHead(503, { 'content-type': 'application/json' })
      .end('{"status":"error","error":"migrations ahead of code"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

/** sentry-cli from the devDependency, placed in a tool cache as the action would have installed it. */
function toolCacheWithSentryCli(dir: string): void {
  const binary = sentryCliBinary();
  const pkg = dirname(dirname(binary));
  const target = join(dir, 'sentry-cli', '3.8.0', process.arch);
  mkdirSync(target, { recursive: true });
  cpSync(pkg, target, { recursive: true });
  writeFileSync(`${target}.complete`, '');
}

/**
 * Service containers stood in for by a fresh PostgreSQL server: `postgres` (plain) and
 * `supabase/postgres` (what that image has at first start: its roles, the 2018 auth.users, an empty
 * storage schema; the workflow's run-migrations `bootstrap: supabase` adds the platform's part). The
 * password is the container's POSTGRES_PASSWORD; container port 5432 is published on a free host
 * port (read back through job.services.<id>.ports), so `ports: ["5432"]` is the form that works.
 */
const postgresService =
  (supabase: boolean): ServiceStandIn =>
  async (service) => {
    if (!service.ports.every((p) => p === '5432' || p === '5432/tcp'))
      throw new Error(
        `service ports ${JSON.stringify(service.ports)}: publish the container port alone (ports: ["5432"]) and read the host port from job.services.<id>.ports['5432']`,
      );
    const server = await startPostgresServer();
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      const password = service.env.POSTGRES_PASSWORD ?? 'postgres';
      await client.query(`alter user postgres password '${password.replace(/'/g, "''")}'`);
      if (supabase) {
        await client.query(SUPABASE_ROLES_SQL);
        await client.query(SUPABASE_IMAGE_INIT_SQL);
      }
    } finally {
      await client.end();
    }
    return { ports: { '5432': String(server.port) }, stop: () => server.stop() };
  };

export async function rehearsePipeline(options: RehearsalOptions = {}): Promise<RehearsalResult> {
  const started = Date.now();
  const scenario = options.scenario ?? 'happy';
  const print = options.print ?? (() => {});
  const cleanup: (() => Promise<unknown> | unknown)[] = [];
  try {
    // Databases and the apps that read them.
    let staging: TestDatabase | undefined;
    let production: TestDatabase | undefined;
    if (!options.databaseUrl) {
      // Staging on a server of its own: the previews' wingman_pr_<n> databases are made beside it, and
      // tests running beside the rehearsal make theirs on the shared one.
      [staging, production] = await Promise.all([startPostgres({ ownServer: true }), startPostgres()]);
      cleanup.push(
        () => staging!.stop(),
        () => production!.stop(),
      );
    }
    const dbUrl = { staging: options.databaseUrl ?? staging!.url, production: options.databaseUrl ?? production!.url };
    // Where preview databases (wingman_pr_<n>) are made: the staging server.
    const previewServer = staging?.serverUrl ?? options.databaseUrl!;
    const backendModule = join(REPO_ROOT, 'examples/wingmanmatch/backend/server.mjs');
    const { startServer } = (await import(backendModule)) as {
      startServer(o: {
        port: number;
        databaseUrl: string;
        version: string;
      }): Promise<{ url: string; stop(): Promise<void> }>;
    };
    const stagingApp = await startServer({ port: 0, databaseUrl: dbUrl.staging, version: 'staging' });
    cleanup.push(() => stagingApp.stop());
    const productionApp =
      scenario === 'smoke-fails'
        ? await brokenApp()
        : await startServer({ port: 0, databaseUrl: dbUrl.production, version: 'production' });
    cleanup.push(() => productionApp.stop());

    // The providers.
    // A review app serves the example backend against the database its config names (the PR's).
    const heroku = new HerokuSim({
      token: KEYS.heroku,
      buildMs: 60,
      releasePhaseMs: 40,
      promotionMs: 40,
      reviewAppWebUrl: async (app) => {
        const server = await startServer({ port: 0, databaseUrl: app.config.DATABASE_URL ?? '', version: app.name });
        cleanup.push(() => server.stop());
        return server.url;
      },
    });
    const vercel = new VercelSimulator({ token: KEYS.vercel, serveDeployments: true, stepMs: 25 });
    const slack = new SlackSimulator({ botToken: KEYS.slack });
    const sentry = new SentrySimulator({ token: KEYS.sentry, org: 'wingmanmatch', projects: ['backend', 'frontend'] });
    const github = new GitHubSimulator();
    // Supabase's Management API, for the PR databases that are preview branches of the staging project.
    const supabase = new SupabaseSim({ token: KEYS.supabase, stepMs: 20 });
    supabase.addProject(STAGING_PROJECT_REF);
    const datadog = new DatadogSimulator({ apiKey: KEYS.datadog });
    const uptime = new UptimeRobotSimulator({ apiKey: KEYS.uptimerobot, requestsPerMinute: 10 });
    await Promise.all([
      heroku.start(),
      vercel.start(),
      slack.start(),
      sentry.start(),
      github.start(),
      supabase.start(),
      datadog.start(),
      uptime.start(),
    ]);
    // Each environment's Supabase Data API (its SUPABASE_URL and keys), on its own database.
    const [stagingApi, productionApi] = await Promise.all(
      (['staging', 'production'] as const).map((env) =>
        startDataApi({ databaseUrl: dbUrl[env], exposedSchemas: ['public'] }),
      ),
    );
    cleanup.push(
      () => stagingApi!.stop(),
      () => productionApi!.stop(),
    );
    const dataApi = { staging: stagingApi!, production: productionApi! };
    cleanup.push(
      () => heroku.stop(),
      () => vercel.stop(),
      () => slack.stop(),
      () => sentry.stop(),
      () => github.stop(),
      () => supabase.stop(),
      () => datadog.stop(),
      () => uptime.stop(),
    );
    for (const env of ['staging', 'production'] as const) {
      const app = heroku.addApp(APPS[env]);
      app.web_url = env === 'staging' ? stagingApp.url : productionApp.url;
      heroku.seedDeploy(APPS[env], 'the-previous-commit');
      // The configuration the team set (deploy/config.yml says what it must be): verify-config reads it.
      heroku.seedConfig(APPS[env], { DATABASE_URL: dbUrl[env], ENVIRONMENT: env, SENTRY_DSN: SENTRY_DSN });
    }
    heroku.addPipeline(
      'wingmanmatch',
      [
        { app: APPS.staging, stage: 'staging' },
        { app: APPS.production, stage: 'production' },
      ],
      { reviewApps: true },
    );
    const project = vercel.addProject({ name: 'wingmanmatch' });
    const earlierFrontend = vercel.seedProduction(project.id);
    vercel.addEnv(project.id, { key: 'NEXT_PUBLIC_SENTRY_DSN', value: SENTRY_DSN, target: ['production', 'preview'] });
    const channel = slack.addChannel({ name: 'deploys' });
    const previousSlug = {
      staging: heroku.currentRelease(APPS.staging)?.slug?.id,
      production: heroku.currentRelease(APPS.production)?.slug?.id,
    };

    const work = mkdtempSync(join(tmpdir(), 'wingman-rehearsal-'));
    cleanup.push(() => rmSync(work, { recursive: true, force: true }));
    const toolCache = join(work, 'tool-cache');
    toolCacheWithSentryCli(toolCache);
    mkdirSync(join(work, 'home'));

    // The caller's settings, as a team creates them (README "Use it in your repository"): deploy
    // credentials live in environments; production needs a reviewer; both deploy only from main.
    const deployCredentials = (db: string, api: DataApi): Record<string, string> => ({
      DATABASE_URL: db,
      SUPABASE_ANON_KEY: api.anonKey,
      SUPABASE_SERVICE_ROLE_KEY: api.serviceRoleKey,
      HEROKU_API_KEY: KEYS.heroku,
      VERCEL_TOKEN: KEYS.vercel,
      SENTRY_AUTH_TOKEN: KEYS.sentry,
      SLACK_BOT_TOKEN: KEYS.slack,
      DATADOG_API_KEY: KEYS.datadog,
      UPTIMEROBOT_API_KEY: KEYS.uptimerobot,
    });
    const environments: Record<string, EnvironmentSettings> = {
      staging: {
        branches: ['main'],
        secrets: { ...deployCredentials(dbUrl.staging, dataApi.staging), HEROKU_CONFIG_VARS: STAGING_CONFIG_VARS },
        vars: { SUPABASE_URL: dataApi.staging.url },
      },
      production: {
        reviewers: ['release-managers'],
        branches: ['main'],
        secrets: deployCredentials(dbUrl.production, dataApi.production),
        vars: { SUPABASE_URL: dataApi.production.url },
      },
      // Preview credentials reach staging and previews only: the staging server's role for PR databases.
      preview: {
        secrets: {
          VERCEL_TOKEN: KEYS.vercel,
          VERCEL_AUTOMATION_BYPASS_SECRET: 'bypass-rehearsal',
          HEROKU_API_KEY: KEYS.heroku,
          PREVIEW_DATABASE_URL: previewServer,
          SUPABASE_ACCESS_TOKEN: KEYS.supabase,
        },
      },
    };
    const vars: Record<string, string> = {
      HEROKU_STAGING_APP: APPS.staging,
      HEROKU_PRODUCTION_APP: APPS.production,
      VERCEL_PROJECT_ID: project.id,
      VERCEL_TEAM_ID: '',
      SENTRY_ORG: 'wingmanmatch',
      SENTRY_PROJECTS: 'backend,frontend',
      SLACK_CHANNEL: channel.id,
      SUPABASE_PROJECT_REF: STAGING_PROJECT_REF,
      // What a rehearsal (or a proxy) changes: where the provider APIs are, how long smoke waits.
      WINGMAN_API_URLS: JSON.stringify({
        heroku: heroku.url,
        vercel: vercel.url,
        slack: `${slack.url}/api`,
        sentry: sentry.url,
        datadog: datadog.url,
        uptimerobot: uptime.apiUrl,
        supabase: supabase.url,
        supabaseBranch: supabase.branchApiUrl,
      }),
      WINGMAN_SMOKE_WAIT_TIMEOUT: '3s',
      // Proves the way out of maintenance where a later step fails.
      ...(scenario === 'smoke-fails' ? { MAINTENANCE_DURING_MIGRATIONS: 'true' } : {}),
    };
    const repositories = rehearsalRepositories();
    const caller = repositories.find((r) => r.name === CALLER)!;
    let step = 0;
    const onEvent = (e: RunEvent) => {
      if (e.kind === 'approval')
        print(
          `   ⏸  ${e.job}: waiting for a reviewer of '${e.environment}' — ${e.approved ? 'approved' : 'rejected'} (rehearsal)`,
        );
      else if (e.kind === 'job-start') print(`   ▶  ${e.job}: runner started`);
      else if (e.kind === 'job-end' && e.result === 'skipped') print(`   –  ${e.job}: skipped`);
      else if (e.kind === 'step') print(progress(++step, e.record));
    };
    const runner = (github_: Record<string, Value>) =>
      new WorkflowRunner({
        repositories,
        repository: CALLER,
        settings: { secrets: {}, vars, environments },
        github: { actor: 'rehearsal', ...github_ },
        env: {
          RUNNER_TOOL_CACHE: toolCache,
          HOME: join(work, 'home'),
          GITHUB_API_URL: github.url,
          SENTRY_LOAD_DOTENV: '0',
          SENTRY_HTTP_MAX_RETRIES: '0',
          RUST_BACKTRACE: '0',
        },
        services: { postgres: postgresService(false), 'supabase/postgres': postgresService(true) },
        standIns: {
          'github/codeql-action': () => ({}),
          'actions/upload-artifact': () => ({}),
        },
        onEvent,
      });
    const push = {
      event_name: 'push',
      sha: caller.sha,
      ref: 'refs/heads/main',
      event: {
        ref: 'refs/heads/main',
        after: caller.sha,
        repository: { full_name: CALLER, name: 'wingmanmatch', html_url: `https://github.com/${CALLER}` },
        head_commit: { id: caller.sha, message: 'Ship the wingman challenge', author: { name: 'rehearsal' } },
        commits: [{ id: caller.sha, message: 'Ship the wingman challenge', author: { name: 'rehearsal' } }],
        pusher: { name: 'rehearsal' },
        sender: { login: 'rehearsal' },
      },
    };
    const runs: RehearsalResult['runs'] = [];
    let lastRun = { id: 0, attempt: 0 };
    let previews: RehearsalResult['previews'];
    const redeploys: NonNullable<RehearsalResult['redeploys']> = [];
    const runWorkflow = async (
      name: string,
      file: string,
      github_: Record<string, Value>,
      inputs: Record<string, Value> = {},
      expectFailure = false,
      rerun = false,
    ) => {
      print(`\n${name}: ${CALLER}/${file}`);
      // Each run its own id, as GitHub gives it (Datadog's DORA deployment of a run is keyed on it); a
      // re-run keeps the id with the next attempt. Its start is what record-deployment reads from the
      // GitHub API for the marker.
      const runId = rerun ? lastRun.id : 4242 + runs.length;
      const attempt = rerun ? lastRun.attempt + 1 : 1;
      lastRun = { id: runId, attempt };
      github.addWorkflowRun(CALLER, runId, new Date(), attempt);
      const run = await runner({ run_id: String(runId), run_attempt: String(attempt), ...github_ }).run(file, inputs);
      runs.push({ name, run, expectFailure });
      return run;
    };

    if (['happy', 'smoke-fails', 'rollback', 'repair', 'flag'].includes(scenario))
      await runWorkflow('push-main', '.github/workflows/push-main.yml', push, {}, scenario === 'smoke-fails');
    if (scenario === 'repair') {
      // The newest migration marked reverted in production's history (a hand-fixed database), then
      // applied again: two dispatches, each under production's approval, no migration run.
      const newest = readdirSync(join(CALLER_ROOT, 'supabase/migrations')).sort().at(-1)!.split('_')[0]!;
      for (const status of ['reverted', 'applied']) {
        const inputs = {
          environment: 'production',
          reason: `history repair drill (${status})`,
          status,
          versions: newest,
          'dry-run': false,
        };
        await runWorkflow(
          `migration-repair (${status})`,
          '.github/workflows/migration-repair.yml',
          {
            ...push,
            event_name: 'workflow_dispatch',
            event: { ...push.event, inputs },
          },
          inputs,
        );
      }
    }
    if (scenario === 'flag') {
      // Production's new_matching turned on for a quarter of users, by a person with a reason, under
      // production's approval; then the next deploy's sync keeps that runtime value.
      const inputs = {
        environment: 'production',
        flag: 'new_matching',
        enabled: 'true',
        'rollout-percent': '25',
        reason: 'A/B test of the new matching',
      };
      await runWorkflow(
        'feature-flag',
        '.github/workflows/feature-flag.yml',
        { ...push, event_name: 'workflow_dispatch', event: { ...push.event, inputs } },
        inputs,
      );
      await runWorkflow('push-main (again)', '.github/workflows/push-main.yml', push);
    }
    if (scenario === 'rollback') {
      await runWorkflow(
        'rollback',
        '.github/workflows/rollback.yml',
        {
          ...push,
          event_name: 'workflow_dispatch',
          event: { ...push.event, inputs: { environment: 'production', reason: 'checkout errors after the release' } },
        },
        { environment: 'production', reason: 'checkout errors after the release' },
      );
    }
    if (scenario === 'redeploy') {
      // main moves on (a hotfix, then another commit) and staging is deployed by name (ref: main) each
      // time, from deploy-ref.yml; then the hotfix is put back by its SHA while main is elsewhere.
      const advance = (n: number): string => {
        const root = join(work, `caller-${n}`);
        cpSync(caller.root, root, { recursive: true, filter: (src) => !src.endsWith('/node_modules') });
        appendFileSync(join(root, 'backend/server.mjs'), `// hotfix ${n}\n`);
        caller.history = { ...caller.history, [caller.sha]: caller.root };
        caller.root = root;
        caller.sha = createHash('sha1').update(`${caller.sha} hotfix ${n}`).digest('hex');
        return caller.sha;
      };
      const deployRef = async (ref: string, expected: string) => {
        const inputs = { ref };
        const run = await runWorkflow(
          `deploy-ref (${ref.slice(0, 12)})`,
          '.github/workflows/deploy-ref.yml',
          {
            event_name: 'workflow_dispatch',
            sha: caller.sha,
            ref: 'refs/heads/main',
            event: {
              inputs,
              ref: 'refs/heads/main',
              repository: push.event.repository,
              sender: push.event.sender,
              workflow: '.github/workflows/deploy-ref.yml',
            },
          },
          inputs,
        );
        const slug = heroku.currentRelease(APPS.staging)?.slug;
        redeploys.push({
          expected,
          heroku: slug ? heroku.slug(APPS.staging, slug.id)?.commit : undefined,
          // The deployment the job put out (a READY one of the same commit is reused, not made again).
          vercel: vercel.deployments.get(run.jobs.staging?.outputs['deployment-id'] ?? '')?.meta?.githubCommitSha,
          // The release this run's step made (run 3's commit already has one, from run 1).
          sentry: run.steps.find((s) => s.job === 'staging / deploy' && s.id === 'sentry')?.outputs.release,
          datadog: [...datadog.deployments.values()].at(-1)?.git?.commit_sha,
          slack: slack.topLevel(channel.id).at(-1)?.text ?? '',
        });
      };
      const hotfix = advance(1);
      await deployRef('main', hotfix);
      const next = advance(2);
      await deployRef('main', next);
      await deployRef(hotfix, hotfix);
    }
    if (scenario === 'preview-branch') {
      // The caller's preview.yml as a team on Supabase branching writes it: each PR's database is a
      // preview branch of the staging project (README "Pull request previews").
      const variant = join(work, 'caller-branching');
      cpSync(CALLER_ROOT, variant, { recursive: true, filter: (src) => !src.endsWith('/node_modules') });
      for (const file of ['preview.yml', 'previews-sweep.yml']) {
        const workflow = join(variant, '.github/workflows', file);
        const text = readFileSync(workflow, 'utf8');
        const branching = text.replace(
          '      database: staging-server\n',
          '      database: supabase-branch\n      supabase-project-ref: ${{ vars.SUPABASE_PROJECT_REF }}\n',
        );
        if (branching === text)
          throw new Error(`rehearsal: the example ${file} no longer says database: staging-server`);
        writeFileSync(workflow, branching);
      }
      caller.root = variant;
    }
    if (scenario === 'preview' || scenario === 'preview-branch') {
      // The pull request's base: the example app before its newest PR_MIGRATIONS migrations, which the
      // rehearsed pull request adds (the Supabase-style corpus: storage, pgcrypto, Vault, Realtime).
      const base = join(work, 'caller-base');
      cpSync(caller.root, base, { recursive: true, filter: (src) => !src.endsWith('/node_modules') });
      for (const f of readdirSync(join(base, 'supabase/migrations')).sort().slice(-PR_MIGRATIONS))
        for (const dir of ['migrations', 'rollbacks']) rmSync(join(base, 'supabase', dir, f), { force: true });
      caller.history = { [BASE_SHA]: base };
    }
    // The example's preview alias (preview.yml aliases: wingmanmatch-pr-{pr}.vercel.app) of each rehearsed PR, if served.
    const previewAliases = () =>
      [7, 8, 9].map((n) => `wingmanmatch-pr-${n}.vercel.app`).filter((a) => vercel.aliasTarget(a) !== undefined);
    // The caller's daily previews sweep, as its schedule starts it.
    const runSweep = () =>
      runWorkflow('previews-sweep', '.github/workflows/previews-sweep.yml', {
        ...push,
        event_name: 'schedule',
        event: { schedule: '17 4 * * *', repository: push.event.repository },
      });
    // What the previews left behind: review apps, PR databases on the staging server, served aliases.
    const previewLeftovers = async () => ({
      reviewApps: heroku.reviewApps.map((r) => ({ pr: r.pr_number, status: r.status })),
      databases: (await queryRows(previewServer, `select datname from pg_database where datname ~ '^wingman_pr_'`)).map(
        (row) => String(row.datname),
      ),
      aliases: previewAliases(),
    });
    // A pull request event, as GitHub sends it for the caller's PR #n.
    const pr = (action: string, n = 7) => ({
      event_name: 'pull_request',
      sha: caller.sha,
      ref: `refs/pull/${n}/merge`,
      event: {
        action,
        number: n,
        pull_request: {
          number: n,
          head: {
            sha: caller.sha,
            ref: n === 7 ? 'feature/challenges' : `feature/pr-${n}`,
            repo: { full_name: CALLER, fork: false },
          },
          base: { ref: 'main', sha: BASE_SHA, repo: { full_name: CALLER } },
        },
        repository: { full_name: CALLER, name: 'wingmanmatch', html_url: `https://github.com/${CALLER}` },
        sender: { login: 'rehearsal' },
      },
    });
    if (scenario === 'preview') {
      github.addPullRequest(CALLER, 7, { sha: caller.sha, ref: 'feature/challenges' });
      await runWorkflow('preview (opened)', '.github/workflows/preview.yml', pr('opened'));
      // A second push: everything updated in place, nothing made twice.
      await runWorkflow('preview (synchronize)', '.github/workflows/preview.yml', pr('synchronize'));
      // A cleanup that fails half-way (Heroku keeps failing the review app's deletion), then its re-run.
      heroku.inject(
        'DELETE',
        '/review-apps/:id',
        { status: 503, body: { id: 'unavailable', message: 'Heroku is down' } },
        { times: 5 },
      );
      await runWorkflow('preview (closed)', '.github/workflows/preview.yml', pr('closed'), {}, true);
      await runWorkflow('preview (closed, re-run)', '.github/workflows/preview.yml', pr('closed'), {}, false, true);
      // Failures the PR's comment reports: #8's review app does not build; then, with ten other pull
      // requests holding a preview database (#101-#109, closed long ago, and #8), #9 is refused.
      github.addPullRequest(CALLER, 8, { sha: caller.sha, ref: 'feature/pr-8' });
      heroku.nextReviewAppBuild({
        outcome: 'failed',
        output: ['-----> Node.js app detected', 'npm ERR! missing script: start'],
      });
      await runWorkflow('preview #8 (opened)', '.github/workflows/preview.yml', pr('opened', 8), {}, true);
      for (let n = 101; n <= 109; n++) {
        github.addPullRequest(CALLER, n, { sha: 'f'.repeat(40), ref: `feature/old-${n}` });
        github.closePullRequest(CALLER, n);
        await queryRows(previewServer, `create database wingman_pr_${n}`);
      }
      github.addPullRequest(CALLER, 9, { sha: caller.sha, ref: 'feature/pr-9' });
      await runWorkflow('preview #9 (opened)', '.github/workflows/preview.yml', pr('opened', 9), {}, true);
      // #8 and #9 are closed without their close event reaching the workflow: the sweep's job.
      github.closePullRequest(CALLER, 8);
      github.closePullRequest(CALLER, 9);
      await runSweep();
      previews = {
        comments: Object.fromEntries(
          [8, 9].map((n) => [
            n,
            github.comments(CALLER, n).find((c) => c.body.includes('Full-stack preview'))?.body ?? '',
          ]),
        ),
        ...(await previewLeftovers()),
      };
    }
    if (scenario === 'preview-branch') {
      github.addPullRequest(CALLER, 7, { sha: caller.sha, ref: 'feature/challenges' });
      await runWorkflow('preview (opened)', '.github/workflows/preview.yml', pr('opened'));
      await runWorkflow('preview (synchronize)', '.github/workflows/preview.yml', pr('synchronize'));
      await runWorkflow('preview (closed)', '.github/workflows/preview.yml', pr('closed'));
      // #8 is closed without its close event reaching the workflow: the sweep deletes its branch.
      github.addPullRequest(CALLER, 8, { sha: caller.sha, ref: 'feature/pr-8' });
      await runWorkflow('preview #8 (opened)', '.github/workflows/preview.yml', pr('opened', 8));
      github.closePullRequest(CALLER, 8);
      await runSweep();
      previews = {
        comments: {},
        ...(await previewLeftovers()),
        supabaseBranches: supabase.branches(STAGING_PROJECT_REF).map((b) => b.git_branch ?? b.name),
      };
    }

    const state = (env: 'staging' | 'production') => {
      const current = heroku.currentRelease(APPS[env]);
      const app = heroku.app(APPS[env])!;
      return {
        current: current?.version,
        slugOfCurrent: current?.slug?.id,
        previousSlug: previousSlug[env],
        configOfCurrent: Object.keys(current?.config ?? {}),
        maintenanceSwitches: heroku
          .requestsTo('PATCH', '/apps/:app')
          .filter((r) => r.path.endsWith(`/${app.id}`) || r.path.endsWith(`/${app.name}`))
          .map((r) => (r.body as { maintenance: boolean }).maintenance),
        maintenance: app.maintenance,
      };
    };
    const result: RehearsalResult = {
      // Every run as the scenario means it: passing, or failing where it fails on purpose.
      ok: runs.every(
        ({ run, expectFailure }) => Object.values(run.jobs).some((j) => j.result === 'failure') === !!expectFailure,
      ),
      runs,
      heroku: { staging: state('staging'), production: state('production') },
      vercelProduction: vercel.productionOf(project.id),
      vercelEarlierProduction: earlierFrontend.id,
      slack: slack.topLevel(channel.id).map((m) => ({
        text: m.text,
        edits: m.history.length,
        replies: slack.replies(channel.id, m.ts).length,
      })),
      sentryReleases: [...sentry.releases.keys()],
      datadog: {
        deployments: [...datadog.deployments.values()].map((d) => ({
          env: d.env,
          version: d.version,
          commit: d.git?.commit_sha,
          startedBeforeFinished: d.startedAtNs < d.finishedAtNs,
        })),
        events: datadog.events.map((e) => e.title),
      },
      uptime: {
        monitors: [...uptime.monitors.values()].map((m) => ({ url: m.url, status: m.status, interval: m.interval })),
        writes: uptime.writes().length,
      },
      github: {
        comments: github.comments(CALLER, 7).map((c) => c.body),
        deployments: github.deployments(CALLER).map((d) => ({
          environment: d.environment,
          state: github.statuses(CALLER, d.id).at(-1)?.state,
        })),
      },
      closing: [],
      previews,
      ...(scenario === 'redeploy' ? { redeploys } : {}),
      flags: {
        staging: await flagRows(dbUrl.staging),
        production: await flagRows(dbUrl.production),
      },
      flagAudit: await queryRows(
        dbUrl.production,
        `select flag_name, actor, reason, run_url from public.feature_flag_audit where to_regclass('public.feature_flag_audit') is not null order by id`,
      ).catch(() => []),
      durationMs: Date.now() - started,
    };
    result.closing = closingLines(result, Object.keys(environments));
    summarize(result, scenario, print);
    return result;
  } finally {
    for (const stop of cleanup.reverse()) await Promise.resolve(stop()).catch(() => {});
  }
}

function progress(n: number, r: StepRecord): string {
  const mark = r.result === 'success' ? '✓' : r.result === 'failure' ? '✗' : '–';
  const what = r.action ?? r.step;
  const annotation = r.detail?.annotations.find((a) => a.level === 'error')?.message;
  const why = r.error ? `: ${r.error}` : r.result === 'failure' && annotation ? `: ${annotation}` : '';
  return `[${String(n).padStart(2)}] ${mark} ${r.job} › ${what} (${r.durationMs} ms)${why}`;
}

/** approvals per environment, deployment records, runner starts: per workflow run. */
export function closingLines(r: Pick<RehearsalResult, 'runs'>, environments: string[]): string[] {
  const lines: string[] = [];
  for (const { name, run } of r.runs) {
    const { approvals, deployments, runnerStarts } = run.report;
    const count = (env: string) => approvals.filter((a) => a.environment === env).length;
    const envs = environments.filter(
      (e) => count(e) > 0 || deployments.some((d) => d.environment === e) || name === 'push-main',
    );
    lines.push(`${name}:`);
    lines.push(`  approvals: ${envs.map((e) => `${e} ${count(e)}`).join(', ') || 'none'}`);
    lines.push(
      `  deployment records: ${deployments.map((d) => `${d.environment} → ${d.url || '(no url)'}`).join(', ') || 'none'}`,
    );
    lines.push(`  jobs (runner starts): ${runnerStarts.length} — ${runnerStarts.join(', ')}`);
  }
  return lines;
}

function summarize(r: RehearsalResult, scenario: Scenario, print: (l: string) => void) {
  print('');
  print(`Pipeline (${scenario}) ${r.ok ? 'passed' : 'ended with failures'} in ${(r.durationMs / 1000).toFixed(1)} s`);
  for (const { name, run, expectFailure } of r.runs)
    for (const [job, j] of Object.entries(run.jobs))
      print(
        `  ${name} › ${job}: ${j.result}${j.result === 'failure' && expectFailure ? ' (on purpose)' : ''}${j.outputs['release-version'] ? `, backend release ${j.outputs['release-version']}` : ''}`,
      );
  if (r.previews)
    print(
      `  Previews left: review apps ${r.previews.reviewApps.map((a) => `#${a.pr} ${a.status}`).join(', ') || 'none'}; databases ${r.previews.databases.join(', ') || 'none'}` +
        `${r.previews.supabaseBranches ? `; Supabase branches ${r.previews.supabaseBranches.join(', ') || 'none'}` : ''}; Vercel preview aliases ${r.previews.aliases.join(', ') || 'none'}`,
    );
  for (const env of ['staging', 'production'] as const) {
    const h = r.heroku[env];
    const back = h.slugOfCurrent === h.previousSlug ? ' (the previous release’s slug)' : '';
    print(`  Heroku ${env}: current release v${h.current}${back}`);
  }
  print(`  Vercel production deployment: ${r.vercelProduction ?? '(none)'}`);
  for (const m of r.slack)
    print(`  Slack: "${m.text}" (${m.edits} update(s), ${m.replies} thread repl${m.replies === 1 ? 'y' : 'ies'})`);
  print(`  Sentry releases: ${r.sentryReleases.join(', ') || '(none)'}`);
  print(
    `  Datadog: ${r.datadog.deployments.length} DORA deployment(s) (${r.datadog.deployments.map((d) => d.env).join(', ') || 'none'}); events: ${r.datadog.events.map((t) => `"${t}"`).join(', ') || 'none'}`,
  );
  print(
    `  UptimeRobot monitors: ${r.uptime.monitors.map((m) => `${m.url} (${m.status}, every ${m.interval} s)`).join(', ') || 'none'}; ${r.uptime.writes} write call(s)`,
  );
  if (r.github.deployments.length)
    print(
      `  GitHub deployments by deploy-vercel: ${r.github.deployments.map((d) => `${d.environment} (${d.state})`).join(', ')}`,
    );
  print('');
  for (const line of r.closing) print(line);
}

async function flagRows(url: string): Promise<{ flag: string; enabled: boolean; rollout: number }[]> {
  const exists = await queryRows(url, `select to_regclass('public.feature_flags') is not null as t`);
  if (!exists[0]?.t) return [];
  const rows = await queryRows(url, 'select flag_name, enabled, rollout_percent from public.feature_flags order by 1');
  return rows.map((r) => ({
    flag: String(r.flag_name),
    enabled: r.enabled === true,
    rollout: Number(r.rollout_percent),
  }));
}
