// The push-to-main pipeline rehearsed on one machine: embedded PostgreSQL for staging and production,
// the Heroku, Vercel, Slack and Sentry simulators, and the example backend serving as "the deployed
// app". push-main.yml runs as written, through the committed bundles.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  HerokuSim,
  REPO_ROOT,
  SentrySimulator,
  SlackSimulator,
  sentryCliBinary,
  startPostgres,
  type TestDatabase,
  VercelSimulator,
} from '@wingman/testkit';
import type { Value } from './expressions';
import { type StepRecord, type WorkflowRun, WorkflowRunner } from './runner';

export type Scenario = 'happy' | 'smoke-fails';

export interface RehearsalOptions {
  scenario?: Scenario;
  /** Rehearse the migrations against this database (both environments) instead of embedded ones. */
  databaseUrl?: string;
  /** A line of progress or summary. */
  print?: (line: string) => void;
}

export interface RehearsalResult {
  ok: boolean;
  run: WorkflowRun;
  heroku: Record<'staging' | 'production', { current?: number; slugOfCurrent?: string; previousSlug?: string }>;
  vercelProduction?: string;
  slack: { text?: string; edits: number; replies: number }[];
  sentryReleases: string[];
  durationMs: number;
}

const APPS = { staging: 'wingmanmatch-staging', production: 'wingmanmatch-production' } as const;
const KEYS = {
  heroku: 'heroku-rehearsal-key',
  vercel: 'vercel-rehearsal-token',
  slack: 'xoxb-rehearsal',
  sentry: 'sentry-rehearsal',
};

/** A release whose /health is broken, for the smoke-fails scenario. */
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
  const arch = process.arch;
  const target = join(dir, 'sentry-cli', '3.8.0', arch);
  mkdirSync(target, { recursive: true });
  cpSync(pkg, target, { recursive: true });
  writeFileSync(`${target}.complete`, '');
}

function gitFacts() {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();
  const sha = git('rev-parse', 'HEAD');
  return {
    sha,
    message: git('log', '-1', '--format=%s'),
    author: git('log', '-1', '--format=%an'),
    before: git('rev-parse', 'HEAD~1'),
  };
}

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
      [staging, production] = await Promise.all([startPostgres(), startPostgres()]);
      cleanup.push(
        () => staging!.stop(),
        () => production!.stop(),
      );
    }
    const dbUrl = { staging: options.databaseUrl ?? staging!.url, production: options.databaseUrl ?? production!.url };
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
    const heroku = new HerokuSim({ token: KEYS.heroku, buildMs: 60, releasePhaseMs: 40, promotionMs: 40 });
    const vercel = new VercelSimulator({ token: KEYS.vercel, serveDeployments: true, stepMs: 25 });
    const slack = new SlackSimulator({ botToken: KEYS.slack });
    const sentry = new SentrySimulator({ token: KEYS.sentry, org: 'wingmanmatch', projects: ['backend', 'frontend'] });
    await Promise.all([heroku.start(), vercel.start(), slack.start(), sentry.start()]);
    cleanup.push(
      () => heroku.stop(),
      () => vercel.stop(),
      () => slack.stop(),
      () => sentry.stop(),
    );

    for (const env of ['staging', 'production'] as const) {
      const app = heroku.addApp(APPS[env]);
      app.web_url = env === 'staging' ? stagingApp.url : productionApp.url;
      heroku.seedDeploy(APPS[env], 'the-previous-commit');
    }
    heroku.addPipeline('wingmanmatch', [
      { app: APPS.staging, stage: 'staging' },
      { app: APPS.production, stage: 'production' },
    ]);
    const project = vercel.addProject({ name: 'wingmanmatch' });
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

    const git = gitFacts();
    const event: Record<string, Value> = {
      ref: 'refs/heads/main',
      before: git.before,
      after: git.sha,
      repository: {
        full_name: 'wingman-org/wingmanmatch',
        name: 'wingmanmatch',
        html_url: 'https://github.com/wingman-org/wingmanmatch',
      },
      head_commit: { id: git.sha, message: git.message, author: { name: git.author } },
      commits: [{ id: git.sha, message: git.message, author: { name: git.author } }],
      pusher: { name: 'rehearsal' },
      sender: { login: 'rehearsal' },
    };
    let count = 0;
    const runner = new WorkflowRunner({
      github: {
        sha: git.sha,
        ref: 'refs/heads/main',
        event_name: 'push',
        event,
        repository: 'wingman-org/wingmanmatch',
        actor: 'rehearsal',
        run_id: '4242',
        server_url: 'https://github.com',
      },
      vars: {
        HEROKU_STAGING_APP: APPS.staging,
        HEROKU_PRODUCTION_APP: APPS.production,
        VERCEL_PROJECT_ID: project.id,
        VERCEL_TEAM_ID: '',
        SENTRY_ORG: 'wingmanmatch',
        SENTRY_PROJECTS: 'backend,frontend',
        SLACK_CHANNEL: channel.id,
        API_URLS: JSON.stringify({
          heroku: heroku.url,
          vercel: vercel.url,
          slack: `${slack.url}/api`,
          sentry: sentry.url,
        }),
        SMOKE_WAIT_TIMEOUT: '3s',
      },
      environmentSecrets: {
        staging: { DATABASE_URL: dbUrl.staging },
        production: { DATABASE_URL: dbUrl.production },
      },
      env: {
        RUNNER_TOOL_CACHE: toolCache,
        HOME: join(work, 'home'),
        SENTRY_LOAD_DOTENV: '0',
        SENTRY_HTTP_MAX_RETRIES: '0',
        RUST_BACKTRACE: '0',
      },
      onStep: ({ phase, job, step, record, gate }) => {
        if (gate) print(`        ${job}: ${step} (${gate} in the rehearsal)`);
        else if (phase === 'end' && !record) print(`        ${job}: skipped`);
        // The stand-ins for checkout and friends do nothing worth a line.
        else if (phase === 'end' && record && (record.action || !record.step.includes('@')))
          print(progress(++count, record));
      },
    });
    const run = await runner.run(
      '.github/workflows/push-main.yml',
      {},
      {
        HEROKU_API_KEY: KEYS.heroku,
        VERCEL_TOKEN: KEYS.vercel,
        SLACK_BOT_TOKEN: KEYS.slack,
        SENTRY_AUTH_TOKEN: KEYS.sentry,
      },
    );

    const state = (env: 'staging' | 'production') => {
      const current = heroku.currentRelease(APPS[env]);
      return { current: current?.version, slugOfCurrent: current?.slug?.id, previousSlug: previousSlug[env] };
    };
    const result: RehearsalResult = {
      ok: Object.values(run.jobs).every((j) => j.result !== 'failure'),
      run,
      heroku: { staging: state('staging'), production: state('production') },
      vercelProduction: vercel.productionOf(project.id),
      slack: slack.topLevel(channel.id).map((m) => ({
        text: m.text,
        edits: m.history.length,
        replies: slack.replies(channel.id, m.ts).length,
      })),
      sentryReleases: [...sentry.releases.keys()],
      durationMs: Date.now() - started,
    };
    summarize(result, scenario, print);
    return result;
  } finally {
    for (const stop of cleanup.reverse()) await Promise.resolve(stop()).catch(() => {});
  }
}

function progress(n: number, r: StepRecord): string {
  const mark = r.result === 'success' ? '✓' : r.result === 'failure' ? '✗' : '–';
  const what = r.action ? `${r.action}` : r.step;
  return `[${String(n).padStart(2)}] ${mark} ${r.job} › ${what} (${r.durationMs} ms)`;
}

function summarize(r: RehearsalResult, scenario: Scenario, print: (l: string) => void) {
  print('');
  print(`Pipeline (${scenario}) ${r.ok ? 'passed' : 'ended with failures'} in ${(r.durationMs / 1000).toFixed(1)} s`);
  for (const [job, j] of Object.entries(r.run.jobs))
    print(
      `  ${job}: ${j.result}${j.outputs['release-version'] ? `, backend release ${j.outputs['release-version']}` : ''}`,
    );
  for (const env of ['staging', 'production'] as const) {
    const h = r.heroku[env];
    const back = h.slugOfCurrent === h.previousSlug ? ' (the previous release’s slug: rolled back)' : '';
    print(`  Heroku ${env}: current release v${h.current}${back}`);
  }
  print(`  Vercel production deployment: ${r.vercelProduction ?? '(none)'}`);
  for (const m of r.slack)
    print(`  Slack: "${m.text}" (${m.edits} update(s), ${m.replies} thread repl${m.replies === 1 ? 'y' : 'ies'})`);
  print(`  Sentry releases: ${r.sentryReleases.join(', ') || '(none)'}`);
}
