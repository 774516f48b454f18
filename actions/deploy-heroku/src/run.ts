import type { ActionContext, Inputs } from '@wingman/action-kit';
import {
  deleteReviewApp,
  deploy,
  deployReviewApp,
  describeConfigChange as describe,
  type HerokuOptions,
  type HerokuReport,
  HerokuRunError,
  promote,
  type ReleaseRef,
  rollback,
  setMaintenance,
  sweepReviewApps,
} from '@wingman/heroku';
import { formatDuration, startDeadline } from '@wingman/time';
import type { deployHerokuInputs } from './inputs';

type DeployHerokuInputs = Inputs<typeof deployHerokuInputs.spec>;

const v = (r: ReleaseRef | undefined) => (r ? `v${r.version}` : '');

export async function run(ctx: ActionContext, inputs: DeployHerokuInputs): Promise<void> {
  // One deadline for the whole step: every request, retry wait and poll ends with it.
  const deadline = startDeadline(inputs.timeout, 'timeout', performance.timeOrigin);
  const common: HerokuOptions = {
    apiKey: inputs.apiKey,
    app: inputs.app,
    apiUrl: inputs.apiUrl,
    log: ctx.log,
    timeoutMs: inputs.timeout,
    http: { signal: deadline.signal },
  };
  let report: HerokuReport | undefined;
  let failure: Error | undefined;
  try {
    refuseMisplaced(inputs);
    if (inputs.mode === 'deploy') {
      const version = inputs.version ?? process.env.GITHUB_SHA;
      if (!version) throw new Error("input 'version' is required outside GitHub Actions (GITHUB_SHA is not set)");
      report = await deploy({
        ...common,
        // Relative to the workspace (the step's working directory), shown as given in the log.
        appDir: inputs.appDir,
        exclude: inputs.exclude,
        version,
        force: inputs.force,
        configVars: inputs.configVars,
        prune: inputs.prune,
      });
    } else if (inputs.mode === 'promote') {
      if (!inputs.pipelineStage) {
        throw new Error(
          "input 'pipeline-stage' is required for mode promote: set it to the stage to promote to, e.g. production",
        );
      }
      // Only a version given names the commit this run means; GITHUB_SHA may not be what staging ran.
      report = await promote({ ...common, stage: inputs.pipelineStage, force: inputs.force, commit: inputs.version });
    } else if (inputs.mode === 'review-app' || inputs.mode === 'delete-review-app') {
      const { readGitHubContext } = await import('@wingman/github');
      const gh = readGitHubContext();
      const pr = inputs.pullRequest ?? gh.pullRequest?.number;
      if (!pr)
        throw new Error(
          `input 'pull-request' is required for mode ${inputs.mode} outside a pull_request event: set it to the pull request's number`,
        );
      if (inputs.mode === 'delete-review-app') report = await deleteReviewApp({ ...common, pr });
      else {
        const version = inputs.version ?? gh.sha;
        if (!version) throw new Error("input 'version' is required outside GitHub Actions (GITHUB_SHA is not set)");
        report = await deployReviewApp({
          ...common,
          pr,
          // Heroku keys review apps by branch: the PR's head, or a name of its own for a PR given by number.
          branch: (gh.pullRequest?.number === pr && gh.pullRequest.headRef) || `pr-${pr}`,
          appDir: inputs.appDir,
          exclude: inputs.exclude,
          version,
          configVars: inputs.configVars,
        });
      }
    } else if (inputs.mode === 'sweep-review-apps') {
      if (!inputs.githubToken)
        throw new Error(
          "input 'github-token' is required for mode sweep-review-apps: pass github.token, to read which PRs are closed",
        );
      const { createGitHubClient, pullRequestIsOpen, readGitHubContext } = await import('@wingman/github');
      const gh = readGitHubContext();
      const github = createGitHubClient({ token: inputs.githubToken, apiUrl: gh.apiUrl, signal: deadline.signal });
      try {
        const repo = { owner: gh.owner, repo: gh.repo };
        report = await sweepReviewApps({
          ...common,
          isOpen: pullRequestIsOpen(github, repo),
        });
      } finally {
        await github.close();
      }
    } else if (inputs.mode === 'maintenance') {
      if (!inputs.maintenance)
        throw new Error("input 'maintenance' is required for mode maintenance: set it to on or off");
      report = await setMaintenance({ ...common, on: inputs.maintenance === 'on' });
    } else {
      const to = inputs.to === 'previous' ? 'previous' : Number(inputs.to.replace(/^v/, ''));
      report = await rollback({ ...common, to });
    }
  } catch (err) {
    if (!(err instanceof HerokuRunError)) throw err;
    report = err.report;
    failure = err;
  }
  setOutputs(ctx, report);
  writeSummary(ctx, report, failure);
  if (report.skipped && !failure)
    ctx.log.notice(`${report.app}: ${report.skipReason ?? 'nothing to do'}; skipped`, { title: 'deploy-heroku' });
  if (failure) throw failure;
}

/** An input of another mode would be silently ignored: say so instead. */
function refuseMisplaced(inputs: DeployHerokuInputs): void {
  if (inputs.mode !== 'deploy' && inputs.mode !== 'review-app' && inputs.configVars)
    throw new Error(
      `input 'config-vars' applies to modes deploy and review-app, not ${inputs.mode}: set config vars in the deploy step (a promotion keeps each app's own config)`,
    );
  if (inputs.pullRequest && inputs.mode !== 'review-app' && inputs.mode !== 'delete-review-app')
    throw new Error(`input 'pull-request' applies to modes review-app and delete-review-app, not ${inputs.mode}`);
  if (inputs.mode !== 'deploy' && inputs.prune)
    throw new Error(`input 'prune' applies to mode deploy with config-vars, not ${inputs.mode}: remove it`);
  if (inputs.mode === 'deploy' && inputs.prune && !inputs.configVars)
    throw new Error(
      "input 'prune' removes the config vars that config-vars does not list, and config-vars is empty: set config-vars, or remove prune",
    );
  if (inputs.mode !== 'sweep-review-apps' && inputs.githubToken)
    throw new Error(`input 'github-token' applies to mode sweep-review-apps, not ${inputs.mode}`);
  if (inputs.mode !== 'maintenance' && inputs.maintenance)
    throw new Error(`input 'maintenance' applies to mode maintenance, not ${inputs.mode}: set mode: maintenance`);
}

function setOutputs(ctx: ActionContext, r: HerokuReport): void {
  ctx.setOutput('release-id', r.release?.id ?? '');
  ctx.setOutput('release-version', v(r.release));
  ctx.setOutput('previous-release-version', v(r.previousRelease));
  ctx.setOutput('build-id', r.buildId ?? '');
  ctx.setOutput('app-url', r.appUrl ?? '');
  ctx.setOutput('skipped', r.skipped);
  ctx.setOutput('maintenance', r.mode === 'promote' || r.maintenance === undefined ? '' : r.maintenance ? 'on' : 'off');
  ctx.setOutput('config-changes', r.config ? describe(r.config) : '');
  ctx.setOutput('removed', r.swept ? r.swept.removed.join(',') : '');
}

function writeSummary(ctx: ActionContext, r: HerokuReport, failure: Error | undefined): void {
  const icon = failure ? '❌' : r.skipped ? '⏭️' : '✅';
  const verb = {
    deploy: 'deploy',
    promote: 'promotion',
    rollback: 'rollback',
    maintenance: 'maintenance mode',
    'review-app': 'review app',
    'delete-review-app': 'review app deletion',
    'sweep-review-apps': 'review app sweep',
  }[r.mode];
  ctx.summary.heading(
    `${icon} deploy-heroku: ${r.app} ${verb} ${failure ? 'failed' : r.skipped ? 'skipped' : 'succeeded'}`,
    3,
  );
  const rows: [string, string][] = [
    ['app', r.appUrl ? `[${r.app}](${r.appUrl})` : r.app],
    ['mode', r.mode],
  ];
  if (r.version) rows.push(['version', `\`${r.version}\``]);
  if (r.buildId) rows.push(['build', `\`${r.buildId}\``]);
  if (r.source) rows.push(['source', `${r.source.files} entries, ${(r.source.bytes / 1e6).toFixed(1)} MB gzip`]);
  if (r.config) rows.push(['config vars', describe(r.config)]);
  if (r.swept)
    rows.push(
      ['review apps deleted (closed PRs)', r.swept.removed.map((n) => `#${n}`).join(', ') || 'none'],
      ['kept (open PRs)', r.swept.kept.map((n) => `#${n}`).join(', ') || 'none'],
    );
  if (r.mode === 'maintenance' && r.maintenance !== undefined) rows.push(['maintenance', r.maintenance ? 'on' : 'off']);
  if (r.rollbackTarget) rows.push(['rolled back to', `${v(r.rollbackTarget)} (${r.rollbackTarget.description})`]);
  if (r.release) rows.push(['release', `${v(r.release)} (${r.release.description})`]);
  if (r.previousRelease) rows.push(['previous release (rollback target)', v(r.previousRelease)]);
  if (r.skipReason) rows.push(['skipped', r.skipReason]);
  rows.push(['duration', formatDuration(r.durationMs)]);
  rows.push(['activity', `[dashboard](${r.activityUrl})`]);
  ctx.summary.table(['', ''], rows);
  if (r.targets?.length) {
    ctx.summary.table(
      ['target app', 'status', 'release', 'previous'],
      r.targets.map((t) => [t.app, t.error ? `${t.status}: ${t.error}` : t.status, v(t.release), v(t.previousRelease)]),
    );
  }
}
