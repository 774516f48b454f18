// The promotion itself: which apps of the stage still need it, the request naming the exact release, and
// the wait for each target's outcome and release phase.

import { formatDuration } from '@wingman/time';
import { scanReleases } from './app-state';
import { HerokuError } from './errors';
import { pollUntil } from './poll';
import { waitForRelease } from './release-phase';
import { releaseRef, type TargetReport } from './report';
import type { RunContext } from './run-context';
import type {
  HerokuApp,
  HerokuCoupling,
  HerokuPromotion,
  HerokuPromotionTarget,
  HerokuRelease,
  HerokuSlug,
} from './types';

/** The release being promoted. */
export interface PromotedRelease {
  release: HerokuRelease;
  /** The slug it runs: what every target receives. */
  slugId: string;
  /** The commit that slug was built from, when Heroku knows it. */
  commit: string | null;
}

export interface PromotionTarget {
  app: HerokuApp;
  report: TargetReport;
}

/**
 * Reads each app of the stage and its current release. One already running the promoted slug, or a build
 * of the same commit, is skipped unless `force`.
 */
export async function readTargets(
  ctx: RunContext,
  couplings: HerokuCoupling[],
  options: { stage: string; force?: boolean },
  source: PromotedRelease,
): Promise<PromotionTarget[]> {
  const targets: PromotionTarget[] = [];
  for (const c of couplings) {
    const app = await ctx.api.get<HerokuApp>(`/apps/${c.app.id}`, `read app ${c.app.id} of stage '${options.stage}'`);
    const { current } = await scanReleases(ctx, app);
    const report: TargetReport = {
      app: app.name,
      appId: app.id,
      status: 'pending',
      previousRelease: current ? releaseRef(current) : undefined,
    };
    if (!options.force && current?.slug && (await runsSameSlug(ctx, app, current.slug.id, source))) {
      report.status = 'skipped';
      report.release = releaseRef(current);
      ctx.log.info(`${app.name} v${current.version} already runs this slug: skipped`);
    }
    targets.push({ app, report });
  }
  return targets;
}

async function runsSameSlug(
  ctx: RunContext,
  target: HerokuApp,
  slugId: string,
  source: PromotedRelease,
): Promise<boolean> {
  if (slugId === source.slugId) return true;
  if (!source.commit) return false;
  const slug = await ctx.api.get<HerokuSlug>(
    `/apps/${target.id}/slugs/${slugId}`,
    `read the slug of app '${target.name}'`,
  );
  return slug.commit === source.commit;
}

export async function startPromotion(
  ctx: RunContext,
  pipelineId: string,
  app: HerokuApp,
  source: PromotedRelease,
  stage: string,
  todo: PromotionTarget[],
): Promise<HerokuPromotion> {
  return ctx.api.post<HerokuPromotion>(
    '/pipeline-promotions',
    {
      pipeline: { id: pipelineId },
      // The release tested in staging, named explicitly so a deploy landing meanwhile is not promoted instead.
      source: { app: { id: app.id }, release: { id: source.release.id } },
      targets: todo.map((t) => ({ app: { id: t.app.id } })),
    },
    `promote app '${app.name}' to stage '${stage}'`,
  );
}

/** Waits until every target settled or one failed; throws naming each failed target and Heroku's reason. */
export async function waitForPromotion(
  ctx: RunContext,
  promotion: HerokuPromotion,
  app: HerokuApp,
  todo: PromotionTarget[],
  deadline: number,
): Promise<HerokuPromotionTarget[]> {
  const results = await pollUntil(
    ctx,
    deadline,
    () =>
      ctx.api.get<HerokuPromotionTarget[]>(
        `/pipeline-promotions/${promotion.id}/promotion-targets`,
        `read promotion ${promotion.id}`,
      ),
    (ts) => ts.every((t) => t.status !== 'pending') || ts.some((t) => t.status === 'failed'),
    () =>
      `Heroku promotion ${promotion.id} from '${app.name}' still pending after ${formatDuration(ctx.timeoutMs)} (timeout); watch ${ctx.report.activityUrl}, or raise timeout`,
  );
  const failures: string[] = [];
  for (const t of todo) {
    const r = results.find((x) => x.app.id === t.app.id);
    if (r?.status === 'failed') {
      t.report.status = 'failed';
      t.report.error = r.error_message ?? 'failed';
      failures.push(`${t.app.name}: ${t.report.error}`);
    }
  }
  if (failures.length > 0) {
    throw new HerokuError(
      `Heroku promotion ${promotion.id} from '${app.name}' failed for ${failures.join('; ')}`,
      'promotion_failed',
    );
  }
  return results;
}

/**
 * Follows the release phase of each target's new release, in turn. On a failure the report still names
 * the first target's release, as it does on success.
 */
export async function waitForTargetReleases(
  ctx: RunContext,
  todo: PromotionTarget[],
  results: HerokuPromotionTarget[],
  deadline: number,
  first: TargetReport,
): Promise<void> {
  for (const t of todo) {
    const r = results.find((x) => x.app.id === t.app.id);
    if (!r?.release) continue;
    const created = await ctx.api.get<HerokuRelease>(
      `/apps/${t.app.id}/releases/${r.release.id}`,
      `read the release of app '${t.app.name}'`,
    );
    t.report.release = releaseRef(created);
    try {
      const final = await waitForRelease(ctx, t.app, created, deadline, t.report.previousRelease);
      t.report.release = releaseRef(final);
      t.report.status = 'succeeded';
    } catch (err) {
      t.report.status = 'failed';
      t.report.error = (err as Error).message;
      ctx.report.release = first.release;
      throw err;
    }
    ctx.log.info(`${t.app.name} now runs v${t.report.release.version}`);
  }
}
