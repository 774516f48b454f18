// Waiting on Heroku's own status: poll with a doubling interval, ride out transient API failures, and
// stop at the run's deadline with a message that says what may still happen.

import { HerokuError } from './errors';
import type { RunContext } from './run-context';

function isTransient(err: unknown): boolean {
  const e = err as HerokuError;
  return e.id === 'network' || (e.status !== undefined && (e.status >= 500 || e.status === 429));
}

/** Polls until `done`, riding out transient API failures, and fails with `timeoutMessage` at the deadline. */
export async function pollUntil<T>(
  ctx: RunContext,
  deadline: number,
  fetch: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMessage: () => string,
): Promise<T> {
  let delay = ctx.pollMs;
  for (;;) {
    try {
      const value = await fetch();
      if (done(value)) return value;
    } catch (err) {
      if (!isTransient(err)) throw err;
      // The deadline may have cut this very read short: the wait ran out, and the message says what may
      // still happen, whether the last read came back or not.
      if (Date.now() >= deadline) throw new HerokuError(timeoutMessage(), 'timeout');
      ctx.log.warning(`${(err as Error).message}; still waiting`);
    }
    if (Date.now() + delay > deadline) throw new HerokuError(timeoutMessage(), 'timeout');
    await ctx.sleep(delay);
    delay = Math.min(ctx.maxPollMs, delay * 2);
  }
}
