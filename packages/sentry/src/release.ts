// A Sentry release for one deploy, in Sentry's order: new → set-commits → sourcemaps (inject + upload)
// → deploy marker → finalize. Safe to re-run: the release's current state is read first, so a second run
// for the same release creates nothing twice, and the deploy marker is keyed by the run attempt.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type HttpClientOptions, HttpError } from '@wingman/http';
import type { Log } from '@wingman/log';
import { type ReleaseInfo, SentryApi, type SentryCommit } from './api';
import { runSentryCli, type SentryCliOptions } from './cli';
import { hintFor, SentryReleaseError, type SentryStep } from './errors';
import { checkoutKind } from './git';
import { compareCommits, eventCommits, type GitHubSource } from './github-commits';
import { parseUploadReport } from './sourcemaps';

export type SetCommitsMode = 'auto' | 'skip' | { spec: string };

export interface SentryReleaseOptions {
  cliPath: string;
  /** Sentry base URL, e.g. https://sentry.io. */
  url: string;
  authToken: string;
  org: string;
  projects: string[];
  release: string;
  /** When set, a deploy marker for this environment. */
  environment?: string;
  /** Identity of this run attempt's deploy; its url is what a re-run looks for before creating another. */
  deploy?: { name: string; url: string };
  setCommits: SetCommitsMode;
  /** Folders/files (relative to cwd) to inject with debug ids and upload. */
  sourcemaps: string[];
  urlPrefix: string;
  finalize: boolean;
  cwd: string;
  /** For the commit fallback on checkouts without history. */
  github?: GitHubSource & { sha: string; event?: unknown };
  env?: NodeJS.ProcessEnv;
  log: Log;
  redact?: (text: string) => string;
  http?: Partial<HttpClientOptions>;
}

export type CommitSource = 'git' | 'github-compare' | 'push-event' | 'head-only' | 'spec' | 'existing' | 'skipped';

export interface SentryReleaseResult {
  release: string;
  releaseUrl: string;
  /** False when the release existed before this run. */
  created: boolean;
  commits: { source: CommitSource; count: number; warning?: string };
  /** Files uploaded, per project (one artifact bundle associated with every project). */
  sourcemaps: { project: string; files: string[] }[];
  deploy?: { environment: string; name: string; url: string; created: boolean };
  finalized: 'now' | 'already' | 'skipped';
  /** Things the user should know that are not failures (shown as notices). */
  notices: string[];
  /** Steps completed, in order, for the summary. */
  steps: { step: SentryStep; outcome: string }[];
  /** The step that failed, when the run failed. */
  failedStep?: SentryStep;
}

export class SentryReleaseRunError extends SentryReleaseError {
  override name = 'SentryReleaseRunError';
  constructor(
    cause: SentryReleaseError,
    readonly result: SentryReleaseResult,
  ) {
    super(cause.message, cause.step, cause.status);
  }
}

export function releaseUrl(url: string, org: string, release: string): string {
  return `${url.replace(/\/+$/, '')}/organizations/${encodeURIComponent(org)}/releases/${encodeURIComponent(release)}/`;
}

/** Wraps a REST failure in the step's one-line error. */
function stepError(step: SentryStep, err: unknown): SentryReleaseError {
  if (err instanceof SentryReleaseError) return err;
  // Not Sentry answering at all (a wrong url): the client's message names the URL and the input.
  if (err instanceof HttpError && err.code === 'not_the_api')
    return new SentryReleaseError(`Sentry step '${step}' failed: ${err.message}`, step);
  const status = err instanceof HttpError ? err.status : undefined;
  const what =
    err instanceof HttpError
      ? `${err.providerMessage ?? err.code ?? `HTTP ${err.status}`} (http status: ${err.status}, ${err.method} ${err.path})`
      : err instanceof Error
        ? err.message
        : String(err);
  return new SentryReleaseError(`Sentry step '${step}' failed: ${what}; ${hintFor(status)}`, step, status);
}

export async function createSentryRelease(options: SentryReleaseOptions): Promise<SentryReleaseResult> {
  const { log } = options;
  const result: SentryReleaseResult = {
    release: options.release,
    releaseUrl: releaseUrl(options.url, options.org, options.release),
    created: false,
    commits: { source: 'skipped', count: 0 },
    sourcemaps: [],
    finalized: 'skipped',
    notices: [],
    steps: [],
  };
  for (const path of options.sourcemaps) {
    if (!existsSync(resolve(options.cwd, path))) {
      throw new SentryReleaseError(
        `input 'sourcemaps': ${path} does not exist in ${options.cwd}; build the app before this step or fix the path`,
      );
    }
  }
  const cli: SentryCliOptions = {
    cliPath: options.cliPath,
    url: options.url,
    authToken: options.authToken,
    org: options.org,
    cwd: options.cwd,
    env: options.env,
    log,
    redact: options.redact,
    signal: options.http?.signal,
  };
  const api = new SentryApi({ url: options.url, authToken: options.authToken, org: options.org, http: options.http });
  let step: SentryStep = 'new';
  const done = (outcome: string) => result.steps.push({ step, outcome });
  try {
    // new: Sentry's POST is get-or-create already; reading first lets the summary say which it was.
    let existing: ReleaseInfo | undefined;
    await log.group(`Sentry release ${options.release}`, async () => {
      existing = await api.getRelease(options.release).catch((err: unknown) => {
        throw stepError('new', err);
      });
      const missing = options.projects.filter((p) => !existing?.projects?.some((e) => e.slug === p));
      if (existing && missing.length === 0) {
        log.info(`Release ${options.release} already exists for ${options.projects.join(', ')}`);
        done('already existed');
        return;
      }
      await runSentryCli(cli, 'new', [
        'releases',
        'new',
        options.release,
        ...options.projects.flatMap((p) => ['-p', p]),
      ]);
      result.created = !existing;
      done(existing ? `added project(s) ${missing.join(', ')}` : 'created');
    });

    step = 'set-commits';
    await log.group('Associate commits', async () => {
      result.commits = await associateCommits(options, api, cli, existing, result.notices);
      done(`${result.commits.count} commit(s) (${result.commits.source})`);
    });

    if (options.sourcemaps.length > 0) {
      step = 'sourcemaps inject';
      await log.group(`Source maps: ${options.sourcemaps.join(', ')}`, async () => {
        // Idempotent: files that already carry a debug id are left alone.
        await runSentryCli(cli, 'sourcemaps inject', ['sourcemaps', 'inject', ...options.sourcemaps]);
        done('debug ids injected');
        step = 'sourcemaps upload';
        // One artifact bundle associated with every project: chunks already on the server are not sent again.
        const out = await runSentryCli(cli, 'sourcemaps upload', [
          'sourcemaps',
          'upload',
          '--release',
          options.release,
          '--url-prefix',
          options.urlPrefix,
          '--wait',
          ...options.projects.flatMap((p) => ['-p', p]),
          ...options.sourcemaps,
        ]);
        const files = parseUploadReport(out.stdout);
        result.sourcemaps = options.projects.map((project) => ({ project, files }));
        done(`${files.length} file(s) for ${options.projects.join(', ')}`);
      });
    }

    if (options.environment) {
      step = 'deploy';
      const environment = options.environment;
      const deploy = options.deploy ?? { name: `deploy of ${options.release}`, url: '' };
      await log.group(`Deploy marker: ${environment}`, async () => {
        const deploys = await api.listDeploys(options.release);
        const recorded = deploy.url
          ? deploys.find((d) => d.environment === environment && d.url === deploy.url)
          : undefined;
        if (recorded) {
          log.info(`Deploy to ${environment} for this run attempt is already recorded (deploy ${recorded.id})`);
          result.deploy = { environment, ...deploy, created: false };
          done('already recorded for this run attempt');
          return;
        }
        const args = ['deploys', 'new', '--release', options.release, '--env', environment, '--name', deploy.name];
        if (deploy.url) args.push('--url', deploy.url);
        await runSentryCli(cli, 'deploy', args);
        result.deploy = { environment, ...deploy, created: true };
        done(`recorded for ${environment}`);
      });
    }

    if (options.finalize) {
      step = 'finalize';
      const current = await api.getRelease(options.release);
      if (current?.dateReleased) {
        result.finalized = 'already';
        log.info(`Release ${options.release} was finalized at ${current.dateReleased}`);
        done(`already finalized (${current.dateReleased})`);
      } else {
        await runSentryCli(cli, 'finalize', ['releases', 'finalize', options.release]);
        result.finalized = 'now';
        done('finalized');
      }
    }
    return result;
  } catch (err) {
    const failure = stepError(step, err);
    result.failedStep = failure.step;
    throw new SentryReleaseRunError(failure, result);
  } finally {
    await api.close();
  }
}

/**
 * Commits never fail the deploy: every problem ends as a warning. A full checkout uses sentry-cli's own
 * discovery (`--auto`); a shallow one would give a wrong range (or fail with "Could not find the SHA of
 * the previous release"), so the range previous-release..HEAD comes from GitHub's compare API, else from
 * the push event, else HEAD alone, and is set through the API with a notice.
 */
async function associateCommits(
  options: SentryReleaseOptions,
  api: SentryApi,
  cli: SentryCliOptions,
  existing: ReleaseInfo | undefined,
  notices: string[],
): Promise<SentryReleaseResult['commits']> {
  const { log } = options;
  if (options.setCommits === 'skip') return { source: 'skipped', count: 0 };
  try {
    if (existing?.commitCount) {
      log.info(`Release ${options.release} already has ${existing.commitCount} commit(s); not setting them again`);
      return { source: 'existing', count: existing.commitCount };
    }
    if (typeof options.setCommits === 'object') {
      await runSentryCli(cli, 'set-commits', [
        'releases',
        'set-commits',
        options.release,
        '--commit',
        options.setCommits.spec,
      ]);
      return { source: 'spec', count: (await api.getRelease(options.release))?.commitCount ?? 0 };
    }
    const kind = await checkoutKind(options.cwd);
    if (kind === 'full') {
      // --ignore-missing: a previous release whose commit was force-pushed away starts a fresh range.
      await runSentryCli(cli, 'set-commits', [
        'releases',
        'set-commits',
        options.release,
        '--auto',
        '--ignore-missing',
      ]);
      return { source: 'git', count: (await api.getRelease(options.release))?.commitCount ?? 0 };
    }
    return await fallbackCommits(options, api, kind, notices);
  } catch (err) {
    const message = `commits were not associated with release ${options.release}: ${stepError('set-commits', err).message}`;
    log.warning(message);
    return { source: 'skipped', count: 0, warning: message };
  }
}

async function fallbackCommits(
  options: SentryReleaseOptions,
  api: SentryApi,
  kind: 'shallow' | 'none',
  notices: string[],
): Promise<SentryReleaseResult['commits']> {
  const gh = options.github;
  const why =
    kind === 'shallow'
      ? 'the checkout is shallow (actions/checkout fetch-depth: 1), so git cannot see the range since the previous release'
      : `${options.cwd} is not a git checkout`;
  if (!gh) {
    notices.push(`Commits not associated: ${why}, and no GitHub repository/SHA was given to look them up`);
    return { source: 'skipped', count: 0 };
  }
  const previous = await api.previousReleaseWithCommits(options.release);
  const base = previous?.lastCommit?.id;
  let commits: SentryCommit[] = [];
  let source: CommitSource = 'head-only';
  let how = '';
  if (base && base !== gh.sha) {
    try {
      commits = await compareCommits(gh, base, gh.sha);
      source = 'github-compare';
      how = `GitHub's compare API (${base.slice(0, 12)}...${gh.sha.slice(0, 12)}, previous release ${previous?.version})`;
    } catch (err) {
      options.log.warning(
        `GitHub compare ${base.slice(0, 12)}...${gh.sha.slice(0, 12)} failed: ${(err as Error).message}`,
      );
    }
  }
  if (commits.length === 0) {
    commits = eventCommits(gh.event, gh.repository);
    if (commits.length > 0) {
      source = 'push-event';
      how = base
        ? "the push event's commits (the compare API gave none)"
        : "the push event's commits (no earlier release has commits)";
    }
  }
  if (commits.length === 0 || commits[0]?.id !== gh.sha) {
    // Sentry takes the first commit as the release's head: make sure it is the deployed one.
    commits = [{ id: gh.sha, repository: gh.repository }, ...commits.filter((c) => c.id !== gh.sha)];
    if (source === 'head-only') how = 'the deployed commit alone (no earlier release with commits, no push commits)';
  }
  await api.setCommits(options.release, commits);
  notices.push(
    `Sentry release ${options.release}: ${why}; ${commits.length} commit(s) taken from ${how}. Use fetch-depth: 0 on actions/checkout for sentry-cli's own discovery.`,
  );
  options.log.info(`Associated ${commits.length} commit(s) from ${how}`);
  return { source, count: commits.length };
}
