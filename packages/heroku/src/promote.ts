// promote: move the exact release a pipeline app runs (tested in staging, say) to every app of another
// stage, then wait for each target's release phase. Targets already running that slug are skipped.

import { pipelineOf, readApp, scanReleases } from './app-state';
import { HerokuError } from './errors';
import {
  type PromotedRelease,
  readTargets,
  startPromotion,
  waitForPromotion,
  waitForTargetReleases,
} from './promotion';
import type { HerokuReport } from './report';
import { type HerokuOptions, type RunContext, withRunContext } from './run-context';
import type { HerokuApp, HerokuCoupling, HerokuSlug } from './types';

export interface PromoteOptions extends HerokuOptions {
  /** Pipeline stage whose apps receive the promotion, e.g. production. */
  stage: string;
  force?: boolean;
  /**
   * The commit this run deploys: refused when the source app runs a slug of another one (a deploy of
   * another commit reached it while this run waited, e.g. for production's approval).
   */
  commit?: string;
}

export async function promote(options: PromoteOptions): Promise<HerokuReport> {
  return withRunContext('promote', options, async (ctx) => {
    const { log, report } = ctx;
    const app = await readApp(ctx);
    const { pipelineId, couplings } = await findStageApps(ctx, app, options.stage);
    const source = await readPromotedRelease(ctx, app);
    if (options.commit && source.commit && source.commit !== options.commit)
      throw new HerokuError(
        `Heroku app '${app.name}' v${source.release.version} runs a slug of ${source.commit}, not of ${options.commit}, the commit this run deploys (another deploy reached ${app.name} since): deploy ${options.commit} to ${app.name} again, or promote from the run of ${source.commit}`,
        'commit_mismatch',
      );
    report.version = source.commit ?? undefined;
    log.info(
      `Promoting ${app.name} v${source.release.version}${source.commit ? ` (${source.commit})` : ''} to ${options.stage}`,
    );

    const targets = await readTargets(ctx, couplings, options, source);
    report.targets = targets.map((t) => t.report);
    const first = targets[0]!;
    report.previousRelease = first.report.previousRelease;
    // The promoted release serves from the target app: that is the URL to smoke-test and roll back.
    report.appUrl = first.app.web_url ?? report.appUrl;
    const todo = targets.filter((t) => t.report.status === 'pending');
    if (todo.length === 0) {
      report.skipped = true;
      report.skipReason = `every app in stage '${options.stage}' already runs ${app.name} v${source.release.version}'s slug`;
      report.release = first.report.release;
      return;
    }

    const promotion = await startPromotion(ctx, pipelineId, app, source, options.stage, todo);
    const deadline = Date.now() + ctx.timeoutMs;
    const results = await waitForPromotion(ctx, promotion, app, todo, deadline);
    await waitForTargetReleases(ctx, todo, results, deadline, first.report);
    report.release = first.report.release;
  });
}

/** The app's pipeline and the couplings of the other apps in `stage`; refuses an app outside a pipeline. */
async function findStageApps(
  ctx: RunContext,
  app: HerokuApp,
  stage: string,
): Promise<{ pipelineId: string; couplings: HerokuCoupling[] }> {
  const coupling = await pipelineOf(
    ctx,
    app,
    'so there is nothing to promote it to; add it to one (heroku pipelines:add) or use mode: deploy',
  );
  const pipelineId = coupling.pipeline.id;
  const all = await ctx.api.get<HerokuCoupling[]>(
    `/pipelines/${pipelineId}/pipeline-couplings`,
    `list the apps of pipeline ${pipelineId}`,
  );
  const couplings = all.filter((c) => c.stage === stage && c.app.id !== app.id);
  if (couplings.length === 0) {
    const stages = [...new Set(all.map((c) => c.stage))].join(', ');
    throw new HerokuError(
      `Heroku pipeline ${pipelineId} of app '${app.name}' has no app in stage '${stage}' (stages with apps: ${stages}); set pipeline-stage to the stage of the apps to promote to`,
      'no_targets',
    );
  }
  return { pipelineId, couplings };
}

async function readPromotedRelease(ctx: RunContext, app: HerokuApp): Promise<PromotedRelease> {
  const { current } = await scanReleases(ctx, app);
  if (!current?.slug) {
    throw new HerokuError(
      `Heroku app '${app.name}' has no current release with a slug to promote; deploy it first`,
      'nothing_to_promote',
    );
  }
  const slug = await ctx.api.get<HerokuSlug>(
    `/apps/${app.id}/slugs/${current.slug.id}`,
    `read the slug of app '${app.name}'`,
  );
  return { release: current, slugId: current.slug.id, commit: slug.commit };
}
