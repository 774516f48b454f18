// Shared by the client tests: a fresh Simulator per test with the clients made against it closed after,
// and the error a request failed with.
import { afterEach, beforeEach } from '@jest/globals';
// Straight to the simulator module: the testkit index also loads the embedded Postgres harness.
import { Simulator } from '@wingman/testkit/simulator';
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../src/index';

export function simulatorFixture() {
  const clients: HttpClient[] = [];
  const fx = {
    sim: undefined as unknown as Simulator,
    /** A client of the simulator with short backoff (tests wait milliseconds, not seconds). */
    client(extra: Partial<HttpClientOptions> = {}): HttpClient {
      const c = createHttpClient({ baseUrl: fx.sim.url, minDelayMs: 1, maxDelayMs: 5, provider: 'Heroku', ...extra });
      clients.push(c);
      return c;
    },
  };
  beforeEach(async () => {
    fx.sim = new Simulator({ name: 'Heroku' });
    await fx.sim.start();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await fx.sim.stop();
  });
  return fx;
}

export async function caught(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the request to fail');
}
