// promote and rollback: move the project's production domains to a deployment and wait until the
// project reports that deployment as its production one (the alias job runs asynchronously on Vercel).

import { HttpError } from '@wingman/http';
import type { Log } from '@wingman/log';
import type { VercelApi, VercelDeployment, VercelProject } from './api';
import { explainVercelError } from './deploy';
import { type Clock, https, realClock, VercelDeployError } from './wait';

export interface ReleaseOptions {
  api: VercelApi;
  projectId: string;
  /** dpl_… id or the deployment's URL/hostname; rollback defaults to the previous production deployment. */
  deployment?: string;
  timeoutMs: number;
  log: Log;
  clock?: Clock;
  /** Poll interval while the alias job runs. Default 500 ms. */
  pollMs?: number;
  /** Rollback reason recorded by Vercel. */
  description?: string;
}

export interface ReleaseResult {
  deployment: VercelDeployment;
  project: VercelProject;
  previousProductionId?: string;
  /** The deployment already was production: nothing was requested. */
  unchanged: boolean;
}

/** `dpl_…` stays as is; a URL becomes its hostname (GET /v13/deployments accepts both). */
export function deploymentRef(input: string): string {
  const s = input.trim();
  if (/^dpl_[A-Za-z0-9]+$/.test(s)) return s;
  const host = s.replace(/^https?:\/\//i, '').replace(/[/?#].*$/, '');
  if (!/^[a-z0-9.-]+$/i.test(host) || !host.includes('.')) {
    throw new Error(`input 'deployment' must be a dpl_… id or a deployment URL, got ${JSON.stringify(input)}`);
  }
  return host.toLowerCase();
}

async function load(api: VercelApi, projectId: string, ref: string): Promise<VercelDeployment> {
  try {
    return await api.getDeployment(ref);
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) {
      throw new Error(
        `Vercel deployment '${ref}' was not found${api.teamId ? ` in team ${api.teamId}` : ''}: check the 'deployment' input and 'team-id'`,
      );
    }
    throw explainVercelError(err, projectId, api.teamId);
  }
}

async function project(api: VercelApi, projectId: string): Promise<VercelProject> {
  try {
    return await api.getProject(projectId);
  } catch (err) {
    throw explainVercelError(err, projectId, api.teamId);
  }
}

function checkOwnProduction(d: VercelDeployment, p: VercelProject, verb: string): void {
  if (d.projectId && d.projectId !== p.id) {
    throw new Error(
      `deployment ${d.id} belongs to project ${d.projectId}, not ${p.id} ('project-id'): ${verb} only works within one project`,
    );
  }
  if (d.readyState !== 'READY') {
    throw new Error(`deployment ${d.id} is ${d.readyState}, not READY: only a READY deployment can be ${verb}d`);
  }
  if (d.target !== 'production') {
    throw new Error(
      `deployment ${d.id} was built as a preview, not for production: deploy with target: production (staged: true to hold the domains) and ${verb} that one`,
    );
  }
}

/** Polls the project until its production deployment is `id` and the alias job succeeded. */
async function waitForProduction(
  api: VercelApi,
  p: VercelProject,
  d: VercelDeployment,
  type: 'promote' | 'rollback',
  o: ReleaseOptions,
): Promise<VercelProject> {
  const clock = o.clock ?? realClock;
  const deadline = clock.now() + o.timeoutMs;
  for (;;) {
    const now = await project(api, p.id);
    const job = now.lastAliasRequest;
    if (job && job.toDeploymentId === d.id && job.jobStatus === 'failed') {
      throw new VercelDeployError(
        `Vercel's ${type} of ${p.name} to ${d.id} failed: some domains could not be moved; see the project's domains in the dashboard${d.inspectorUrl ? ` (${d.inspectorUrl})` : ''}`,
        d,
      );
    }
    const jobDone = !job || job.toDeploymentId !== d.id || job.jobStatus === 'succeeded';
    if (now.targets?.production?.id === d.id && jobDone) return now;
    const left = deadline - clock.now();
    if (left <= 0) {
      throw new VercelDeployError(
        `Vercel's ${type} of ${p.name} to ${d.id} did not complete within ${Math.round(o.timeoutMs / 1000)} s (job ${job?.jobStatus ?? 'unknown'}); check the project's deployments page`,
        d,
      );
    }
    await clock.sleep(Math.min(o.pollMs ?? 500, left));
  }
}

export async function promote(o: ReleaseOptions): Promise<ReleaseResult> {
  if (!o.deployment)
    throw new Error(
      `input 'deployment' is required for mode promote: the dpl_… id or URL of the staged deployment (deploy-vercel's deployment-id output)`,
    );
  const p = await project(o.api, o.projectId);
  const d = await load(o.api, o.projectId, deploymentRef(o.deployment));
  checkOwnProduction(d, p, 'promote');
  const previous = p.targets?.production?.id ?? undefined;
  if (previous === d.id && (!p.lastAliasRequest || p.lastAliasRequest.jobStatus === 'succeeded')) {
    o.log.info(`${d.id} (${https(d.url)}) already serves production for ${p.name}: nothing to promote`);
    return { deployment: d, project: p, previousProductionId: previous, unchanged: true };
  }
  return o.log.group(`Promote ${d.id} to production`, async () => {
    try {
      await o.api.promote(p.id, d.id);
    } catch (err) {
      throw explainVercelError(err, o.projectId, o.api.teamId);
    }
    o.log.info(`requested: production domains of ${p.name} move from ${previous ?? '(none)'} to ${d.id}`);
    const after = await waitForProduction(o.api, p, d, 'promote', o);
    o.log.info(`${p.name} production is now ${d.id} (${https(d.url)})`);
    return {
      deployment: await o.api.getDeployment(d.id),
      project: after,
      previousProductionId: previous,
      unchanged: false,
    };
  });
}

/** The newest production deployment that served traffic before the current one. */
export async function previousProduction(api: VercelApi, p: VercelProject): Promise<string | undefined> {
  const current = p.targets?.production;
  const list = await api.listDeployments({ projectId: p.id, target: 'production', state: 'READY', limit: 100 });
  const currentCreated =
    current?.createdAt ?? list.find((d) => d.uid === current?.id)?.created ?? Number.POSITIVE_INFINITY;
  return list
    .filter((d) => d.isRollbackCandidate && d.uid !== current?.id && d.created < currentCreated)
    .sort((a, b) => b.created - a.created)[0]?.uid;
}

export async function rollback(o: ReleaseOptions): Promise<ReleaseResult> {
  const p = await project(o.api, o.projectId);
  const current = p.targets?.production?.id ?? undefined;
  let ref = o.deployment ? deploymentRef(o.deployment) : undefined;
  if (!ref) {
    ref = await previousProduction(o.api, p);
    if (!ref) {
      throw new Error(
        `${p.name} has no earlier production deployment to roll back to: set 'deployment' to the dpl_… id to restore`,
      );
    }
    o.log.info(`rolling back to the previous production deployment ${ref}`);
  }
  const d = await load(o.api, o.projectId, ref);
  checkOwnProduction(d, p, 'roll back');
  if (current === d.id) {
    o.log.info(`${d.id} (${https(d.url)}) already serves production for ${p.name}: nothing to roll back`);
    return { deployment: d, project: p, previousProductionId: current, unchanged: true };
  }
  return o.log.group(`Roll back ${p.name} to ${d.id}`, async () => {
    try {
      await o.api.rollback(p.id, d.id, o.description);
    } catch (err) {
      if (err instanceof HttpError && err.status === 402) {
        const prev = await previousProduction(o.api, p).catch(() => undefined);
        throw new Error(
          `Vercel refused to roll back ${p.name} to ${d.id} (402: ${err.providerMessage ?? 'plan limit'}): this plan can only roll back to the previous production deployment${prev ? ` (${prev}): leave 'deployment' empty or set it to ${prev}` : ''}`,
        );
      }
      throw explainVercelError(err, o.projectId, o.api.teamId);
    }
    o.log.info(`requested: production domains of ${p.name} move from ${current ?? '(none)'} to ${d.id}`);
    const after = await waitForProduction(o.api, p, d, 'rollback', o);
    o.log.info(
      `${p.name} production is now ${d.id} (${https(d.url)}); new production deployments will not take the domains until one is promoted`,
    );
    return {
      deployment: await o.api.getDeployment(d.id),
      project: after,
      previousProductionId: current,
      unchanged: false,
    };
  });
}
