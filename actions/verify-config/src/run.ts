import { readFileSync } from 'node:fs';
import { type ActionContext, type Inputs, ReportedFailure } from '@wingman/action-kit';
import { checkConfig, parseManifest, readPlatforms, renderConfigMarkdown, toConfigJson } from '@wingman/config';
import type { verifyConfigInputs } from './inputs';

export async function run(ctx: ActionContext, inputs: Inputs<typeof verifyConfigInputs.spec>): Promise<void> {
  let text: string;
  try {
    text = readFileSync(inputs.manifest, 'utf8');
  } catch {
    throw new Error(
      `input 'manifest': ${inputs.manifest} was not found; add the configuration manifest there (see verify-config's README) or point manifest at it`,
    );
  }
  const manifest = parseManifest(text, inputs.manifest);
  if (!manifest.environments.includes(inputs.environment))
    throw new Error(
      `input 'environment' is ${inputs.environment}, which ${inputs.manifest} does not list (environments: ${manifest.environments.join(', ')}): add it there or deploy one of those`,
    );
  const apps: Record<string, string> = {};
  for (const pair of inputs.herokuApps ?? []) {
    const [env, app] = pair.split('=');
    if (!env || !app)
      throw new Error(
        `input 'heroku-apps' must be environment=app pairs (e.g. staging=wingman-api-staging), got "${pair}"`,
      );
    apps[env] = app;
  }
  if (inputs.vercelToken && !inputs.vercelProjectId)
    throw new Error("input 'vercel-project-id' is required with vercel-token (or set VERCEL_PROJECT_ID)");
  const readings = await readPlatforms({
    manifest,
    environment: inputs.environment,
    heroku: inputs.herokuApiKey ? { apiKey: inputs.herokuApiKey, apiUrl: inputs.herokuApiUrl, apps } : undefined,
    vercel:
      inputs.vercelToken && inputs.vercelProjectId
        ? {
            token: inputs.vercelToken,
            projectId: inputs.vercelProjectId,
            teamId: inputs.vercelTeamId,
            apiUrl: inputs.vercelApiUrl,
          }
        : undefined,
    log: ctx.log,
  });
  const result = checkConfig(manifest, inputs.environment, readings);
  const json = toConfigJson(inputs.environment, result);
  ctx.setOutput('errors', json.errors);
  ctx.setOutput('warnings', json.warnings);
  ctx.setOutput('report', json);
  ctx.summary.text(renderConfigMarkdown(inputs.environment, result));
  for (const f of result.findings) {
    const where = {
      file: inputs.manifest,
      line: f.variable ? manifest.lines[f.variable] : undefined,
      title: `verify-config: ${f.check}`,
    };
    if (f.level === 'error') ctx.log.error(f.message, where);
    else if (f.level === 'warning') ctx.log.warning(f.message, where);
    else ctx.log.notice(f.message, where);
  }
  const failOnWarn = inputs.failOn !== 'error';
  const counted = json.errors + (failOnWarn ? json.warnings : 0);
  if (counted)
    throw new ReportedFailure(
      `verify-config: ${json.errors} error(s)${failOnWarn ? ` and ${json.warnings} warning(s)` : ''} in the configuration of ${inputs.environment}; see the annotations`,
    );
  ctx.log.info(
    `verify-config: the configuration of ${inputs.environment} holds (${result.cells.length} checks, ${json.warnings} warning(s))`,
  );
}
