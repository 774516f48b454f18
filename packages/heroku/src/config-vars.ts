// deploy's config vars: one PATCH with what differs from the app's config, before the build, so the
// build's release carries them. A change makes its own release on Heroku (and runs the current slug's
// release phase); no change makes none. Names are reported, values never.

import { HerokuApi, type HerokuApiOptions } from './api';
import { newestRelease } from './app-state';
import { HerokuError } from './errors';
import { waitForRelease } from './release-phase';
import { type ConfigReport, type ReleaseRef, releaseRef } from './report';
import type { RunContext } from './run-context';
import { herokuConfigShape as configShape } from './shapes';
import type { HerokuApp } from './types';

interface HerokuAddon {
  name: string;
  config_vars: string[];
}

/** What a PATCH would change: set the differing values, and with prune remove what the list lacks. */
export function planConfig(
  current: Record<string, string>,
  wanted: Record<string, string>,
  prune: boolean,
  addonVars: ReadonlySet<string>,
): ConfigReport & { patch: Record<string, string | null> } {
  const patch: Record<string, string | null> = {};
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  for (const [key, value] of Object.entries(wanted)) {
    if (!Object.hasOwn(current, key)) added.push(key);
    else if (current[key] !== value) changed.push(key);
    else continue;
    patch[key] = value;
  }
  if (prune)
    for (const key of Object.keys(current))
      if (!Object.hasOwn(wanted, key) && !addonVars.has(key)) {
        removed.push(key);
        patch[key] = null;
      }
  const unchanged = Object.keys(wanted).length - added.length - changed.length;
  return { added, changed, removed, unchanged, patch };
}

/** Applies `wanted` to the app and waits for the release it makes; the report of what changed. */
export async function applyConfigVars(
  ctx: RunContext,
  app: HerokuApp,
  wanted: Record<string, string>,
  prune: boolean,
  deadline: number,
  keeps: ReleaseRef | undefined,
): Promise<ConfigReport> {
  const [current, addons] = await Promise.all([
    ctx.api.get<Record<string, string>>(
      `/apps/${app.id}/config-vars`,
      `read the config vars of app '${app.name}'`,
      configShape,
    ),
    ctx.api.get<HerokuAddon[]>(`/apps/${app.id}/addons`, `list the add-ons of app '${app.name}'`),
  ]);
  const owned = new Map(addons.flatMap((a) => (a.config_vars ?? []).map((v) => [v, a.name] as const)));
  const clash = Object.keys(wanted).find((k) => owned.has(k));
  if (clash)
    throw new HerokuError(
      `input 'config-vars' sets ${clash}, which add-on ${owned.get(clash)} of app '${app.name}' owns and Heroku will not overwrite: remove ${clash} from config-vars`,
      'invalid_params',
    );
  const { patch, ...plan } = planConfig(current, wanted, prune, new Set(owned.keys()));
  const names = describe(plan);
  if (!Object.keys(patch).length) {
    ctx.log.info(`Config vars: all ${plan.unchanged} already set as given; no config release`);
    return plan;
  }
  ctx.log.info(`Config vars: ${names}`);
  await ctx.api.call('PATCH', `/apps/${app.id}/config-vars`, `update the config vars of app '${app.name}'`, {
    body: patch,
    schema: configShape,
    // Setting the same values twice changes nothing and makes no second release: safe to resend.
    idempotent: true,
  });
  // The answer is the whole config, secrets included: nothing of it is kept or shown.
  // The PATCH made a release on top of the one before the run.
  const made = await newestRelease(ctx, app);
  if (!made || made.version <= (keeps?.version ?? 0)) return plan;
  const final = await waitForRelease(ctx, app, made, deadline, keeps);
  plan.release = releaseRef(final);
  ctx.log.info(`Released v${final.version} with the new config vars (${final.description})`);
  return plan;
}

/** "added A, B; changed C; removed D", names only. */
export function describe(r: Pick<ConfigReport, 'added' | 'changed' | 'removed' | 'unchanged'>): string {
  const parts = [
    r.added.length && `added ${r.added.join(', ')}`,
    r.changed.length && `changed ${r.changed.join(', ')}`,
    r.removed.length && `removed ${r.removed.join(', ')}`,
    r.unchanged && `${r.unchanged} unchanged`,
  ].filter(Boolean);
  return parts.join('; ') || 'nothing to set';
}

/** An app's config vars, for a check that reads them (verify-config); the caller keeps them in memory only. */
export async function readConfigVars(options: HerokuApiOptions): Promise<Record<string, string>> {
  const api = new HerokuApi(options);
  try {
    return await api.get<Record<string, string>>(
      `/apps/${encodeURIComponent(options.app)}/config-vars`,
      `read the config vars of app '${options.app}'`,
      configShape,
    );
  } finally {
    await api.close();
  }
}
