// rollback: a new release from an earlier release's slug and config, then its release phase. Only a
// release that once ran successfully and that Heroku can still restore is a target.

import { readApp, scanReleases } from './app-state';
import { HerokuError } from './errors';
import { waitForRelease } from './release-phase';
import { type HerokuReport, releaseRef } from './report';
import { type HerokuOptions, type RunContext, withRunContext } from './run-context';
import type { HerokuApp, HerokuRelease } from './types';

export interface RollbackOptions extends HerokuOptions {
  /** 'previous' or a release version number. */
  to: 'previous' | number;
}

export async function rollback(options: RollbackOptions): Promise<HerokuReport> {
  return withRunContext('rollback', options, async (ctx) => {
    const { log, report } = ctx;
    const app = await readApp(ctx);
    const { current, previous } = await scanReleases(ctx, app);
    if (!current) {
      throw new HerokuError(`Heroku app '${app.name}' has no current release to roll back from`, 'no_release');
    }
    report.previousRelease = releaseRef(current);
    let target: HerokuRelease;
    if (options.to === 'previous') {
      target = previousOrRefuse(app, current, previous);
    } else {
      target = await readNamedRelease(ctx, app, options.to, current);
      if (alreadyThere(ctx, target, current, previous)) return;
      refuseIneligible(app, target, previous);
    }
    report.rollbackTarget = releaseRef(target);
    log.info(`Rolling ${app.name} back from v${current.version} to v${target.version} (${target.description})`);
    const created = await createRollbackRelease(ctx, app, target, current);
    report.release = releaseRef(created);
    const deadline = Date.now() + ctx.timeoutMs;
    const final = await waitForRelease(ctx, app, created, deadline, releaseRef(current));
    report.release = releaseRef(final);
    log.info(`Released v${final.version}: rollback to v${target.version}`);
  });
}

function previousOrRefuse(app: HerokuApp, current: HerokuRelease, previous?: HerokuRelease): HerokuRelease {
  if (previous) return previous;
  throw new HerokuError(
    `Heroku app '${app.name}' has no release before v${current.version} that is eligible for rollback; deploy a fix instead`,
    'no_rollback_target',
  );
}

async function readNamedRelease(
  ctx: RunContext,
  app: HerokuApp,
  version: number,
  current: HerokuRelease,
): Promise<HerokuRelease> {
  try {
    return await ctx.api.get<HerokuRelease>(
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
}

/** True, with the report marked skipped, when the app runs `target` already or a rollback to it. */
function alreadyThere(
  ctx: RunContext,
  target: HerokuRelease,
  current: HerokuRelease,
  previous: HerokuRelease | undefined,
): boolean {
  const isCurrent = target.version === current.version;
  if (!isCurrent && current.description !== `Rollback to v${target.version}`) return false;
  const { report } = ctx;
  report.skipped = true;
  report.skipReason = isCurrent
    ? `v${target.version} is already the current release`
    : `v${current.version} is already a rollback to v${target.version}`;
  report.release = releaseRef(current);
  report.rollbackTarget = releaseRef(target);
  report.previousRelease = previous ? releaseRef(previous) : undefined;
  ctx.log.info(`${report.skipReason}: nothing to do`);
  return true;
}

function refuseIneligible(app: HerokuApp, target: HerokuRelease, previous: HerokuRelease | undefined): void {
  const another = `pick another version${previous ? `, e.g. v${previous.version}` : ''}`;
  if (!target.eligible_for_rollback) {
    throw new HerokuError(
      `Heroku release v${target.version} of app '${app.name}' is not eligible for rollback (eligible_for_rollback is false: Heroku cannot restore its slug and config, e.g. it failed, expired or ran on a retired stack); ${another}`,
      'not_eligible',
    );
  }
  if (target.status !== 'succeeded') {
    throw new HerokuError(
      `Heroku release v${target.version} of app '${app.name}' has status ${target.status} (it never ran successfully), so rolling back to it is refused; ${another}`,
      'not_eligible',
    );
  }
}

/**
 * POST /releases (a rollback) is not idempotent either: when the connection drops before the answer, look
 * for a release newer than the one that was current, rolling back to the target, before creating another.
 */
async function createRollbackRelease(
  ctx: RunContext,
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
