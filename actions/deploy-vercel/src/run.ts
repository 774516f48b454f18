import type { ActionContext, Inputs } from '@wingman/action-kit';
import {
  createGitHubClient,
  deploying,
  type GitHubClient,
  type GitHubContext,
  pullRequestIsOpen,
  readGitHubContext,
} from '@wingman/github';
import { startDeadline } from '@wingman/time';
import {
  cleanUpPreview,
  createVercelApi,
  type DeployResult,
  type PreviewCleanupResult,
  promote,
  type ReleaseResult,
  renderAliases,
  renderValues,
  rollback,
  ship,
  sweepPreviewAliases,
  type VercelApi,
} from '@wingman/vercel';
import type { deployVercelInputs } from './inputs';
import {
  reportAliasesRemoved,
  reportCleanup,
  reportCleanupFailure,
  reportDeploy,
  reportDeployFailure,
  reportRelease,
  reportReleaseFailure,
  reportSweep,
  resetCleanupOutputs,
} from './report';

type DeployVercelInputs = Inputs<(typeof deployVercelInputs)['spec']>;

export async function run(ctx: ActionContext, inputs: DeployVercelInputs): Promise<void> {
  // One deadline for the whole step: uploads, the build wait, promotion and every GitHub call end with it.
  const deadline = startDeadline(inputs.timeout, 'timeout', performance.timeOrigin);
  const api = createVercelApi({
    token: inputs.token,
    teamId: inputs.teamId,
    apiUrl: inputs.apiUrl,
    signal: deadline.signal,
    onRetry: (r) => ctx.log.info(`retrying ${r.method} ${r.path} in ${r.delayMs} ms (${r.reason})`),
  });
  const gh = deploying(readGitHubContext(), inputs.commit);
  // github-token speaks to a pull request: deploy comments on it, cleanup tidies it up.
  const github =
    inputs.githubToken && gh.pullRequest && (inputs.mode === 'deploy' || inputs.mode === 'cleanup')
      ? createGitHubClient({ token: inputs.githubToken, apiUrl: gh.apiUrl, signal: deadline.signal })
      : undefined;
  try {
    if (inputs.mode === 'deploy') await runDeploy(ctx, inputs, api, gh, github);
    else if (inputs.mode === 'cleanup') await runCleanup(ctx, inputs, api, gh, github);
    else if (inputs.mode === 'sweep') await runSweep(ctx, inputs, api, gh, deadline.signal);
    else await runRelease(ctx, inputs, api);
  } finally {
    await api.close();
    await github?.close();
  }
}

async function runDeploy(
  ctx: ActionContext,
  inputs: DeployVercelInputs,
  api: VercelApi,
  gh: GitHubContext,
  github: GitHubClient | undefined,
): Promise<void> {
  if (inputs.deployment) ctx.log.warning(`input 'deployment' is for mode promote/rollback; mode deploy ignores it`);
  const templates = { pr: gh.pullRequest?.number, branch: gh.branch, sha: gh.sha };
  const aliases = renderAliases(inputs.aliases ?? [], templates);
  const env = renderValues(inputs.env, templates, 'env');
  const buildEnv = renderValues(inputs.buildEnv, templates, 'build-env');
  // A value with a template filled in is a new string: mask it too (the given ones already are).
  const given = new Set([...Object.values(inputs.env ?? {}), ...Object.values(inputs.buildEnv ?? {})]);
  for (const v of [...Object.values(env ?? {}), ...Object.values(buildEnv ?? {})])
    if (!given.has(v) && v.length >= 3) ctx.addSecret(v);
  if (inputs.githubToken && !gh.pullRequest) {
    ctx.log.info(`github-token is used on pull_request events only (this is a ${gh.eventName || 'non-PR'} event)`);
  }
  let result: DeployResult;
  try {
    result = await ship({
      api,
      projectId: inputs.projectId,
      target: inputs.target,
      staged: inputs.staged,
      source: inputs.source,
      outputDir: inputs.outputDir,
      static: inputs.static,
      buildOverrides: {
        framework: inputs.framework,
        buildCommand: inputs.buildCommand,
        installCommand: inputs.installCommand,
        outputDirectory: inputs.buildOutputDirectory,
      },
      env,
      buildEnv,
      expectSourceDigest: inputs.expectSourceDigest,
      bypassSecret: inputs.bypassSecret,
      force: inputs.force,
      uploadConcurrency: inputs.uploadConcurrency,
      timeoutMs: inputs.timeout,
      aliases,
      log: ctx.log,
      context: gh,
      github,
      comment: inputs.comment,
      redact: ctx.redact,
    });
  } catch (err) {
    reportDeployFailure(ctx, err);
    throw err;
  }
  reportDeploy(ctx, { ...inputs, commit: gh.sha || undefined }, result);
}

async function runRelease(ctx: ActionContext, inputs: DeployVercelInputs, api: VercelApi): Promise<void> {
  const options = {
    api,
    projectId: inputs.projectId,
    deployment: inputs.deployment,
    timeoutMs: inputs.timeout,
    log: ctx.log,
    description: process.env.GITHUB_RUN_ID
      ? `wingman-deploy rollback from run ${process.env.GITHUB_RUN_ID}`
      : undefined,
  };
  let result: ReleaseResult;
  try {
    result = inputs.mode === 'promote' ? await promote(options) : await rollback(options);
  } catch (err) {
    reportReleaseFailure(ctx, inputs.mode, err);
    throw err;
  }
  reportRelease(ctx, inputs.mode, result);
}

async function runCleanup(
  ctx: ActionContext,
  inputs: DeployVercelInputs,
  api: VercelApi,
  gh: GitHubContext,
  github: GitHubClient | undefined,
): Promise<void> {
  if (inputs.deployment) ctx.log.warning(`input 'deployment' is for mode promote/rollback; mode cleanup ignores it`);
  const pr = gh.pullRequest;
  if (inputs.githubToken && !pr) {
    ctx.log.warning(
      `github-token is used on pull_request events only (this is a ${gh.eventName || 'non-PR'} event): no GitHub deployments were marked inactive`,
    );
  }
  if (!inputs.aliases?.length && !github) {
    throw new Error(
      "mode cleanup has nothing to do: set 'aliases' to the preview hostnames to remove, and/or 'github-token' on a pull_request event",
    );
  }
  resetCleanupOutputs(ctx);
  const aliases = renderAliases(inputs.aliases ?? [], { pr: pr?.number, branch: gh.branch, sha: gh.sha });
  let aliasesRemoved = false;
  let result: PreviewCleanupResult;
  try {
    result = await cleanUpPreview({
      api,
      projectId: inputs.projectId,
      aliases,
      context: gh,
      github,
      log: ctx.log,
      onAliasesRemoved: (removed) => {
        aliasesRemoved = true;
        reportAliasesRemoved(ctx, removed);
      },
    });
  } catch (err) {
    // The ❌ heading is for the aliases (Vercel's side); a GitHub failure after them is told by the step's error.
    if (!aliasesRemoved) reportCleanupFailure(ctx);
    throw err;
  }
  reportCleanup(ctx, pr?.number, result);
}

async function runSweep(
  ctx: ActionContext,
  inputs: DeployVercelInputs,
  api: VercelApi,
  gh: GitHubContext,
  signal: AbortSignal,
): Promise<void> {
  if (!inputs.githubToken)
    throw new Error("input 'github-token' is required for mode sweep: pass github.token, to read which PRs are closed");
  if (!inputs.aliases?.length)
    throw new Error(
      "input 'aliases' is required for mode sweep: give the alias templates the previews use, e.g. myapp-pr-{pr}.vercel.app",
    );
  resetCleanupOutputs(ctx);
  const github = createGitHubClient({ token: inputs.githubToken, apiUrl: gh.apiUrl, signal });
  try {
    const result = await sweepPreviewAliases({
      api,
      projectId: inputs.projectId,
      templates: [...inputs.aliases],
      isOpen: pullRequestIsOpen(github, { owner: gh.owner, repo: gh.repo }),
      log: ctx.log,
    });
    reportSweep(ctx, result);
  } finally {
    await github.close();
  }
}
