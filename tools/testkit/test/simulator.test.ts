import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { type SimRequest, type SimResponse, Simulator } from '../src/simulator';

class TokenSim extends Simulator {
  constructor() {
    super({ name: 'Tokenized', token: 'sim-token-1234' });
    this.route('GET', '/me', () => ({ status: 200, body: { user: 'me' } }));
    this.route('GET', '/health', () => ({ status: 200, body: 'ok' }), { auth: false });
  }
}

class ShapedSim extends Simulator {
  protected override requestIdHeader = 'request-id';
  protected override notFound(req: SimRequest): SimResponse {
    return { status: 404, body: { id: 'not_found', message: `Couldn't find that ${req.path}.` } };
  }
}

describe('Simulator', () => {
  let sim: Simulator;

  beforeEach(async () => {
    sim = new Simulator({ name: 'Test' });
    await sim.start();
  });

  afterEach(async () => {
    await sim.stop();
  });

  it('listens on 127.0.0.1 and hands params, query, headers and JSON body to the handler', async () => {
    expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    let seen: SimRequest | undefined;
    sim.route('POST', '/apps/:app/builds', (req) => {
      seen = req;
      return { status: 201, body: { id: 'b1', app: req.params.app, source: (req.body as { url: string }).url } };
    });
    const res = await fetch(`${sim.url}/apps/my%20app/builds?verbose=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-custom': 'yes' },
      body: JSON.stringify({ url: 'https://example.test/src.tgz' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(res.headers.get('x-request-id')).toMatch(/^sim-\d+$/);
    expect(await res.json()).toEqual({ id: 'b1', app: 'my app', source: 'https://example.test/src.tgz' });
    expect(seen?.params).toEqual({ app: 'my app' });
    expect(seen?.query).toEqual({ verbose: '1' });
    expect(seen?.headers['x-custom']).toBe('yes');

    expect(sim.requests).toHaveLength(1);
    const rec = sim.requests[0]!;
    expect(rec.method).toBe('POST');
    expect(rec.path).toBe('/apps/my%20app/builds');
    expect(rec.query).toEqual({ verbose: '1' });
    expect(rec.body).toEqual({ url: 'https://example.test/src.tgz' });
    expect(Math.abs(rec.time - Date.now())).toBeLessThan(5000);
  });

  it('parses form bodies, keeps other bodies raw and sends text and bytes as given', async () => {
    const bodies: unknown[] = [];
    sim.route('POST', '/echo', (req) => {
      bodies.push(req.body);
      return { status: 200, body: Buffer.isBuffer(req.body) ? req.body : 'plain text' };
    });
    const form = await fetch(`${sim.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'channel=C1&text=hi',
    });
    expect(await form.text()).toBe('plain text');
    expect(form.headers.get('content-type')).toContain('text/plain');
    const bytes = await fetch(`${sim.url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([1, 2, 3]),
    });
    expect(Buffer.from(await bytes.arrayBuffer())).toEqual(Buffer.from([1, 2, 3]));
    expect(bodies[0]).toEqual({ channel: 'C1', text: 'hi' });
    expect(Buffer.isBuffer(bodies[1])).toBe(true);
  });

  it('answers unknown routes and wrong methods with a JSON 404 naming the request', async () => {
    sim.route('GET', '/apps', () => ({ status: 200, body: [] }));
    const res = await fetch(`${sim.url}/nope/here`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not_found', message: 'Test has no route for GET /nope/here' });
    const wrongMethod = await fetch(`${sim.url}/apps`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(404);
    expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /nope/here', 'DELETE /apps']);
  });

  it('answers 400 for a malformed JSON body and 500 when a handler throws', async () => {
    sim.route('POST', '/x', () => ({ status: 200 }));
    sim.route('GET', '/boom', () => {
      throw new Error('handler bug');
    });
    const bad = await fetch(`${sim.url}/x`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toBe('invalid_body');
    const boom = await fetch(`${sim.url}/boom`);
    expect(boom.status).toBe(500);
    expect(await boom.json()).toEqual({ error: 'simulator_error', message: 'Error: handler bug' });
  });

  it('supports async handlers and an empty body', async () => {
    sim.route('DELETE', '/things/:id', async () => {
      await new Promise((r) => setTimeout(r, 5));
      return { status: 204 };
    });
    const res = await fetch(`${sim.url}/things/7`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });

  it('consumes injected status faults in order, then handles normally', async () => {
    sim.route('GET', '/apps/:app', (req) => ({ status: 200, body: { name: req.params.app } }));
    sim.inject('GET', '/apps/:app', { status: 429, headers: { 'Retry-After': '3' }, body: { id: 'rate_limit' } });
    sim.inject('GET', '/apps/a1', { status: 503 }, { times: 2 });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${sim.url}/apps/a1`);
      statuses.push(res.status);
      if (i === 0) {
        retryAfter = res.headers.get('retry-after');
        expect(await res.json()).toEqual({ id: 'rate_limit' });
      } else await res.arrayBuffer();
    }
    expect(statuses).toEqual([429, 503, 503, 200]);
    expect(retryAfter).toBe('3');
    expect(sim.requestsTo('GET', '/apps/:app')).toHaveLength(4);
  });

  it('does not apply a fault to another method or path', async () => {
    sim.route('*', '/a', () => ({ status: 200, body: {} }));
    sim.route('GET', '/b', () => ({ status: 200, body: {} }));
    sim.inject('POST', '/a', { status: 500 });
    expect((await fetch(`${sim.url}/a`)).status).toBe(200);
    expect((await fetch(`${sim.url}/b`)).status).toBe(200);
    expect((await fetch(`${sim.url}/a`, { method: 'POST' })).status).toBe(500);
    expect((await fetch(`${sim.url}/a`, { method: 'POST' })).status).toBe(200);
  });

  it('delays a response by delayMs', async () => {
    sim.route('GET', '/slow', () => ({ status: 200, body: { ok: true } }));
    sim.inject('GET', '/slow', { delayMs: 150 });
    const t0 = Date.now();
    const res = await fetch(`${sim.url}/slow`);
    expect(res.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    const t1 = Date.now();
    await (await fetch(`${sim.url}/slow`)).arrayBuffer();
    expect(Date.now() - t1).toBeLessThan(140);
  });

  it('resets the connection without an answer for a reset fault', async () => {
    sim.route('GET', '/flaky', () => ({ status: 200, body: { ok: true } }));
    sim.inject('GET', '/flaky', { reset: true });
    const err = await fetch(`${sim.url}/flaky`).then(
      () => undefined,
      (e: unknown) => e as Error & { cause?: { code?: string } },
    );
    expect(err).toBeDefined();
    expect(err?.cause?.code).toBe('ECONNRESET');
    expect((await fetch(`${sim.url}/flaky`)).status).toBe(200);
    expect(sim.requestsTo('GET', '/flaky')).toHaveLength(2);
  });

  it('filters and clears recorded requests', async () => {
    sim.route('*', '/apps/:app', () => ({ status: 200, body: {} }));
    await fetch(`${sim.url}/apps/a`);
    await fetch(`${sim.url}/apps/b`, { method: 'PATCH' });
    await fetch(`${sim.url}/other`);
    expect(sim.requestsTo('GET')).toHaveLength(2);
    expect(sim.requestsTo('*', '/apps/:app').map((r) => r.path)).toEqual(['/apps/a', '/apps/b']);
    expect(sim.requestsTo('patch', '/apps/b')).toHaveLength(1);
    sim.clearRequests();
    expect(sim.requests).toHaveLength(0);
  });

  it('drops pending faults on clearFaults', async () => {
    sim.route('GET', '/x', () => ({ status: 200, body: {} }));
    sim.inject('GET', '/x', { status: 500 }, { times: 3 });
    expect((await fetch(`${sim.url}/x`)).status).toBe(500);
    sim.clearFaults();
    expect((await fetch(`${sim.url}/x`)).status).toBe(200);
  });

  it('refuses connections after stop', async () => {
    const url = sim.url;
    sim.route('GET', '/x', () => ({ status: 200, body: {} }));
    expect((await fetch(`${url}/x`)).status).toBe(200);
    await sim.stop();
    const err = await fetch(`${url}/x`).then(
      () => undefined,
      (e: unknown) => e as Error & { cause?: { code?: string } },
    );
    expect(err?.cause?.code).toBe('ECONNREFUSED');
  });
});

describe('Simulator subclasses', () => {
  it('answers 401 without the required bearer token, except on public routes', async () => {
    const sim = new TokenSim();
    await sim.start();
    try {
      const none = await fetch(`${sim.url}/me`);
      expect(none.status).toBe(401);
      expect(((await none.json()) as { message: string }).message).toContain('Tokenized requires a valid bearer token');
      expect((await fetch(`${sim.url}/me`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const ok = await fetch(`${sim.url}/me`, { headers: { authorization: 'Bearer sim-token-1234' } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ user: 'me' });
      expect((await fetch(`${sim.url}/health`)).status).toBe(200);
      // Unknown routes stay 404 whatever the token.
      expect((await fetch(`${sim.url}/missing`)).status).toBe(404);
    } finally {
      await sim.stop();
    }
  });

  it('lets a subclass shape the 404 body and name the request id header', async () => {
    const sim = new ShapedSim();
    await sim.start();
    try {
      const res = await fetch(`${sim.url}/apps/x`);
      expect(res.status).toBe(404);
      expect(res.headers.get('request-id')).toMatch(/^sim-/);
      expect(await res.json()).toEqual({ id: 'not_found', message: "Couldn't find that /apps/x." });
    } finally {
      await sim.stop();
    }
  });
});

describe('compilePathPattern with a trailing *', () => {
  it('captures the rest of the path, including nothing, and still checks the fixed segments', async () => {
    const { compilePathPattern } = await import('../src/simulator');
    const match = compilePathPattern('/_sites/:id/*');
    expect(match('/_sites/d1/')).toEqual({ id: 'd1', '*': '' });
    expect(match('/_sites/d1/assets/app.css')).toEqual({ id: 'd1', '*': 'assets/app.css' });
    expect(match('/_sites/d1')).toBeUndefined();
    expect(match('/other/d1/x')).toBeUndefined();
  });
});
