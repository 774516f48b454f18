// Streamed request bodies (uploads from disk) and streamed responses (build logs), over real sockets.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createHttpClient, type HttpClient, HttpError, NetworkError, type RetryInfo } from '../src/index';

describe('streamed bodies', () => {
  let server: Server;
  let url: string;
  let handler: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;
  const clients: HttpClient[] = [];
  const client = (extra = {}) => {
    const c = createHttpClient({ baseUrl: url, minDelayMs: 1, maxDelayMs: 5, provider: 'Test', ...extra });
    clients.push(c);
    return c;
  };

  beforeEach(async () => {
    server = createServer((req, res) => handler(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const chunks = (n: number, size: number) =>
    Array.from({ length: n }, (_, i) => Buffer.alloc(size, String.fromCharCode(97 + (i % 26))));

  it('uploads a bodyStream with the given Content-Length and no chunked encoding', async () => {
    const seen: { length?: string; te?: string; sha: string; bytes: number }[] = [];
    handler = (req, res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (c: Buffer) => {
        hash.update(c);
        bytes += c.length;
      });
      req.on('end', () => {
        seen.push({
          length: req.headers['content-length'],
          te: req.headers['transfer-encoding'],
          sha: hash.digest('hex'),
          bytes,
        });
        res.writeHead(200).end();
      });
    };
    const parts = chunks(40, 64 * 1024);
    const total = parts.reduce((n, p) => n + p.length, 0);
    await client().request('PUT', '/blob', {
      bodyStream: () => Readable.from(parts),
      headers: { 'content-length': String(total), 'content-type': '' },
    });
    expect(seen).toEqual([
      {
        length: String(total),
        te: undefined,
        sha: createHash('sha256').update(Buffer.concat(parts)).digest('hex'),
        bytes: total,
      },
    ]);
  });

  it('retries a PUT whose upload was cut off with a fresh stream each time, then succeeds', async () => {
    let calls = 0;
    handler = (req, res) => {
      calls += 1;
      if (calls === 1) {
        req.once('data', () => req.socket.resetAndDestroy());
        return;
      }
      if (calls === 2) {
        req.resume();
        req.on('end', () => res.writeHead(503).end('busy'));
        return;
      }
      let bytes = 0;
      req.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ bytes })));
    };
    let made = 0;
    const retries: RetryInfo[] = [];
    const parts = chunks(20, 64 * 1024);
    const res = await client({ onRetry: (r: RetryInfo) => retries.push(r) }).request<{ bytes: number }>(
      'PUT',
      '/blob',
      {
        bodyStream: () => {
          made += 1;
          return Readable.from(parts);
        },
        headers: { 'content-length': String(20 * 64 * 1024) },
      },
    );
    expect(res.body.bytes).toBe(20 * 64 * 1024);
    expect(made).toBe(3);
    expect(retries.map((r) => r.reason)).toEqual([expect.stringMatching(/ECONNRESET|UND_ERR_SOCKET|EPIPE/), '503']);
  });

  it('does not retry a streamed POST that reached the server, and gives up after the retries on a PUT', async () => {
    let calls = 0;
    handler = (req, res) => {
      calls += 1;
      req.resume();
      req.on('end', () => res.writeHead(502).end('bad gateway'));
    };
    const post = await client()
      .request('POST', '/blob', { bodyStream: () => Readable.from(['x']), headers: { 'content-length': '1' } })
      .catch((e: unknown) => e);
    expect(post).toBeInstanceOf(HttpError);
    expect(calls).toBe(1);
    calls = 0;
    const put = await client({ retries: 2 })
      .request('PUT', '/blob', { bodyStream: () => Readable.from(['x']), headers: { 'content-length': '1' } })
      .catch((e: unknown) => e);
    expect((put as HttpError).status).toBe(502);
    expect(calls).toBe(3);
  });

  it('stream() hands over the body as it arrives, before the server has finished', async () => {
    let finish: () => void = () => {};
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('line 1\n');
      finish = () => res.end('line 2\n');
    };
    const res = await client().stream('GET', '/log');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/plain');
    const it = res.body[Symbol.asyncIterator]();
    const first = await it.next();
    expect(String(first.value)).toBe('line 1\n');
    finish();
    let rest = '';
    for (let n = await it.next(); !n.done; n = await it.next()) rest += String(n.value);
    expect(rest).toBe('line 2\n');
  });

  it('stream() throws HttpError with the provider message on an unexpected status, retrying 5xx first', async () => {
    let calls = 0;
    handler = (_req, res) => {
      calls += 1;
      if (calls === 1) return void res.writeHead(503).end();
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id: 'not_found', message: 'gone' }));
    };
    const err = (await client()
      .stream('GET', '/log')
      .catch((e: unknown) => e)) as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err.status).toBe(404);
    expect(err.message).toMatch(/404 not_found — gone/);
    expect(calls).toBe(2);
  });

  it('stream() surfaces a connection dropped mid-body as an error on the body, not a retry', async () => {
    handler = (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial\n');
      setTimeout(() => req.socket.resetAndDestroy(), 20);
    };
    const res = await client().stream('GET', '/log');
    let got = '';
    const err = await (async () => {
      try {
        for await (const c of res.body) got += String(c);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(got).toBe('partial\n');
    expect(err).toBeDefined();
    expect(res.attempts).toBe(1);
  });

  it('stream() reports a refused connection as NetworkError', async () => {
    const c = createHttpClient({ baseUrl: 'http://127.0.0.1:1', retries: 1, minDelayMs: 1, maxDelayMs: 2 });
    clients.push(c);
    await expect(c.stream('GET', '/log')).rejects.toBeInstanceOf(NetworkError);
  });
});
