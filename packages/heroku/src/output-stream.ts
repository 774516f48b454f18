// Follows a build's or release phase's output_stream_url (text/plain) line by line into the log. The stream
// lives on another host than the API and needs no key, so it gets its own client without the token. A
// dropped connection resumes with `Range: bytes=<read>-` as Heroku documents; the stream is best effort:
// its failure never decides the deploy, the build or release status does.

import { createHttpClient, type HttpClient, HttpError } from '@wingman/http';
import type { Log } from '@wingman/log';
import { sleep as oneSleep } from '@wingman/time';

export interface StreamResult {
  /** Last lines seen (for error messages). */
  tail: string[];
  /** Total lines logged. */
  lines: number;
  /** True when the stream ended by itself (the build or release phase finished). */
  complete: boolean;
}

export interface FollowOptions {
  log: Log;
  /** The run's stream clients. */
  clients: StreamClients;
  /** Epoch ms after which reading stops. */
  deadline: number;
  tailLines?: number;
  /** Resumes after a dropped connection. Default 5. */
  maxResumes?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Silence between chunks before reconnecting. Default 60 s. */
  idleTimeoutMs?: number;
  /** The step's deadline: a stream that never answers stops with it. */
  signal?: AbortSignal;
}

/**
 * The stream clients of one run, one per origin, closed when the run ends: two runs in one process never
 * share a connection pool, and nothing outlives the run that opened it.
 */
export class StreamClients {
  private readonly clients = new Map<string, HttpClient>();

  /** The first caller for an origin sets its idle timeout; later callers reuse that client. */
  for(origin: string, idleTimeoutMs: number): HttpClient {
    let c = this.clients.get(origin);
    if (!c) {
      c = createHttpClient({
        baseUrl: origin,
        provider: 'Heroku output stream',
        timeoutMs: idleTimeoutMs,
        retries: 2,
        minDelayMs: 200,
      });
      this.clients.set(origin, c);
    }
    return c;
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close()));
    this.clients.clear();
  }
}

export async function followOutputStream(url: string, options: FollowOptions): Promise<StreamResult> {
  const { log } = options;
  const tailLines = options.tailLines ?? 20;
  const sleep = options.sleep ?? oneSleep;
  const maxResumes = options.maxResumes ?? 5;
  const tail: string[] = [];
  let lines = 0;
  let offset = 0;
  let partial = '';
  const emit = (line: string) => {
    const clean = line.replace(/\r$/, '');
    lines += 1;
    log.info(clean);
    tail.push(clean);
    if (tail.length > tailLines) tail.shift();
  };
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { tail, lines, complete: false };
  }
  const client = options.clients.for(u.origin, options.idleTimeoutMs ?? 60_000);
  let failures = 0;
  while (Date.now() < options.deadline) {
    let body: NodeJS.ReadableStream & { destroy(): void };
    try {
      const res = await client.stream('GET', `${u.pathname}${u.search}`, {
        headers: offset > 0 ? { Range: `bytes=${offset}-`, Accept: 'text/plain' } : { Accept: 'text/plain' },
        expectedStatus: [200, 206],
        signal: options.signal,
      });
      // Heroku documents Range resumption for text/plain streams, and answers it from the offset.
      body = res.body;
      const timer = setTimeout(() => body.destroy(), Math.max(0, options.deadline - Date.now()));
      try {
        for await (const chunk of body as AsyncIterable<Buffer>) {
          const buf = chunk;
          offset += buf.length;
          const text = partial + buf.toString('utf8');
          const parts = text.split('\n');
          partial = parts.pop() ?? '';
          for (const p of parts) emit(p);
        }
      } finally {
        clearTimeout(timer);
      }
      if (Date.now() >= options.deadline) break;
      if (partial) emit(partial);
      return { tail, lines, complete: true };
    } catch (err) {
      failures += 1;
      if (Date.now() >= options.deadline || options.signal?.aborted) break;
      // 404: the stream is not there yet (Heroku creates it as the build starts); anything else: resume.
      const notYet = err instanceof HttpError && err.status === 404;
      if (failures > maxResumes) {
        log.warning(`Heroku output stream stopped (${(err as Error).message}); waiting on the status instead`);
        break;
      }
      log.debug(
        `Heroku output stream ${notYet ? 'not ready' : 'dropped'} (${(err as Error).message}); resuming at byte ${offset}`,
      );
      await sleep(Math.min(2000, 250 * failures));
    }
  }
  if (partial) emit(partial);
  return { tail, lines, complete: false };
}

/** Reads what a finished stream holds, for the error message when following it failed. */
export async function readOutputTail(url: string, clients: StreamClients, tailLines = 20): Promise<string[]> {
  try {
    const u = new URL(url);
    const res = await clients.for(u.origin, 15_000).request<string>('GET', `${u.pathname}${u.search}`, {
      responseType: 'text',
      timeoutMs: 15_000,
    });
    return res.body
      .split('\n')
      .map((l) => l.replace(/\r$/, ''))
      .filter((l) => l.trim() !== '')
      .slice(-tailLines);
  } catch {
    return [];
  }
}

/** The last `n` non-blank lines of a tail, on one line for an error message. */
export function lastLines(tail: string[], n = 8): string {
  const lines = tail
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(-n);
  return lines.length ? lines.join(' | ') : '(no output)';
}
