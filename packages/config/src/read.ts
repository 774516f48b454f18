// What the platforms hold, read through their own packages' clients: each environment's Heroku app's
// config vars, and each Vercel target's environment variables (production, a custom environment named
// like the environment, or preview), decrypted as `vercel env pull` reads them. Sensitive Vercel
// variables exist but cannot be read back. A refused read is recorded, not thrown: the check says it.
import { type HerokuError, readConfigVars } from '@wingman/heroku';
import { HttpError } from '@wingman/http';
import type { Log } from '@wingman/log';
import { createVercelApi } from '@wingman/vercel';
import type { Platform, Reading } from './check';
import type { Manifest } from './manifest';

export interface ReadOptions {
  manifest: Manifest;
  /** The environment being deployed. */
  environment: string;
  heroku?: { apiKey: string; apiUrl?: string; apps: Record<string, string> };
  vercel?: { token: string; projectId: string; teamId?: string; apiUrl?: string };
  log: Log;
  signal?: AbortSignal;
}

/** The environments whose values the check needs on `platform`: the deployed one, and the others for isolation. */
function needed(o: ReadOptions, platform: Platform): string[] {
  const vars = Object.values(o.manifest.variables).filter((v) => v[platform]);
  if (!vars.length) return [];
  const isolated = vars.some((v) => v.isolated);
  const envs = isolated ? [...o.manifest.environments] : [o.environment];
  if (platform === 'vercel' && isolated) envs.push('preview');
  return [...new Set([o.environment, ...envs])];
}

export async function readPlatforms(o: ReadOptions): Promise<Reading[]> {
  const readings: Reading[] = [];
  const herokuEnvs = needed(o, 'heroku');
  if (herokuEnvs.length) {
    for (const environment of herokuEnvs) {
      const app = o.heroku?.apps[environment];
      const where = app ? `Heroku app ${app}` : `Heroku (${environment})`;
      if (!o.heroku)
        readings.push(
          refused(
            'heroku',
            environment,
            where,
            "input 'heroku-api-key' is empty: set it to check the Heroku config vars",
          ),
        );
      else if (!app)
        readings.push(
          refused(
            'heroku',
            environment,
            where,
            `input 'heroku-apps' names no app for ${environment}: add ${environment}=<app>`,
          ),
        );
      else {
        try {
          const vars = await readConfigVars({
            apiKey: o.heroku.apiKey,
            apiUrl: o.heroku.apiUrl,
            app,
            log: o.log,
            http: { signal: o.signal },
          });
          readings.push({ platform: 'heroku', environment, where, vars: asValues(vars) });
        } catch (err) {
          const e = err as HerokuError;
          const why =
            e.status === 401 || e.status === 403
              ? `the Heroku API key may not read the config vars of app ${app} (${e.status}): use a key of an account with access to it`
              : e.status === 404
                ? `Heroku app ${app} was not found (404): check input 'heroku-apps'`
                : e.message;
          readings.push(refused('heroku', environment, where, why));
        }
      }
    }
  }
  const vercelEnvs = needed(o, 'vercel');
  if (vercelEnvs.length) {
    if (!o.vercel) {
      for (const environment of vercelEnvs)
        readings.push(
          refused(
            'vercel',
            environment,
            `Vercel (${environment})`,
            "input 'vercel-token' is empty: set it to check the Vercel environment variables",
          ),
        );
      return readings;
    }
    const api = createVercelApi({
      token: o.vercel.token,
      teamId: o.vercel.teamId,
      apiUrl: o.vercel.apiUrl,
      signal: o.signal,
    });
    try {
      const custom = await api.listCustomEnvironments(o.vercel.projectId);
      const records = await api.listEnv(o.vercel.projectId);
      for (const environment of vercelEnvs) {
        const env = custom.find((c) => c.slug === environment);
        const target = environment === 'production' ? 'production' : env ? env.id : 'preview';
        const where = env ? `Vercel custom environment ${environment}` : `Vercel target ${target}`;
        const pulled = await api.pullEnv(o.vercel.projectId, target);
        const covers = (r: (typeof records)[number]) =>
          env
            ? (r.customEnvironmentIds ?? []).includes(env.id)
            : ([] as string[]).concat(r.target ?? []).includes(target);
        const sensitive = new Set(records.filter((r) => r.type === 'sensitive' && covers(r)).map((r) => r.key));
        const vars = asValues(pulled);
        for (const key of sensitive) vars.set(key, {});
        readings.push({ platform: 'vercel', environment, where, vars });
      }
    } catch (err) {
      const status = err instanceof HttpError ? err.status : undefined;
      const why =
        status === 401 || status === 403
          ? `the Vercel token may not read the environment variables of project ${o.vercel.projectId} (${status}${err instanceof HttpError && err.code ? ` ${err.code}` : ''}): use a token of a team member allowed to read them`
          : status === 404
            ? `Vercel project ${o.vercel.projectId} was not found (404): check inputs 'vercel-project-id' and 'vercel-team-id'`
            : (err as Error).message;
      for (const environment of vercelEnvs)
        readings.push(refused('vercel', environment, `Vercel (${environment})`, why));
    } finally {
      await api.close();
    }
  }
  return readings;
}

function asValues(vars: Record<string, string>): Map<string, { value?: string }> {
  return new Map(Object.entries(vars).map(([k, v]) => [k, { value: v }]));
}

function refused(platform: Platform, environment: string, where: string, why: string): Reading {
  return { platform, environment, where, vars: new Map(), refused: why };
}
