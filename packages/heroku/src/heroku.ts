// Deploy, promote and roll back a Heroku app through the Platform API only: no CLI, no git push, no
// ~/.netrc. Every path ends on the real outcome (build status, release phase status, promotion target
// status) and fails with Heroku's own words.

import { createHttpClient, type HttpClientOptions } from '@wingman/http';
import type { Log } from '@wingman/log';
import { formatDuration } from '@wingman/time';
import { defaultSleep, HerokuApi } from './api';
import { HerokuError } from './errors';
import { fileBody } from './file-body';
import { followOutputStream, readOutputTail, StreamClients } from './output-stream';
import { herokuBuildShape, herokuSourceShape } from './shapes';
import { createSourceTarball } from './tarball';
import type {
  HerokuApp,
  HerokuBuild,
  HerokuCoupling,
  HerokuPromotion,
  HerokuPromotionTarget,
  HerokuRelease,
  HerokuSlug,
  HerokuSource,
} from './types';

export type HerokuMode = 'deploy' | 'promote' | 'rollback';

export interface HerokuOptions {
  apiKey: string;
  /** App name or id. */
  app: string;
  /** Default https://api.heroku.com. */
  apiUrl?: string;
  log: Log;
  /** The whole build + release wait (or promotion, or rollback release). */
  timeoutMs: number;
  /** First poll interval; doubles up to maxPollMs. Defaults 250 and 3000. */
  pollMs?: number;
  maxPollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  rateLimitFloor?: number;
  /** Passed to the HTTP clients (tests shorten retry delays). */
  http?: Partial<HttpClientOptions>;
}

export interface DeployOptions extends HerokuOptions {
  appDir: string;
  /** Extra gitignore-style patterns left out of the tarball. */
  exclude?: string[];
  /** Recorded as the build's source_blob.version (a commit SHA). */
  version: string;
  force?: boolean;
  tmpDir?: string;
}

export interface PromoteOptions extends HerokuOptions {
  /** Pipeline stage whose apps receive the promotion, e.g. production. */
  stage: string;
  force?: boolean;
}

export interface RollbackOptions extends HerokuOptions {
  /** 'previous' or a release version number. */
  to: 'previous' | number;
}

export interface ReleaseRef {
  id: string;
  version: number;
  description: string;
}

export interface TargetReport {
  app: string;
  appId: string;
  status: 'succeeded' | 'failed' | 'skipped' | 'pending';
  release?: ReleaseRef;
  previousRelease?: ReleaseRef;
  error?: string;
}

export interface HerokuReport {
  mode: HerokuMode;
  /** App name (as Heroku spells it once known, else the input). */
  app: string;
  appId?: string;
  appUrl?: string;
  activityUrl: string;
  version?: string;
  skipped: boolean;
  skipReason?: string;
  buildId?: string;
  /** The release this run created (or found current, when skipped). */
  release?: ReleaseRef;
  /** What to roll back to: the release that was current before this run. */
  previousRelease?: ReleaseRef;
  /** rollback: the release whose slug now runs again. */
  rollbackTarget?: ReleaseRef;
  targets?: TargetReport[];
  source?: { files: number; bytes: number; sha256: string };
  durationMs: number;
}

/** A failed run, with everything learned before the failure (for outputs and the summary). */
export class HerokuRunError extends Error {
  override name = 'HerokuRunError';
  constructor(
    message: string,
    readonly report: HerokuReport,
    readonly id?: string,
  ) {
    super(message);
  }
}

const enc = encodeURIComponent;
const activityUrl = (app: string) => `https://dashboard.heroku.com/apps/${enc(app)}/activity`;
const ref = (r: HerokuRelease): ReleaseRef => ({ id: r.id, version: r.version, description: r.description });

interface Ctx {
  api: HerokuApi;
  log: Log;
  sleep: (ms: number) => Promise<void>;
  pollMs: number;
  maxPollMs: number;
  timeoutMs: number;
  report: HerokuReport;
  options: HerokuOptions;
  /** Output stream clients of this run only, closed with it. */
  streams: StreamClients;
}

async function withContext<T extends HerokuOptions>(
  mode: HerokuMode,
  options: T,
  body: (ctx: Ctx) => Promise<void>,
): Promise<HerokuReport> {
  const started = Date.now();
  const report: HerokuReport = {
    mode,
    app: options.app,
    activityUrl: activityUrl(options.app),
    skipped: false,
    durationMs: 0,
  };
  const api = new HerokuApi({
    apiKey: options.apiKey,
    apiUrl: options.apiUrl,
    app: options.app,
    log: options.log,
    rateLimitFloor: options.rateLimitFloor,
    sleep: options.sleep,
    http: options.http,
  });
  const ctx: Ctx = {
    api,
    log: options.log,
    sleep: options.sleep ?? defaultSleep,
    pollMs: options.pollMs ?? 250,
    maxPollMs: options.maxPollMs ?? 3000,
    timeoutMs: options.timeoutMs,
    report,
    options,
    streams: new StreamClients(),
  };
  try {
    await body(ctx);
    return report;
  } catch (err) {
    const e = err as Error;
    throw new HerokuRunError(e.message, report, (err as HerokuError).id);
  } finally {
    report.durationMs = Date.now() - started;
    await api.close();
    await ctx.streams.close();
  }
}

async function readApp(ctx: Ctx): Promise<HerokuApp> {
  const app = await ctx.api.get<HerokuApp>(`/apps/${enc(ctx.options.app)}`, `read app '${ctx.options.app}'`);
  ctx.report.app = app.name;
  ctx.report.appId = app.id;
  ctx.report.appUrl = app.web_url ?? undefined;
  ctx.report.activityUrl = activityUrl(app.name);
  return app;
}

/**
 * The current release and the newest one before it that a rollback may go to (succeeded and
 * eligible_for_rollback), paging the releases newest first.
 */
async function scanReleases(ctx: Ctx, app: HerokuApp): Promise<{ current?: HerokuRelease; previous?: HerokuRelease }> {
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

function isTransient(err: unknown): boolean {
  const e = err as HerokuError;
  return e.id === 'network' || (e.status !== undefined && (e.status >= 500 || e.status === 429));
}

/** Polls until `done`, riding out transient API failures, and fails with `timeoutMessage` at the deadline. */
async function pollUntil<T>(
  ctx: Ctx,
  deadline: number,
  fetch: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMessage: () => string,
): Promise<T> {
  let delay = ctx.pollMs;
  for (;;) {
    try {
      const value = await fetch();
      if (done(value)) return value;
    } catch (err) {
      if (!isTransient(err) || Date.now() >= deadline) throw err;
      ctx.log.warning(`${(err as Error).message}; still waiting`);
    }
    if (Date.now() + delay > deadline) throw new HerokuError(timeoutMessage(), 'timeout');
    await ctx.sleep(delay);
    delay = Math.min(ctx.maxPollMs, delay * 2);
  }
}

function lastLines(tail: string[], n = 8): string {
  const lines = tail
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-n);
  return lines.length ? lines.join(' | ') : '(no output)';
}

/** Streams a release's release phase and waits for its status. Throws when it failed. */
async function waitForRelease(
  ctx: Ctx,
  app: HerokuApp,
  release: HerokuRelease,
  deadline: number,
  keeps?: ReleaseRef,
): Promise<HerokuRelease> {
  if (release.status !== 'pending') return checkRelease(ctx, app, release, [], keeps);
  let tail: string[] = [];
  const path = `/apps/${app.id}/releases/${release.id}`;
  const what = `read release v${release.version} of app '${app.name}'`;
  const final = await ctx.log.group(`Release phase of v${release.version}`, async () => {
    if (release.output_stream_url) {
      tail = (
        await followOutputStream(release.output_stream_url, {
          log: ctx.log,
          clients: ctx.streams,
          deadline,
          sleep: ctx.sleep,
          signal: ctx.options.http?.signal,
        })
      ).tail;
    }
    return pollUntil(
      ctx,
      deadline,
      () => ctx.api.get<HerokuRelease>(path, what),
      (r) => r.status !== 'pending',
      () =>
        `Heroku release v${release.version} of app '${app.name}' still in its release phase after ${formatDuration(ctx.timeoutMs)} (timeout); it may still finish: watch ${ctx.report.activityUrl}, or raise timeout`,
    );
  });
  if (final.status === 'failed' && tail.length === 0 && final.output_stream_url) {
    tail = await readOutputTail(final.output_stream_url, ctx.streams);
  }
  return checkRelease(ctx, app, final, tail, keeps);
}

function checkRelease(ctx: Ctx, app: HerokuApp, r: HerokuRelease, tail: string[], keeps?: ReleaseRef): HerokuRelease {
  if (r.status === 'succeeded') return r;
  const kept = keeps ? `; v${keeps.version} keeps running` : '';
  throw new HerokuError(
    `Heroku release v${r.version} of app '${app.name}' ${r.status === 'failed' ? 'failed in its release phase' : `ended ${r.status}`}${kept}; last lines of its output: ${lastLines(tail)}; see ${ctx.report.activityUrl}`,
    'release_failed',
  );
}

// ---------------------------------------------------------------------------------------------
// deploy

export async function deploy(options: DeployOptions): Promise<HerokuReport> {
  return withContext('deploy', options, async (ctx) => {
    const { log, report } = ctx;
    report.version = options.version;
    const app = await readApp(ctx);
    const { current, previous } = await scanReleases(ctx, app);
    report.previousRelease = current ? ref(current) : undefined;

    if (!options.force && current?.slug) {
      const slug = await ctx.api.get<HerokuSlug>(
        `/apps/${app.id}/slugs/${current.slug.id}`,
        `read the slug of release v${current.version} of app '${app.name}'`,
      );
      if (slug.commit && slug.commit === options.version) {
        report.skipped = true;
        report.skipReason = `v${current.version} already runs a build of ${options.version}`;
        report.release = ref(current);
        report.previousRelease = previous ? ref(previous) : undefined;
        log.info(`${report.skipReason}: nothing to deploy (set force: true to build it again)`);
        return;
      }
    }

    const tarball = await log.group(`Packing ${options.appDir}`, async () => {
      const t = await createSourceTarball(options.appDir, { exclude: options.exclude, tmpDir: options.tmpDir });
      log.info(`${t.entries.length} entries, ${(t.size / 1e6).toFixed(1)} MB gzip, SHA256:${t.sha256}`);
      return t;
    });
    report.source = { files: tarball.entries.length, bytes: tarball.size, sha256: tarball.sha256 };
    let build: HerokuBuild;
    try {
      // Safe to repeat (an unused upload URL expires): retried like a GET.
      const source = await ctx.api.post<HerokuSource>(
        '/sources',
        undefined,
        'create a source upload URL',
        herokuSourceShape,
        { idempotent: true },
      );
      await log.group('Uploading the source', async () => {
        await upload(source.source_blob.put_url, tarball.path, tarball.size, options.http);
        log.info(`uploaded ${(tarball.size / 1e6).toFixed(1)} MB`);
      });
      build = await createBuild(ctx, app, {
        source_blob: {
          url: source.source_blob.get_url,
          version: options.version,
          checksum: `SHA256:${tarball.sha256}`,
        },
      });
    } finally {
      await tarball.dispose();
    }
    report.buildId = build.id;
    const deadline = Date.now() + ctx.timeoutMs;

    let tail: string[] = [];
    const finished = await log.group(`Build ${build.id}`, async () => {
      tail = (
        await followOutputStream(build.output_stream_url, {
          log,
          clients: ctx.streams,
          deadline,
          sleep: ctx.sleep,
          signal: ctx.options.http?.signal,
        })
      ).tail;
      return pollUntil(
        ctx,
        deadline,
        () =>
          ctx.api.get<HerokuBuild>(`/apps/${app.id}/builds/${build.id}`, `read build ${build.id} of app '${app.name}'`),
        // A succeeded build names its release as soon as Heroku created it.
        (b) => b.status === 'failed' || (b.status === 'succeeded' && b.release !== null),
        () =>
          `Heroku build ${build.id} of app '${app.name}' still pending after ${formatDuration(ctx.timeoutMs)} (timeout); it may still finish and release: watch ${report.activityUrl}, or raise timeout`,
      );
    });
    if (finished.status === 'failed') {
      if (tail.length === 0) tail = await readOutputTail(build.output_stream_url, ctx.streams);
      throw new HerokuError(
        `Heroku build ${build.id} of app '${app.name}' failed${current ? `; v${current.version} keeps running` : ''}; last lines of the build output: ${lastLines(tail)}; see ${report.activityUrl}`,
        'build_failed',
      );
    }
    const release = await ctx.api.get<HerokuRelease>(
      `/apps/${app.id}/releases/${finished.release!.id}`,
      `read the release of build ${build.id}`,
    );
    report.release = ref(release);
    const final = await waitForRelease(ctx, app, release, deadline, report.previousRelease);
    report.release = ref(final);
    log.info(`Released v${final.version} of ${app.name} (${options.version})`);
  });
}

/**
 * POST /releases (a rollback) is not idempotent either: when the connection drops before the answer, look
 * for a release newer than the one that was current, rolling back to the target, before creating another.
 */
async function createRollbackRelease(
  ctx: Ctx,
  app: HerokuApp,
  target: HerokuRelease,
  current: HerokuRelease,
): Promise<HerokuRelease> {
  const what = `roll app '${app.name}' back to v${target.version}`;
  const create = () => ctx.api.post<HerokuRelease>(`/apps/${app.id}/releases`, { release: target.id }, what);
  try {
    return await create();
  } catch (err) {
    if (!(err instanceof HerokuError && err.id === 'network')) throw err;
    for await (const page of ctx.api.pages<HerokuRelease>(
      `/apps/${app.id}/releases`,
      `look for the rollback release of app '${app.name}'`,
      'version',
      5,
      1,
    )) {
      const made = page.find((r) => r.version > current.version && r.description === `Rollback to v${target.version}`);
      if (made) {
        ctx.log.warning(
          `The connection dropped while rolling back, after Heroku had created release v${made.version}: following it`,
        );
        return made;
      }
    }
    ctx.log.warning('The connection dropped while rolling back and Heroku has no new release: rolling back again');
    return create();
  }
}

/**
 * POST /builds is not idempotent, so the client does not repeat it. When the connection drops before the
 * answer, Heroku may or may not have created the build: look for it (its checksum names this upload)
 * and follow it, or create it once more when it is not there.
 */
async function createBuild(
  ctx: Ctx,
  app: HerokuApp,
  body: { source_blob: { url: string; version: string; checksum: string } },
): Promise<HerokuBuild> {
  const what = `create a build of app '${app.name}'`;
  const create = () => ctx.api.post<HerokuBuild>(`/apps/${app.id}/builds`, body, what, herokuBuildShape);
  try {
    return await create();
  } catch (err) {
    if (!(err instanceof HerokuError && err.id === 'network')) throw err;
    const newest = ctx.api.pages<HerokuBuild>(
      `/apps/${app.id}/builds`,
      `look for the build of app '${app.name}'`,
      'started_at',
      10,
      1,
    );
    for await (const page of newest) {
      const made = page.find((b) => b.source_blob?.checksum === body.source_blob.checksum);
      if (made) {
        ctx.log.warning(
          `The connection dropped while creating the build, after Heroku had created it: following build ${made.id}`,
        );
        return made;
      }
    }
    ctx.log.warning(
      `The connection dropped while creating the build and Heroku has none for this upload: creating it again`,
    );
    return create();
  }
}

/** PUT to the presigned put_url: streamed from disk, Content-Length set, no Content-Type (not signed). */
async function upload(putUrl: string, path: string, size: number, http?: Partial<HttpClientOptions>): Promise<void> {
  const u = new URL(putUrl);
  const signatures = ['X-Amz-Signature', 'Signature', 'X-Amz-Credential'].map(
    (k) => u.searchParams.get(k) ?? undefined,
  );
  // No token here: the URL is the credential, and it is not Heroku's API.
  const client = createHttpClient({
    baseUrl: u.origin,
    provider: 'Heroku source upload',
    timeoutMs: 120_000,
    ...http,
    secrets: signatures.filter((s): s is string => !!s),
  });
  try {
    await client.request('PUT', `${u.pathname}${u.search}`, {
      bodyStream: () => fileBody(path),
      headers: { 'content-length': String(size), accept: '*/*' },
      responseType: 'text',
    });
  } catch (err) {
    throw new HerokuError(`uploading the source tarball to Heroku failed: ${(err as Error).message}`, 'upload_failed');
  } finally {
    await client.close();
  }
}

// ---------------------------------------------------------------------------------------------
// promote

export async function promote(options: PromoteOptions): Promise<HerokuReport> {
  return withContext('promote', options, async (ctx) => {
    const { api, log, report } = ctx;
    const app = await readApp(ctx);
    let coupling: HerokuCoupling;
    try {
      coupling = await api.get<HerokuCoupling>(
        `/apps/${app.id}/pipeline-couplings`,
        `read the pipeline of app '${app.name}'`,
      );
    } catch (err) {
      if ((err as HerokuError).status === 404) {
        throw new HerokuError(
          `Heroku app '${app.name}' is not in a pipeline, so there is nothing to promote it to; add it to one (heroku pipelines:add) or use mode: deploy`,
          'not_in_pipeline',
        );
      }
      throw err;
    }
    const couplings = await api.get<HerokuCoupling[]>(
      `/pipelines/${coupling.pipeline.id}/pipeline-couplings`,
      `list the apps of pipeline ${coupling.pipeline.id}`,
    );
    const targetCouplings = couplings.filter((c) => c.stage === options.stage && c.app.id !== app.id);
    if (targetCouplings.length === 0) {
      const stages = [...new Set(couplings.map((c) => c.stage))].join(', ');
      throw new HerokuError(
        `Heroku pipeline ${coupling.pipeline.id} of app '${app.name}' has no app in stage '${options.stage}' (stages with apps: ${stages}); set pipeline-stage to the stage of the apps to promote to`,
        'no_targets',
      );
    }
    const { current: source } = await scanReleases(ctx, app);
    if (!source?.slug) {
      throw new HerokuError(
        `Heroku app '${app.name}' has no current release with a slug to promote; deploy it first`,
        'nothing_to_promote',
      );
    }
    const sourceSlug = await api.get<HerokuSlug>(
      `/apps/${app.id}/slugs/${source.slug.id}`,
      `read the slug of app '${app.name}'`,
    );
    report.version = sourceSlug.commit ?? undefined;
    log.info(
      `Promoting ${app.name} v${source.version}${sourceSlug.commit ? ` (${sourceSlug.commit})` : ''} to ${options.stage}`,
    );

    const targets: { app: HerokuApp; report: TargetReport }[] = [];
    for (const c of targetCouplings) {
      const t = await api.get<HerokuApp>(`/apps/${c.app.id}`, `read app ${c.app.id} of stage '${options.stage}'`);
      const { current } = await scanReleases(ctx, t);
      const tr: TargetReport = {
        app: t.name,
        appId: t.id,
        status: 'pending',
        previousRelease: current ? ref(current) : undefined,
      };
      if (!options.force && current?.slug) {
        const same =
          current.slug.id === source.slug.id ||
          (!!sourceSlug.commit &&
            (await api.get<HerokuSlug>(`/apps/${t.id}/slugs/${current.slug.id}`, `read the slug of app '${t.name}'`))
              .commit === sourceSlug.commit);
        if (same) {
          tr.status = 'skipped';
          tr.release = ref(current);
          log.info(`${t.name} v${current.version} already runs this slug: skipped`);
        }
      }
      targets.push({ app: t, report: tr });
    }
    report.targets = targets.map((t) => t.report);
    const first = targets[0]!.report;
    report.previousRelease = first.previousRelease;
    // The promoted release serves from the target app: that is the URL to smoke-test and roll back.
    report.appUrl = targets[0]!.app.web_url ?? report.appUrl;
    const todo = targets.filter((t) => t.report.status === 'pending');
    if (todo.length === 0) {
      report.skipped = true;
      report.skipReason = `every app in stage '${options.stage}' already runs ${app.name} v${source.version}'s slug`;
      report.release = first.release;
      return;
    }

    const promotion = await api.post<HerokuPromotion>(
      '/pipeline-promotions',
      {
        pipeline: { id: coupling.pipeline.id },
        // The release tested in staging, named explicitly so a deploy landing meanwhile is not promoted instead.
        source: { app: { id: app.id }, release: { id: source.id } },
        targets: todo.map((t) => ({ app: { id: t.app.id } })),
      },
      `promote app '${app.name}' to stage '${options.stage}'`,
    );
    const deadline = Date.now() + ctx.timeoutMs;
    const results = await pollUntil(
      ctx,
      deadline,
      () =>
        api.get<HerokuPromotionTarget[]>(
          `/pipeline-promotions/${promotion.id}/promotion-targets`,
          `read promotion ${promotion.id}`,
        ),
      (ts) => ts.every((t) => t.status !== 'pending') || ts.some((t) => t.status === 'failed'),
      () =>
        `Heroku promotion ${promotion.id} from '${app.name}' still pending after ${formatDuration(ctx.timeoutMs)} (timeout); watch ${report.activityUrl}, or raise timeout`,
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
    for (const t of todo) {
      const r = results.find((x) => x.app.id === t.app.id);
      if (!r?.release) continue;
      const created = await api.get<HerokuRelease>(
        `/apps/${t.app.id}/releases/${r.release.id}`,
        `read the release of app '${t.app.name}'`,
      );
      t.report.release = ref(created);
      try {
        const final = await waitForRelease(ctx, t.app, created, deadline, t.report.previousRelease);
        t.report.release = ref(final);
        t.report.status = 'succeeded';
      } catch (err) {
        t.report.status = 'failed';
        t.report.error = (err as Error).message;
        report.release = first.release;
        throw err;
      }
      log.info(`${t.app.name} now runs v${t.report.release.version}`);
    }
    report.release = first.release;
  });
}

// ---------------------------------------------------------------------------------------------
// rollback

export async function rollback(options: RollbackOptions): Promise<HerokuReport> {
  return withContext('rollback', options, async (ctx) => {
    const { api, log, report } = ctx;
    const app = await readApp(ctx);
    const { current, previous } = await scanReleases(ctx, app);
    if (!current) {
      throw new HerokuError(`Heroku app '${app.name}' has no current release to roll back from`, 'no_release');
    }
    report.previousRelease = ref(current);
    let target: HerokuRelease;
    if (options.to === 'previous') {
      if (!previous) {
        throw new HerokuError(
          `Heroku app '${app.name}' has no release before v${current.version} that is eligible for rollback; deploy a fix instead`,
          'no_rollback_target',
        );
      }
      target = previous;
    } else {
      const version = options.to;
      try {
        target = await api.get<HerokuRelease>(
          `/apps/${app.id}/releases/${version}`,
          `read release v${version} of app '${app.name}'`,
        );
      } catch (err) {
        if ((err as HerokuError).status === 404) {
          throw new HerokuError(
            `Heroku app '${app.name}' has no release v${version} (current is v${current.version}); set to: to an existing version`,
            'not_found',
          );
        }
        throw err;
      }
      if (target.version === current.version || current.description === `Rollback to v${target.version}`) {
        report.skipped = true;
        report.skipReason =
          target.version === current.version
            ? `v${target.version} is already the current release`
            : `v${current.version} is already a rollback to v${target.version}`;
        report.release = ref(current);
        report.rollbackTarget = ref(target);
        report.previousRelease = previous ? ref(previous) : undefined;
        log.info(`${report.skipReason}: nothing to do`);
        return;
      }
      if (!target.eligible_for_rollback) {
        throw new HerokuError(
          `Heroku release v${target.version} of app '${app.name}' is not eligible for rollback (eligible_for_rollback is false: Heroku cannot restore its slug and config, e.g. it failed, expired or ran on a retired stack); pick another version${previous ? `, e.g. v${previous.version}` : ''}`,
          'not_eligible',
        );
      }
      if (target.status !== 'succeeded') {
        throw new HerokuError(
          `Heroku release v${target.version} of app '${app.name}' has status ${target.status} (it never ran successfully), so rolling back to it is refused; pick another version${previous ? `, e.g. v${previous.version}` : ''}`,
          'not_eligible',
        );
      }
    }
    report.rollbackTarget = ref(target);
    log.info(`Rolling ${app.name} back from v${current.version} to v${target.version} (${target.description})`);
    const created = await createRollbackRelease(ctx, app, target, current);
    report.release = ref(created);
    const deadline = Date.now() + ctx.timeoutMs;
    const final = await waitForRelease(ctx, app, created, deadline, ref(current));
    report.release = ref(final);
    log.info(`Released v${final.version}: rollback to v${target.version}`);
  });
}
