// What an app runs now: its name and URLs as Heroku spells them, its current release, and the release a
// rollback may go to.

import { HerokuError } from './errors';
import { activityUrl } from './report';
import type { RunContext } from './run-context';
import type { HerokuApp, HerokuCoupling, HerokuRelease } from './types';

/** Reads the run's app (or another, such as a review app) and records its name, id and URLs in the report. */
export async function readApp(ctx: RunContext, nameOrId = ctx.options.app): Promise<HerokuApp> {
  const app = await ctx.api.get<HerokuApp>(`/apps/${encodeURIComponent(nameOrId)}`, `read app '${nameOrId}'`);
  ctx.report.app = app.name;
  ctx.report.appId = app.id;
  ctx.report.appUrl = app.web_url ?? undefined;
  ctx.report.activityUrl = activityUrl(app.name);
  ctx.report.maintenance = app.maintenance;
  return app;
}

/**
 * The current release and the newest one before it that a rollback may go to (succeeded and
 * eligible_for_rollback), paging the releases newest first.
 */
export async function scanReleases(
  ctx: RunContext,
  app: HerokuApp,
): Promise<{ current?: HerokuRelease; previous?: HerokuRelease }> {
  let current: HerokuRelease | undefined;
  for await (const page of ctx.api.pages<HerokuRelease>(
    `/apps/${app.id}/releases`,
    `list the releases of app '${app.name}'`,
    'version',
    25,
  )) {
    for (const r of page) {
      if (!current) {
        if (r.current) current = r;
        continue;
      }
      if (r.version < current.version && r.status === 'succeeded' && r.eligible_for_rollback) {
        return { current, previous: r };
      }
    }
  }
  return { current };
}

/** The app's pipeline coupling; an app outside a pipeline is refused, saying what `purpose` needed it for. */
export async function pipelineOf(ctx: RunContext, app: HerokuApp, purpose: string): Promise<HerokuCoupling> {
  try {
    return await ctx.api.get<HerokuCoupling>(
      `/apps/${app.id}/pipeline-couplings`,
      `read the pipeline of app '${app.name}'`,
    );
  } catch (err) {
    if ((err as HerokuError).status === 404)
      throw new HerokuError(`Heroku app '${app.name}' is not in a pipeline, ${purpose}`, 'not_in_pipeline');
    throw err;
  }
}

/** The app's newest release (pending ones included: a build's or a config change's release phase). */
export async function newestRelease(ctx: RunContext, app: HerokuApp): Promise<HerokuRelease | undefined> {
  for await (const page of ctx.api.pages<HerokuRelease>(
    `/apps/${app.id}/releases`,
    `read the newest release of app '${app.name}'`,
    'version',
    1,
    1,
  ))
    return page[0];
  return undefined;
}
