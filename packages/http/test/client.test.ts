// The client against the real Simulator base over 127.0.0.1 sockets: requests, error bodies, redaction.
// Retries and timeouts have their own files (client-retries, client-timeouts).
import { inspect } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { createHttpClient, HttpError } from '../src/index';
import { caught, simulatorFixture } from './fixture';

const TOKEN = 'hrku-tok-9f8e7d6c5b4a';

describe('createHttpClient against the simulator', () => {
  const fx = simulatorFixture();
  const client = fx.client;

  it('sends token, headers, query and JSON body and returns status, headers and parsed body', async () => {
    fx.sim.route('POST', '/apps/:app/builds', (req) => ({
      status: 201,
      headers: { 'x-custom': 'c1' },
      body: { id: 'b-1', app: req.params.app, echo: req.body, query: req.query },
    }));
    const c = client({
      token: TOKEN,
      userAgent: 'wingman-test/1',
      headers: { Accept: 'application/vnd.heroku+json; version=3' },
    });
    const res = await c.request<{ id: string; app: string; echo: unknown; query: unknown }>(
      'POST',
      '/apps/my-app/builds',
      {
        query: { page: 2, tags: ['a', 'b'], skip: undefined },
        body: { source_blob: { url: 'https://x.test/s.tgz' } },
        headers: { 'X-Extra': '1' },
      },
    );
    expect(res.status).toBe(201);
    expect(res.attempts).toBe(1);
    expect(res.headers['x-custom']).toBe('c1');
    expect(res.body).toEqual({
      id: 'b-1',
      app: 'my-app',
      echo: { source_blob: { url: 'https://x.test/s.tgz' } },
      query: { page: '2', tags: 'b' },
    });
    const [rec] = fx.sim.requests;
    expect(rec?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(rec?.headers['user-agent']).toBe('wingman-test/1');
    expect(rec?.headers.accept).toBe('application/vnd.heroku+json; version=3');
    expect(rec?.headers['content-type']).toBe('application/json');
    expect(rec?.headers['x-extra']).toBe('1');
    expect(fx.sim.requests).toHaveLength(1);
  });

  it('offers get/post/put/patch/delete that return the body, and keeps a base path prefix', async () => {
    fx.sim.route('*', '/api/things/:id', (req) => ({
      status: 200,
      body: { method: req.method, body: req.body ?? null },
    }));
    const c = client({ baseUrl: `${fx.sim.url}/api/` });
    expect(await c.get('/things/1')).toEqual({ method: 'GET', body: null });
    expect(await c.post('/things/1', { a: 1 })).toEqual({ method: 'POST', body: { a: 1 } });
    expect(await c.put('things/1', { b: 2 })).toEqual({ method: 'PUT', body: { b: 2 } });
    expect(await c.patch('/things/1', { c: 3 })).toEqual({ method: 'PATCH', body: { c: 3 } });
    expect(await c.delete('/things/1')).toEqual({ method: 'DELETE', body: null });
    expect(fx.sim.requests.map((r) => r.path)).toEqual(Array(5).fill('/api/things/1'));
  });

  it('accepts listed non-2xx statuses and reads text and raw bodies', async () => {
    fx.sim.route('GET', '/maybe', () => ({ status: 404, body: { id: 'not_found' } }));
    fx.sim.route('GET', '/text', () => ({ status: 200, body: 'hello' }));
    fx.sim.route('PUT', '/upload', (req) => ({ status: 200, body: req.rawBody }));
    const c = client();
    const res = await c.request('GET', '/maybe', { expectedStatus: [200, 404] });
    expect(res).toMatchObject({ status: 404, body: { id: 'not_found' } });
    expect(await c.get('/text')).toBe('hello');
    const bytes = await c.request<Buffer>('PUT', '/upload', {
      rawBody: new Uint8Array([7, 8, 9]),
      headers: { 'content-type': 'application/octet-stream' },
      responseType: 'buffer',
    });
    expect([...bytes.body]).toEqual([7, 8, 9]);
  });

  it('follows same-origin absolute URLs (pagination links) and refuses other origins', async () => {
    fx.sim.route('GET', '/items', (req) => ({ status: 200, body: { page: req.query.page } }));
    const c = client({ token: TOKEN });
    expect(await c.get(`${fx.sim.url}/items?page=2`)).toEqual({ page: '2' });
    const err = await caught(c.get('https://elsewhere.invalid/items'));
    expect(err.message).toContain('refuses https://elsewhere.invalid');
    expect(fx.sim.requests).toHaveLength(1);
  });

  it('turns provider error bodies into typed fields through an errorParser', async () => {
    fx.sim.route('POST', '/apps/:app/builds', () => ({
      status: 422,
      headers: { 'X-Request-Id': 'abc' },
      body: { id: 'invalid_params', message: 'Build requires a source URL' },
    }));
    const herokuParser = (_status: number, body: unknown) => {
      const b = body as { id?: string; message?: string };
      return { code: b.id, message: b.message };
    };
    const err = await caught(client({ errorParser: herokuParser }).post('/apps/my-app/builds', {}));
    expect(err).toBeInstanceOf(HttpError);
    const e = err as HttpError;
    expect(e.message).toBe(
      'Heroku API POST /apps/my-app/builds failed: 422 invalid_params — Build requires a source URL (request id abc)',
    );
    expect(e).toMatchObject({
      status: 422,
      code: 'invalid_params',
      providerMessage: 'Build requires a source URL',
      method: 'POST',
      path: '/apps/my-app/builds',
      requestId: 'abc',
      provider: 'Heroku',
      body: { id: 'invalid_params', message: 'Build requires a source URL' },
    });
  });

  it('parses Vercel, Slack and Sentry error shapes with the default parser', async () => {
    fx.sim.route('GET', '/vercel', () => ({
      status: 400,
      body: { error: { code: 'bad_request', message: 'Invalid teamId' } },
    }));
    fx.sim.route('GET', '/slack', () => ({ status: 403, body: { ok: false, error: 'not_in_channel' } }));
    fx.sim.route('GET', '/sentry', () => ({ status: 404, body: { detail: 'The requested resource does not exist' } }));
    fx.sim.route('GET', '/plain', () => ({ status: 400, body: 'Bad thing happened\nstack...' }));
    const c = client({ provider: undefined });
    const v = (await caught(c.get('/vercel'))) as HttpError;
    expect([v.code, v.providerMessage]).toEqual(['bad_request', 'Invalid teamId']);
    expect(v.message).toMatch(/^HTTP GET \/vercel failed: 400 bad_request — Invalid teamId \(request id sim-\d+\)$/);
    const s = (await caught(c.get('/slack'))) as HttpError;
    expect([s.code, s.providerMessage]).toEqual(['not_in_channel', undefined]);
    expect(s.message).toContain('; check that the API token has access to this resource');
    const sentry = (await caught(c.get('/sentry'))) as HttpError;
    expect(sentry.message).toContain('404 Not Found — The requested resource does not exist');
    const plain = (await caught(c.get('/plain'))) as HttpError;
    expect(plain.providerMessage).toBe('Bad thing happened');
  });

  it('reports a 2xx body that is not valid JSON', async () => {
    fx.sim.route('GET', '/broken', () => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '<html>',
    }));
    const err = (await caught(client().get('/broken'))) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.code).toBe('invalid_json');
    expect(err.message).toContain('response is not valid JSON: <html>');
  });

  it('redacts the token, Authorization value and extra secrets from messages, bodies and serialized errors', async () => {
    const extra = 'vercel-secret-abcdef';
    fx.sim.route('GET', '/apps/:app', (req) => ({
      status: 401,
      body: {
        id: 'unauthorized',
        message: `Invalid credentials: ${req.headers.authorization} (also ${extra}) at https://user:pa55word@git.test/repo`,
        echo: { auth: req.headers.authorization, encoded: encodeURIComponent(TOKEN) },
      },
    }));
    const c = client({ token: TOKEN, secrets: [extra] });
    const err = (await caught(c.get('/apps/a', { query: { access_token: 'q-token-1234', page: 1 } }))) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    const views = [
      err.message,
      String(err.stack),
      JSON.stringify(err),
      inspect(err, { depth: 10 }),
      JSON.stringify(err.body),
    ];
    for (const text of views) {
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(extra);
      expect(text).not.toContain('pa55word');
      expect(text).not.toContain('q-token-1234');
    }
    expect(err.message).toBe(
      'Heroku API GET /apps/a?access_token=***&page=1 failed: 401 unauthorized — Invalid credentials: *** (also ***) at https://***@git.test/repo' +
        ` (request id ${err.requestId}); check that the Heroku API token is valid and not expired`,
    );
    expect(err.body).toEqual({
      id: 'unauthorized',
      message: 'Invalid credentials: *** (also ***) at https://***@git.test/repo',
      echo: { auth: '***', encoded: '***' },
    });
    expect(JSON.parse(JSON.stringify(err))).toMatchObject({
      name: 'HttpError',
      status: 401,
      path: '/apps/a?access_token=***&page=1',
    });
    expect(c.redact(`token=${TOKEN}`)).toBe('token=***');
  });

  it('redacts a per-request Authorization header too', async () => {
    fx.sim.route('GET', '/me', (req) => ({
      status: 403,
      body: { message: `denied for ${req.headers.authorization}` },
    }));
    const err = await caught(client().get('/me', { headers: { Authorization: 'Basic dXNlcjpwYXNzd29yZA==' } }));
    expect(err.message).toContain('denied for ***');
    expect(err.message).not.toContain('dXNlcjpwYXNzd29yZA==');
  });

  it('rejects a baseUrl that is not an absolute http(s) URL with a clear message', () => {
    expect(() => createHttpClient({ baseUrl: 'api.heroku.com' })).toThrow(
      'HTTP client baseUrl "api.heroku.com" is not an absolute URL; expected e.g. https://api.example.com',
    );
    expect(() => createHttpClient({ baseUrl: 'ftp://x.test' })).toThrow('must use http or https');
  });
});
