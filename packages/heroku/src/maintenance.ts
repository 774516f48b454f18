// maintenance: turn the app's maintenance mode on or off (PATCH /apps/{app}). While on, Heroku's router
// answers every web request with its maintenance page (503); dynos, one-off dynos and the release phase
// keep running. Re-run safe: an app already in the asked state is left alone.

import { readApp } from './app-state';
import { HerokuError } from './errors';
import type { HerokuReport } from './report';
import { type HerokuOptions, withRunContext } from './run-context';
import type { HerokuApp } from './types';

export interface MaintenanceOptions extends HerokuOptions {
  on: boolean;
}

export async function setMaintenance(options: MaintenanceOptions): Promise<HerokuReport> {
  return withRunContext('maintenance', options, async (ctx) => {
    const { log, report } = ctx;
    const app = await readApp(ctx);
    const state = options.on ? 'on' : 'off';
    if (!!app.maintenance === options.on) {
      report.skipped = true;
      report.skipReason = `maintenance mode is already ${state}`;
      return;
    }
    const updated = await ctx.api.call<HerokuApp>(
      'PATCH',
      `/apps/${app.id}`,
      `turn maintenance mode ${state} for app '${app.name}'`,
      { body: { maintenance: options.on }, idempotent: true },
    );
    if (updated.body.maintenance !== options.on)
      throw new HerokuError(
        `Heroku answered the maintenance ${state} request for app '${app.name}' with maintenance ${updated.body.maintenance ? 'on' : 'off'}: check the app in the dashboard`,
        'unexpected_answer',
      );
    report.maintenance = options.on;
    log.info(
      options.on
        ? `Maintenance mode on for ${app.name}: web requests get Heroku's maintenance page (503) until it is turned off`
        : `Maintenance mode off for ${app.name}: web requests reach the dynos again`,
    );
  });
}
