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

/** The last lines of a build log, kept while it streams: on a failed build they are the error to read. */
export class BuildLogTail {
  private readonly lines: string[] = [];
  constructor(private readonly keep = 20) {}
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.keep) this.lines.shift();
  }
  get last(): readonly string[] {
    return this.lines;
  }
  /** The line that says what broke: the last one naming an error, other than the build command's exit. */
  errorLine(): string | undefined {
    for (let i = this.lines.length - 1; i >= 0; i--) {
      const line = this.lines[i]!.trim();
      if (/exited with \d+\s*$/.test(line)) continue;
      if (/\b(error|failed|cannot|not found|ERR!)\b/i.test(line))
        return line.length > 300 ? `${line.slice(0, 297)}...` : line;
    }
    return undefined;
  }
}

function where(d: VercelDeployment): string {
  return d.inspectorUrl ? `; build logs: ${d.inspectorUrl}` : '';
}

/**
 * Throws with Vercel's own message when the deployment failed, was canceled, or could not be aliased.
 * A failed build also shows the last lines of its log, and its error names the line that says why.
 */
export function assertSucceeded(d: VercelDeployment, tail?: BuildLogTail, log?: Log): void {
  if (d.readyState === 'ERROR') {
    const what = [d.errorCode, d.errorMessage].filter(Boolean).join(': ') || 'the build failed';
    if (tail?.last.length && log) {
      log.info(`Last ${tail.last.length} line(s) of the build log of ${d.id}:`);
      for (const line of tail.last) log.info(`  ${line}`);
    }
    const line = tail?.errorLine();
    throw new VercelDeployError(
      `Vercel deployment ${d.id} (${https(d.url)}) failed: ${what}${line && !what.includes(line) ? ` — ${line}` : ''}${where(d)}`,
      d,
    );
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
  /** Keeps the last lines streamed. */
  tail?: BuildLogTail;
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
        if (text === undefined) continue;
        options.log.info(e.type === 'stderr' ? `[stderr] ${text}` : text);
        for (const line of text.split('\n')) if (line.trim()) options.tail?.push(line);
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
