// review-app: a pull request's backend, as a review app of the pipeline of `app` (staging), made from the
// same source tarball deploy builds (POST /review-apps), with config vars pointing it at the PR's
// database. A later push builds the new commit on the review app's own app (Heroku cannot change a
// review app's source), its config updated first. delete-review-app removes it when the PR closes.

import { sweepClosedPullRequests } from '@wingman/github/sweep';
import { newestRelease, pipelineOf, readApp, scanReleases } from './app-state';
import { applyConfigVars } from './config-vars';
import { buildAndRelease } from './deploy';
import { HerokuError } from './errors';
import { lastLines, readOutputTail } from './output-stream';
import { pollUntil } from './poll';
import { waitForRelease } from './release-phase';
import { activityUrl, type HerokuReport, releaseRef } from './report';
import { type HerokuOptions, type RunContext, withRunContext } from './run-context';
import { type SourceOptions, withUploadedSource } from './source-upload';
import type { HerokuRelease } from './types';

export interface ReviewAppOptions extends HerokuOptions, SourceOptions {
  pr: number;
  /** The pull request's head branch: Heroku keys review apps by branch. */
  branch: string;
  /** The review app's config vars (its DATABASE_URL and the like). */
  configVars?: Record<string, string>;
}

interface HerokuReviewApp {
  id: string;
  app: { id: string } | null;
  app_setup: { id: string } | null;
  branch: string;
  pr_number: number | null;
  status: 'pending' | 'creating' | 'created' | 'deleting' | 'deleted' | 'errored';
  error_status: string | null;
  message: string | null;
}

interface HerokuAppSetup {
  id: string;
  status: 'pending' | 'succeeded' | 'failed';
  failure_message: string | null;
  build: { id: string; status: string; output_stream_url: string } | null;
}

const GONE = new Set(['deleting', 'deleted']);

export async function deployReviewApp(options: ReviewAppOptions): Promise<HerokuReport> {
  return withRunContext('review-app', options, async (ctx) => {
    const { log, report } = ctx;
    report.version = options.version;
    const parent = await readApp(ctx);
    const coupling = await pipelineOf(
      ctx,
      parent,
      "so it has no review apps; add it to a pipeline with review apps enabled, or use mode: deploy on an app of the PR's own",
    );
    const deadline = ctx.startedAt + ctx.timeoutMs;
    let existing = await findReviewApp(ctx, coupling.pipeline.id, options.pr);
    if (existing?.status === 'errored') {
      // A failed one holds the branch: remove it and start again.
      log.info(
        `The review app of #${options.pr} had errored (${existing.message ?? existing.error_status}): deleting it and creating it again`,
      );
      const failed = existing;
      await ctx.api.call('DELETE', `/review-apps/${failed.id}`, `delete the errored review app of #${options.pr}`, {
        idempotent: true,
      });
      // Heroku keeps the branch's review app until it is deleted: a new one before that is a conflict.
      await pollUntil(
        ctx,
        deadline,
        () =>
          ctx.api
            .get<HerokuReviewApp>(`/review-apps/${failed.id}`, `read review app ${failed.id}`)
            .catch((err: HerokuError) => {
              if (err.status === 404) return { ...failed, status: 'deleted' as const };
              throw err;
            }),
        (r) => r.status === 'deleted',
        () => `the errored review app of #${options.pr} is still being deleted at the end of timeout: re-run`,
      );
      existing = undefined;
    }
    if (existing?.app) {
      // A new push: build the new commit on the review app's app, with its config brought up to date.
      const app = await readApp(ctx, existing.app.id);
      log.info(`Review app of #${options.pr} is ${app.name}: building ${options.version} on it`);
      const { current } = await scanReleases(ctx, app);
      report.previousRelease = current ? releaseRef(current) : undefined;
      if (options.configVars)
        report.config = await applyConfigVars(ctx, app, options.configVars, false, deadline, report.previousRelease);
      await buildAndRelease(ctx, app, options);
      return;
    }
    const created = await withUploadedSource(ctx, options, (blob) =>
      ctx.api.post<HerokuReviewApp>(
        '/review-apps',
        {
          branch: options.branch,
          pipeline: coupling.pipeline.id,
          source_blob: { url: blob.url, version: blob.version },
          pr_number: options.pr,
          environment: options.configVars ?? {},
        },
        `create the review app of pull request #${options.pr} in the pipeline of '${parent.name}'`,
      ),
    );
    log.info(`Creating review app ${created.id} for #${options.pr} (${options.branch})`);
    const done = await log.group(`Review app of #${options.pr}`, () =>
      pollUntil(
        ctx,
        deadline,
        () => ctx.api.get<HerokuReviewApp>(`/review-apps/${created.id}`, `read review app ${created.id}`),
        (r) => r.status === 'created' || r.status === 'errored' || r.status === 'deleted',
        () =>
          `Heroku review app ${created.id} of #${options.pr} still being created at the end of timeout; it may still come up: re-run, which builds on it, or raise timeout`,
      ),
    );
    if (done.status !== 'created' || !done.app) throw await setupFailure(ctx, done, options.pr);
    const app = await readApp(ctx, done.app.id);
    report.activityUrl = activityUrl(app.name);
    // The setup's build made the newest release; it becomes current once its release phase passed.
    const newest = await newestRelease(ctx, app);
    if (!newest) throw new HerokuError(`review app ${app.name} of #${options.pr} has no release`, 'no_release');
    const final: HerokuRelease = await waitForRelease(ctx, app, newest, deadline);
    report.release = releaseRef(final);
    log.info(`Review app ${app.name} of #${options.pr} serves v${final.version} at ${app.web_url ?? '(no web URL)'}`);
  });
}

/** Deletes the pull request's review app; skipped when it has none (a re-run after a partial cleanup). */
export async function deleteReviewApp(options: HerokuOptions & { pr: number }): Promise<HerokuReport> {
  return withRunContext('delete-review-app', options, async (ctx) => {
    const { report } = ctx;
    const parent = await readApp(ctx);
    const coupling = await pipelineOf(ctx, parent, 'so it has no review apps to delete');
    const existing = await findReviewApp(ctx, coupling.pipeline.id, options.pr);
    if (!existing) {
      report.skipped = true;
      report.skipReason = `pull request #${options.pr} has no review app`;
      return;
    }
    try {
      await ctx.api.call('DELETE', `/review-apps/${existing.id}`, `delete the review app of #${options.pr}`, {
        idempotent: true,
      });
    } catch (err) {
      if ((err as HerokuError).status !== 404) throw err;
      report.skipped = true;
      report.skipReason = `the review app of pull request #${options.pr} was already deleted`;
      return;
    }
    ctx.log.info(`Deleted the review app of #${options.pr} (${existing.id})`);
  });
}

/**
 * The daily sweep: deletes the review apps (errored ones too) whose pull request is closed; one whose
 * pull request cannot be read is kept and named.
 */
export async function sweepReviewApps(
  options: HerokuOptions & { isOpen: (pr: number) => Promise<boolean> },
): Promise<HerokuReport> {
  return withRunContext('sweep-review-apps', options, async (ctx) => {
    const parent = await readApp(ctx);
    const coupling = await pipelineOf(ctx, parent, 'so it has no review apps to sweep');
    const all = await ctx.api.get<HerokuReviewApp[]>(
      `/pipelines/${coupling.pipeline.id}/review-apps`,
      `list the review apps of pipeline ${coupling.pipeline.id}`,
    );
    const live = new Map(all.filter((r) => !GONE.has(r.status) && r.pr_number !== null).map((r) => [r.pr_number!, r]));
    ctx.report.swept = { removed: [], kept: [], unknown: [] };
    await sweepClosedPullRequests(live.keys(), {
      result: ctx.report.swept,
      isOpen: options.isOpen,
      what: 'its review app is',
      log: ctx.log,
      remove: async (pr) => {
        const r = live.get(pr)!;
        await ctx.api.call('DELETE', `/review-apps/${r.id}`, `delete the review app of #${pr}`, { idempotent: true });
        ctx.log.info(`Deleted the review app of closed pull request #${pr} (${r.id})`);
      },
    });
  });
}

/** The pull request's review app in the pipeline, errored ones included (deleted ones do not count). */
async function findReviewApp(ctx: RunContext, pipelineId: string, pr: number): Promise<HerokuReviewApp | undefined> {
  const all = await ctx.api.get<HerokuReviewApp[]>(
    `/pipelines/${pipelineId}/review-apps`,
    `list the review apps of pipeline ${pipelineId}`,
  );
  return all.find((r) => r.pr_number === pr && !GONE.has(r.status));
}

/** Why a review app did not come up: the app setup's failure and the last lines of its build. */
async function setupFailure(ctx: RunContext, r: HerokuReviewApp, pr: number): Promise<HerokuError> {
  let detail = r.message ?? r.error_status ?? r.status;
  if (r.app_setup) {
    const setup = await ctx.api
      .get<HerokuAppSetup>(`/app-setups/${r.app_setup.id}`, `read the setup of review app ${r.id}`)
      .catch(() => undefined);
    if (setup?.failure_message) detail = setup.failure_message;
    if (setup?.build?.output_stream_url) {
      const tail = await readOutputTail(setup.build.output_stream_url, ctx.streams).catch(() => []);
      if (tail.length) detail += `; last lines of the build output: ${lastLines(tail)}`;
    }
  }
  return new HerokuError(`Heroku review app of pull request #${pr} ${r.status}: ${detail}`, 'review_app_failed');
}
