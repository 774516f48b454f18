import { formatDuration } from './duration';

// One deadline for a whole step: every request, retry wait and poll of the step inherits it, so a
// provider that never answers cannot hold a step past its `timeout` (requests once allowed 30 s × 5
// attempts each, whatever the step said).

/** Why a deadline fired: the budget and the input that set it, for the message a user reads. */
export class DeadlineExceeded extends Error {
  override name = 'DeadlineExceeded';
  constructor(
    readonly ms: number,
    readonly input: string,
  ) {
    super(`the step's '${input}' (${formatDuration(ms)}) ran out`);
  }
}

export interface Deadline {
  readonly signal: AbortSignal;
  readonly ms: number;
  /** The input that set it, named in messages: 'timeout', 'wait-timeout' … */
  readonly input: string;
  /** Milliseconds left (0 once passed). */
  remaining(): number;
  /** Waits ms, or less when the deadline comes first (then it rejects with DeadlineExceeded). */
  sleep(ms: number): Promise<void>;
}

/**
 * A deadline ms after `startedAt` (default: now); the timer does not keep the process alive. An action
 * passes its process's start (performance.timeOrigin), so Node's start-up and module loading count
 * against the step's timeout as they count for the user waiting on it.
 */
export function startDeadline(ms: number, input = 'timeout', startedAt = Date.now()): Deadline {
  const controller = new AbortController();
  const end = startedAt + ms;
  const timer = setTimeout(() => controller.abort(new DeadlineExceeded(ms, input)), Math.max(0, end - Date.now()));
  timer.unref?.();
  return {
    signal: controller.signal,
    ms,
    input,
    remaining: () => Math.max(0, end - Date.now()),
    sleep: (wait) => sleep(wait, controller.signal),
  };
}

/** The one sleep: setTimeout as a promise that rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (!signal) return new Promise((resolve) => setTimeout(resolve, ms));
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
