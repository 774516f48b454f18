// Waiting on the real outcome of a deployment: poll GET /v13/deployments/{id} until READY (with its
// aliases settled) or a failure, and stream the build events into the log while doing so.
import type { Log } from '@wingman/log';
import { sleep } from '@wingman/time';
import type { VercelApi, VercelDeployment } from './api';

export interface Clock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export const realClock: Clock = {
  now: Date.now,
  sleep: (ms) => sleep(ms),
};

export interface PollOptions {
  /** First wait between polls; doubles up to max. Default 250 ms → 5 s. */
  initialMs?: number;
  maxMs?: number;
}

/** A failure with the deployment it concerns, so the action can still report its id, URL and state. */
export class VercelDeployError extends Error {
  override name = 'VercelDeployError';
  constructor(
    message: string,
    readonly deployment?: VercelDeployment,
  ) {
    super(message);
  }
}

export function isFinal(d: VercelDeployment): boolean {
  if (d.readyState === 'ERROR' || d.readyState === 'CANCELED') return true;
  return d.readyState === 'READY' && (!!d.aliasAssigned || !!d.aliasError);
}

export function https(urlOrHost: string | null | undefined): string {
  if (!urlOrHost) return '';
  return /^https?:\/\//.test(urlOrHost) ? urlOrHost : `https://${urlOrHost}`;
}

function where(d: VercelDeployment): string {
  return d.inspectorUrl ? `; build logs: ${d.inspectorUrl}` : '';
}

/** Throws with Vercel's own message when the deployment failed, was canceled, or could not be aliased. */
export function assertSucceeded(d: VercelDeployment): void {
  if (d.readyState === 'ERROR') {
    const what = [d.errorCode, d.errorMessage].filter(Boolean).join(': ') || 'the build failed';
    throw new VercelDeployError(`Vercel deployment ${d.id} (${https(d.url)}) failed: ${what}${where(d)}`, d);
  }
  if (d.readyState === 'CANCELED') {
    throw new VercelDeployError(
      `Vercel deployment ${d.id} (${https(d.url)}) was canceled before it was ready (by a newer deployment or a user)${where(d)}`,
      d,
    );
  }
  if (d.aliasError) {
    throw new VercelDeployError(
      `Vercel deployment ${d.id} (${https(d.url)}) is READY but its aliases failed: ${d.aliasError.code}: ${d.aliasError.message}${where(d)}`,
      d,
    );
  }
}

export interface WaitOptions extends PollOptions {
  timeoutMs: number;
  log: Log;
  clock?: Clock;
  /** Stream build events into the log. Default true. */
  events?: boolean;
}

export async function waitForDeployment(
  api: VercelApi,
  initial: VercelDeployment,
  options: WaitOptions,
): Promise<VercelDeployment> {
  const clock = options.clock ?? realClock;
  const deadline = clock.now() + options.timeoutMs;
  const maxMs = options.maxMs ?? 5000;
  let delay = options.initialMs ?? 250;
  let d = initial;
  const seen = new Set<string>();
  let since: number | undefined;
  let streaming = options.events ?? true;

  const pump = async () => {
    if (!streaming) return;
    try {
      for (const e of await api.events(d.id, since)) {
        const text = e.payload?.text ?? e.text;
        const id = e.payload?.id ?? `${e.created}:${text}`;
        if (seen.has(id)) continue;
        seen.add(id);
        since = Math.max(since ?? 0, e.created);
        if (text !== undefined) options.log.info(e.type === 'stderr' ? `[stderr] ${text}` : text);
      }
    } catch (err) {
      // The logs are a convenience; the deployment's state decides the outcome.
      streaming = false;
      options.log.warning(`could not read the build events of ${d.id}: ${(err as Error).message}`);
    }
  };

  await options.log.group(`Vercel build ${https(d.url)}`, async () => {
    options.log.info(`deployment ${d.id}: ${d.readyState}${d.inspectorUrl ? ` — ${d.inspectorUrl}` : ''}`);
    let last = d.readyState;
    for (;;) {
      await pump();
      if (isFinal(d)) break;
      const left = deadline - clock.now();
      if (left <= 0) {
        throw new VercelDeployError(
          `Vercel deployment ${d.id} (${https(d.url)}) did not finish within the timeout (${Math.round(options.timeoutMs / 1000)} s, state ${d.readyState}); it keeps running on Vercel${where(d)}; raise 'timeout' if builds take longer`,
          d,
        );
      }
      await clock.sleep(Math.min(delay, left));
      delay = Math.min(delay * 2, maxMs);
      d = await api.getDeployment(d.id);
      if (d.readyState !== last) {
        options.log.info(`deployment ${d.id}: ${d.readyState}${d.readySubstate ? ` (${d.readySubstate})` : ''}`);
        last = d.readyState;
      }
    }
  });
  return d;
}
