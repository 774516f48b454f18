import type { ActionContext, Inputs } from '@wingman/action-kit';
import { readEvent } from '@wingman/github';
import {
  createSentryRelease,
  npmRegistry,
  releaseUrl,
  type SentryReleaseResult,
  SentryReleaseRunError,
  type SetCommitsMode,
} from '@wingman/sentry';
import { startDeadline } from '@wingman/time';
import type { sentryReleaseInputs } from './inputs';
import { installSentryCli } from './install';

type SentryReleaseInputs = Inputs<typeof sentryReleaseInputs.spec>;

/** This run attempt's deploy: the URL of the attempt is what a re-run of the same attempt finds and skips. */
export function deployIdentity(env: NodeJS.ProcessEnv): { name: string; url: string } {
  const attempt = env.GITHUB_RUN_ATTEMPT ?? '1';
  const name = `${env.GITHUB_WORKFLOW ?? 'deploy'} #${env.GITHUB_RUN_NUMBER ?? '?'}${attempt !== '1' ? ` attempt ${attempt}` : ''}`;
  const url =
    env.GITHUB_RUN_ID && env.GITHUB_REPOSITORY
      ? `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}/attempts/${attempt}`
      : '';
  // Sentry's deploy name is at most 64 characters.
  return { name: name.length > 64 ? `${name.slice(0, 63)}…` : name, url };
}

export async function run(ctx: ActionContext, inputs: SentryReleaseInputs): Promise<void> {
  // github.ref of a tag push names the tag as refs/tags/v1.2.3; the release is v1.2.3, as getsentry's action does.
  const runSha = process.env.GITHUB_SHA;
  const sha = inputs.commit ?? runSha;
  const release = inputs.release?.replace(/^refs\/tags\//, '') ?? sha;
  if (!release)
    throw new Error("input 'release' is empty and GITHUB_SHA is not set: set 'release' under the step's with:");
  const url = inputs.url.replace(/\/+$/, '');
  ctx.setOutput('release', release);
  ctx.setOutput('release-url', releaseUrl(url, inputs.org, release));

  // One deadline for the whole step: the install, every API call and every sentry-cli run.
  const http = { signal: startDeadline(inputs.timeout, 'timeout', performance.timeOrigin).signal };
  const cliPath =
    inputs.cliPath ??
    (await ctx.log.group(`sentry-cli ${inputs.cliVersion}`, () =>
      installSentryCli({ version: inputs.cliVersion, registry: npmRegistry(inputs.npmRegistry), log: ctx.log, http }),
    ));

  const setCommits: SetCommitsMode =
    inputs.setCommits === 'auto' || inputs.setCommits === 'skip' ? inputs.setCommits : { spec: inputs.setCommits };
  const githubToken = inputs.githubToken?.startsWith('${{') ? undefined : inputs.githubToken;
  const repository = process.env.GITHUB_REPOSITORY;

  let result: SentryReleaseResult;
  try {
    result = await createSentryRelease({
      cliPath,
      url,
      authToken: inputs.authToken,
      org: inputs.org,
      projects: inputs.projects,
      release,
      environment: inputs.environment,
      deploy: deployIdentity(process.env),
      setCommits,
      sourcemaps: inputs.sourcemaps ?? [],
      urlPrefix: inputs.urlPrefix,
      finalize: inputs.finalize,
      cwd: process.env.GITHUB_WORKSPACE ?? process.cwd(),
      github:
        repository && sha
          ? {
              apiUrl: process.env.GITHUB_API_URL ?? 'https://api.github.com',
              token: githubToken,
              repository,
              sha,
              // A push's commits lead to the run's own commit, not to another one this step deploys.
              event: sha === runSha ? readEvent(process.env.GITHUB_EVENT_PATH) : {},
              http,
            }
          : undefined,
      http,
      log: ctx.log,
      redact: ctx.redact,
    });
  } catch (err) {
    if (err instanceof SentryReleaseRunError) writeReport(ctx, err.result, err);
    throw err;
  }
  writeReport(ctx, result);
}

function writeReport(ctx: ActionContext, result: SentryReleaseResult, failure?: Error): void {
  for (const n of result.notices) ctx.log.notice(n, { title: 'sentry-release' });
  const s = ctx.summary;
  s.heading(`${failure ? '❌' : '✅'} sentry-release`);
  s.text(
    `Release [${result.release}](${result.releaseUrl})${result.created ? ' created' : ''}` +
      (result.finalized === 'now' ? ', finalized.' : result.finalized === 'already' ? ' (already finalized).' : '.'),
  );
  const commits = result.commits;
  const from: Record<string, string> = {
    git: 'local git history',
    'github-compare': "GitHub's compare API (shallow checkout)",
    'push-event': "the push event's commits (shallow checkout)",
    'head-only': 'the deployed commit alone (shallow checkout)',
    spec: 'the set-commits input',
    existing: 'earlier run (already associated)',
    skipped: 'not associated',
  };
  s.text(`Commits associated: ${commits.count} — ${from[commits.source] ?? commits.source}.`);
  if (result.sourcemaps.length)
    s.table(
      ['project', 'files uploaded'],
      result.sourcemaps.map((p) => [p.project, `${p.files.length}${p.files.length ? `: ${p.files.join(', ')}` : ''}`]),
    );
  if (result.deploy)
    s.text(
      `Deploy environment: **${result.deploy.environment}** (${result.deploy.name}${result.deploy.created ? '' : ', already recorded for this run attempt'}).`,
    );
  const warnings = [...(commits.warning ? [commits.warning] : []), ...result.notices];
  if (warnings.length) s.heading('Notes', 3).list(warnings);
  if (result.steps.length) s.details('Steps', result.steps.map((st) => `- ${st.step}: ${st.outcome}`).join('\n'));
}
