// Every verb ends on a release: deploy's build, each promotion target, a rollback. This follows the
// release phase's output and waits for its status, failing with the phase's last lines.

import { formatDuration } from '@wingman/time';
import { HerokuError } from './errors';
import { lastLines, readOutputTail } from './output-stream';
import { pollUntil } from './poll';
import type { ReleaseRef } from './report';
import { followWithin, type RunContext } from './run-context';
import type { HerokuApp, HerokuRelease } from './types';

/** Streams a release's release phase and waits for its status. Throws when it failed. */
export async function waitForRelease(
  ctx: RunContext,
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
      tail = await followWithin(ctx, release.output_stream_url, deadline);
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

/** `keeps`: the release still serving, named in the failure so the reader knows nothing went down. */
function checkRelease(
  ctx: RunContext,
  app: HerokuApp,
  r: HerokuRelease,
  tail: string[],
  keeps?: ReleaseRef,
): HerokuRelease {
  if (r.status === 'succeeded') return r;
  const kept = keeps ? `; v${keeps.version} keeps running` : '';
  throw new HerokuError(
    `Heroku release v${r.version} of app '${app.name}' ${r.status === 'failed' ? 'failed in its release phase' : `ended ${r.status}`}${kept}; last lines of its output: ${lastLines(tail)}; see ${ctx.report.activityUrl}`,
    'release_failed',
  );
}
