// What an app runs now: its name and URLs as Heroku spells them, its current release, and the release a
// rollback may go to.

import { activityUrl } from './report';
import type { RunContext } from './run-context';
import type { HerokuApp, HerokuRelease } from './types';

/** Reads the run's app and records its name, id and URLs in the report. */
export async function readApp(ctx: RunContext): Promise<HerokuApp> {
  const app = await ctx.api.get<HerokuApp>(
    `/apps/${encodeURIComponent(ctx.options.app)}`,
    `read app '${ctx.options.app}'`,
  );
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
