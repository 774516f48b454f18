// deploy's build: create it exactly once from the uploaded source, follow its output, and wait until it
// failed or succeeded with a release.

import { formatDuration } from '@wingman/time';
import { HerokuError } from './errors';
import { lastLines, readOutputTail } from './output-stream';
import { pollUntil } from './poll';
import type { ReleaseRef } from './report';
import { followWithin, type RunContext } from './run-context';
import { herokuBuildShape } from './shapes';
import type { SourceBlob } from './source-upload';
import type { HerokuApp, HerokuBuild } from './types';

/**
 * POST /builds is not idempotent, so the client does not repeat it. When the connection drops before the
 * answer, Heroku may or may not have created the build: look for it (its checksum names this upload)
 * and follow it, or create it once more when it is not there.
 */
export async function createBuild(ctx: RunContext, app: HerokuApp, sourceBlob: SourceBlob): Promise<HerokuBuild> {
  const what = `create a build of app '${app.name}'`;
  const body = { source_blob: sourceBlob };
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
      const made = page.find((b) => b.source_blob?.checksum === sourceBlob.checksum);
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

/**
 * Streams the build's output and waits until it succeeded, returning the id of the release it created.
 * Throws when it failed, with the last lines of its output; `keeps` is the release still serving.
 */
export async function waitForBuild(
  ctx: RunContext,
  app: HerokuApp,
  build: HerokuBuild,
  deadline: number,
  keeps?: ReleaseRef,
): Promise<string> {
  const { log, report } = ctx;
  let tail: string[] = [];
  const finished = await log.group(`Build ${build.id}`, async () => {
    tail = await followWithin(ctx, build.output_stream_url, deadline);
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
      `Heroku build ${build.id} of app '${app.name}' failed${keeps ? `; v${keeps.version} keeps running` : ''}; last lines of the build output: ${lastLines(tail)}; see ${report.activityUrl}`,
      'build_failed',
    );
  }
  return finished.release!.id;
}
