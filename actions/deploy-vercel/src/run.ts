import type { ActionContext, Inputs } from '@wingman/action-kit';
import { createGitHubClient, type GitHubClient, readGitHubContext } from '@wingman/github';
import { startDeadline } from '@wingman/time';
import {
  cleanUpPullRequest,
  createVercelApi,
  type DeployResult,
  deploy,
  https,
  type PullRequestCleanupResult,
  PullRequestReport,
  promote,
  type ReleaseResult,
  removeAliases,
  renderAliases,
  rollback,
  VercelDeployError,
  type VercelDeployment,
} from '@wingman/vercel';
import type { deployVercelInputs } from './inputs';

type DeployVercelInputs = Inputs<(typeof deployVercelInputs)['spec']>;

function setDeploymentOutputs(ctx: ActionContext, d: VercelDeployment | undefined, aliases: string[] = []): void {
  ctx.setOutput('deployment-id', d?.id ?? '');
  ctx.setOutput('url', d ? https(d.url) : '');
  ctx.setOutput('inspector-url', d?.inspectorUrl ?? '');
  ctx.setOutput('ready-state', d?.readyState ?? '');
  const all = [...new Set([...aliases, ...(d?.alias ?? [])])];
  ctx.setOutput('aliases', all);
}

function summaryRows(d: VercelDeployment, extra: [string, string][]): [string, string][] {
  return [
    ['Deployment', d.id],
    ['URL', https(d.url)],
    ['State', `${d.readyState}${d.readySubstate ? ` (${d.readySubstate})` : ''}`],
    ...(d.inspectorUrl ? ([['Inspect', d.inspectorUrl]] as [string, string][]) : []),
    ...extra,
  ];
}

export async function run(ctx: ActionContext, inputs: DeployVercelInputs): Promise<void> {
  // One deadline for the whole step: uploads, the build wait, promotion and every GitHub call end with it.
  const deadline = startDeadline(inputs.timeout, 'timeout');
  const api = createVercelApi({
    token: inputs.token,
    teamId: inputs.teamId,
    apiUrl: inputs.apiUrl,
    signal: deadline.signal,
    onRetry: (r) => ctx.log.info(`retrying ${r.method} ${r.path} in ${r.delayMs} ms (${r.reason})`),
  });
  const gh = readGitHubContext();
  let github: GitHubClient | undefined;
  try {
    if (inputs.mode === 'deploy') {
      await runDeploy(ctx, inputs, api, gh, (token) => {
        github = createGitHubClient({ token, apiUrl: gh.apiUrl, signal: deadline.signal });
        return github;
      });
    } else if (inputs.mode === 'cleanup') {
      await runCleanup(ctx, inputs, api, gh, (token) => {
        github = createGitHubClient({ token, apiUrl: gh.apiUrl, signal: deadline.signal });
        return github;
      });
    } else {
      await runRelease(ctx, inputs, api);
    }
  } finally {
    await api.close();
    await github?.close();
  }
}

async function runDeploy(
  ctx: ActionContext,
  inputs: DeployVercelInputs,
  api: ReturnType<typeof createVercelApi>,
  gh: ReturnType<typeof readGitHubContext>,
  githubClient: (token: string) => GitHubClient,
): Promise<void> {
  if (inputs.deployment) ctx.log.warning(`input 'deployment' is for mode promote/rollback; mode deploy ignores it`);
  const aliases = renderAliases(inputs.aliases ?? [], { pr: gh.pullRequest?.number, branch: gh.branch, sha: gh.sha });
  let report: PullRequestReport | undefined;
  if (inputs.githubToken && gh.pullRequest) {
    // The project's name labels the comment and the GitHub environment; deploy() reports a missing project.
    const projectName = await api.getProject(inputs.projectId).then(
      (p) => p.name,
      () => inputs.projectId,
    );
    report = new PullRequestReport({
      github: githubClient(inputs.githubToken),
      repo: { owner: gh.owner, repo: gh.repo },
      pr: gh.pullRequest.number,
      sha: gh.sha,
      projectId: inputs.projectId,
      projectName,
      log: ctx.log,
      runUrl: gh.runUrl,
    });
    await ctx.log.group(`GitHub deployment for #${gh.pullRequest.number}`, () => report!.start());
  } else if (inputs.githubToken) {
    ctx.log.info(`github-token is used on pull_request events only (this is a ${gh.eventName || 'non-PR'} event)`);
  }

  let result: DeployResult;
  try {
    result = await deploy({
      api,
      projectId: inputs.projectId,
      target: inputs.target,
      staged: inputs.staged,
      outputDir: inputs.outputDir,
      force: inputs.force,
      uploadConcurrency: inputs.uploadConcurrency,
      timeoutMs: inputs.timeout,
      aliases,
      log: ctx.log,
      git: {
        sha: gh.sha || undefined,
        branch: gh.branch || undefined,
        commitMessage: gh.commitMessage,
        owner: gh.owner || undefined,
        repo: gh.repo || undefined,
        prNumber: gh.pullRequest?.number,
        actor: gh.actor,
        serverUrl: gh.serverUrl,
        repoVisibility: gh.repositoryVisibility,
      },
    });
  } catch (err) {
    const d = err instanceof VercelDeployError ? err.deployment : undefined;
    setDeploymentOutputs(ctx, d);
    ctx.setOutput('skipped', false);
    ctx.setOutput('previous-production-deployment-id', '');
    if (report) {
      await ctx.log.group(`Pull request #${gh.pullRequest!.number}`, () =>
        report!.fail(ctx.redact((err as Error).message), d),
      );
    }
    ctx.summary.heading('❌ deploy-vercel');
    if (d) ctx.summary.table(['', ''], summaryRows(d, []));
    throw err;
  }

  const d = result.deployment;
  setDeploymentOutputs(ctx, d, result.assignedAliases);
  ctx.setOutput('skipped', result.skipped);
  ctx.setOutput('previous-production-deployment-id', result.previousProductionId ?? '');
  if (report) {
    await ctx.log.group(`Pull request #${gh.pullRequest!.number}`, () =>
      report!.succeed(d, result.assignedAliases, result.skipped),
    );
  }

  const where =
    inputs.target === 'production'
      ? inputs.staged
        ? 'production (staged: domains unchanged)'
        : 'production'
      : inputs.target;
  ctx.summary.heading(`✅ deploy-vercel: ${where}`);
  ctx.summary.text(
    result.skipped
      ? `Reused ${d.id}: a READY deployment of this commit already existed (set \`force: true\` to deploy again).`
      : `${result.fileCount} file(s), ${result.uploaded.files} uploaded (${result.uploaded.bytes} bytes); the rest Vercel already had.`,
  );
  ctx.summary.table(
    ['', ''],
    summaryRows(d, [
      ...result.assignedAliases.map((a) => ['Alias', `https://${a}`] as [string, string]),
      ['Previous production', result.previousProductionId ?? '(none)'],
    ]),
  );
  if (inputs.staged)
    ctx.summary.text(`Promote it with \`mode: promote\` and \`deployment: ${d.id}\` once the smoke tests pass.`);
}

async function runRelease(ctx: ActionContext, inputs: DeployVercelInputs, api: ReturnType<typeof createVercelApi>) {
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
    setDeploymentOutputs(ctx, err instanceof VercelDeployError ? err.deployment : undefined);
    ctx.setOutput('skipped', false);
    ctx.setOutput('previous-production-deployment-id', '');
    ctx.summary.heading(`❌ deploy-vercel ${inputs.mode}`);
    throw err;
  }
  const d = result.deployment;
  setDeploymentOutputs(ctx, d);
  ctx.setOutput('skipped', result.unchanged);
  ctx.setOutput('previous-production-deployment-id', result.previousProductionId ?? '');
  ctx.summary.heading(`✅ deploy-vercel ${inputs.mode}: ${result.project.name}`);
  ctx.summary.text(
    result.unchanged
      ? `${d.id} already served production: nothing changed.`
      : `Production of **${result.project.name}** moved from ${result.previousProductionId ?? '(none)'} to ${d.id}.`,
  );
  ctx.summary.table(['', ''], summaryRows(d, [['Previous production', result.previousProductionId ?? '(none)']]));
}

async function runCleanup(
  ctx: ActionContext,
  inputs: DeployVercelInputs,
  api: ReturnType<typeof createVercelApi>,
  gh: ReturnType<typeof readGitHubContext>,
  githubClient: (token: string) => GitHubClient,
): Promise<void> {
  if (inputs.deployment) ctx.log.warning(`input 'deployment' is for mode promote/rollback; mode cleanup ignores it`);
  const pr = gh.pullRequest;
  const withGitHub = !!inputs.githubToken && !!pr;
  if (inputs.githubToken && !pr) {
    ctx.log.warning(
      `github-token is used on pull_request events only (this is a ${gh.eventName || 'non-PR'} event): no GitHub deployments were marked inactive`,
    );
  }
  if (!inputs.aliases?.length && !withGitHub) {
    throw new Error(
      "mode cleanup has nothing to do: set 'aliases' to the preview hostnames to remove, and/or 'github-token' on a pull_request event",
    );
  }
  ctx.setOutput('deployment-id', '');
  ctx.setOutput('url', '');
  ctx.setOutput('inspector-url', '');
  ctx.setOutput('ready-state', '');
  ctx.setOutput('previous-production-deployment-id', '');
  ctx.setOutput('aliases', []);
  ctx.setOutput('inactive-deployments', []);
  ctx.setOutput('skipped', false);

  const aliases = renderAliases(inputs.aliases ?? [], { pr: pr?.number, branch: gh.branch, sha: gh.sha });
  let removed: Awaited<ReturnType<typeof removeAliases>>;
  try {
    removed = await ctx.log.group(`Remove ${aliases.length} alias(es)`, () =>
      removeAliases({ api, projectId: inputs.projectId, aliases, log: ctx.log }),
    );
  } catch (err) {
    ctx.summary.heading('❌ deploy-vercel cleanup');
    throw err;
  }
  const removedNames = removed.removed.map((r) => r.alias);
  ctx.setOutput('aliases', removedNames);

  let gitHub: PullRequestCleanupResult | undefined;
  if (withGitHub) {
    gitHub = await ctx.log.group(`GitHub deployments of #${pr!.number}`, () =>
      cleanUpPullRequest({
        github: githubClient(inputs.githubToken!),
        repo: { owner: gh.owner, repo: gh.repo },
        pr: pr!.number,
        projectId: inputs.projectId,
        projectName: removed.project.name,
        log: ctx.log,
        removedAliases: removedNames,
      }),
    );
    ctx.setOutput('inactive-deployments', gitHub.deactivated);
  }
  const changed = removedNames.length > 0 || (gitHub?.deactivated.length ?? 0) > 0;
  ctx.setOutput('skipped', !changed);

  ctx.summary.heading(`✅ deploy-vercel cleanup: ${removed.project.name}${pr ? ` #${pr.number}` : ''}`);
  if (!changed) ctx.summary.text('Nothing left to clean up: the aliases and GitHub deployments were already gone.');
  const rows: [string, string][] = [
    ...removed.removed.map(
      (r) => ['Alias removed', `${r.alias}${r.deploymentId ? ` (was ${r.deploymentId})` : ''}`] as [string, string],
    ),
    ...removed.alreadyGone.map((a) => ['Alias already gone', a] as [string, string]),
  ];
  if (gitHub) {
    rows.push(['GitHub deployments marked inactive', gitHub.deactivated.join(', ') || '(none)']);
    if (gitHub.alreadyInactive.length)
      rows.push(['GitHub deployments already inactive', gitHub.alreadyInactive.join(', ')]);
    if (gitHub.warnings.length) rows.push(['Warnings', gitHub.warnings.join('<br>')]);
  }
  if (rows.length) ctx.summary.table(['', ''], rows);
}
