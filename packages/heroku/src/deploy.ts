// deploy: build the app's source on Heroku and wait for the release it makes, unless the current release
// already runs a build of this version.

import { readApp, scanReleases } from './app-state';
import { createBuild, waitForBuild } from './build';
import { applyConfigVars } from './config-vars';
import { waitForRelease } from './release-phase';
import { type HerokuReport, releaseRef } from './report';
import { type HerokuOptions, type RunContext, withRunContext } from './run-context';
import { type SourceOptions, withUploadedSource } from './source-upload';
import type { HerokuApp, HerokuRelease, HerokuSlug } from './types';

export interface DeployOptions extends HerokuOptions, SourceOptions {
  force?: boolean;
  /** Config vars to set before the build, so its release carries them. */
  configVars?: Record<string, string>;
  /** Remove the app's config vars that configVars lacks (never an add-on's). */
  prune?: boolean;
}

export async function deploy(options: DeployOptions): Promise<HerokuReport> {
  return withRunContext('deploy', options, async (ctx) => {
    const { log, report } = ctx;
    report.version = options.version;
    const app = await readApp(ctx);
    const deadline = ctx.startedAt + ctx.timeoutMs;
    const { current, previous } = await scanReleases(ctx, app);
    report.previousRelease = current ? releaseRef(current) : undefined;
    if (app.maintenance)
      log.notice(`${app.name} is in maintenance mode: the new release serves only once it is turned off`, {
        title: 'deploy-heroku',
      });
    const alreadyBuilt = !options.force && current && (await alreadyRuns(ctx, app, current, previous, options.version));
    if (options.configVars) {
      report.config = await applyConfigVars(
        ctx,
        app,
        options.configVars,
        !!options.prune,
        deadline,
        report.previousRelease,
      );
      if (alreadyBuilt && report.config.release) {
        // No build, but a release all the same: the config change is what this run shipped.
        report.skipped = false;
        report.skipReason = undefined;
        report.release = report.config.release;
        report.previousRelease = current ? releaseRef(current) : undefined;
      }
    }
    if (alreadyBuilt) return;

    await buildAndRelease(ctx, app, options);
    log.info(`Released v${report.release!.version} of ${app.name} (${options.version})`);
  });
}

/**
 * Uploads the source, builds it on `app` and waits for the release the build makes and its release phase;
 * the report gets the build and the release.
 */
export async function buildAndRelease(ctx: RunContext, app: HerokuApp, options: SourceOptions): Promise<HerokuRelease> {
  const { report } = ctx;
  const build = await withUploadedSource(ctx, options, (blob) => createBuild(ctx, app, blob));
  report.buildId = build.id;
  const deadline = ctx.startedAt + ctx.timeoutMs;
  const releaseId = await waitForBuild(ctx, app, build, deadline, report.previousRelease);
  const release = await ctx.api.get<HerokuRelease>(
    `/apps/${app.id}/releases/${releaseId}`,
    `read the release of build ${build.id}`,
  );
  report.release = releaseRef(release);
  const final = await waitForRelease(ctx, app, release, deadline, report.previousRelease);
  report.release = releaseRef(final);
  return final;
}

/** True, with the report marked skipped, when the current release's slug was built from `version`. */
async function alreadyRuns(
  ctx: RunContext,
  app: HerokuApp,
  current: HerokuRelease,
  previous: HerokuRelease | undefined,
  version: string,
): Promise<boolean> {
  if (!current.slug) return false;
  const { report } = ctx;
  const slug = await ctx.api.get<HerokuSlug>(
    `/apps/${app.id}/slugs/${current.slug.id}`,
    `read the slug of release v${current.version} of app '${app.name}'`,
  );
  if (!slug.commit || slug.commit !== version) return false;
  report.skipped = true;
  report.skipReason = `v${current.version} already runs a build of ${version}`;
  report.release = releaseRef(current);
  report.previousRelease = previous ? releaseRef(previous) : undefined;
  ctx.log.info(`${report.skipReason}: nothing to deploy (set force: true to build it again)`);
  return true;
}
