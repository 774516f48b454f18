import { describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { checkContract } from '../src/contract';
import { parseHeaderLines, parseStatusMatcher, parseTargets, statusMatches, type TargetSpec } from '../src/targets';

describe('parseStatusMatcher', () => {
  it.each([
    [200, '200', [200], [201]],
    ['204', '204', [204], [200]],
    ['200-299', '200-299', [200, 250, 299], [300, 199]],
    ['2xx', '2xx', [200, 299], [300]],
    ['200, 204', '200, 204', [200, 204], [201]],
    [[200, '300-308'], '200, 300-308', [200, 302], [201, 309]],
  ])('%j', (value, text, yes, no) => {
    const m = parseStatusMatcher(value)!;
    expect(m.text).toBe(text);
    for (const s of yes) expect(statusMatches(m, s)).toBe(true);
    for (const s of no) expect(statusMatches(m, s)).toBe(false);
  });

  it.each([['abc'], ['299-200'], [600], [true], [{}], ['20x'], [[]]])('refuses %j', (value) => {
    expect(parseStatusMatcher(value)).toBeUndefined();
  });
});

describe('parseHeaderLines', () => {
  it('reads Name: value lines byte for byte (no YAML coercion), lower-cases names, skips blanks and comments', () => {
    expect(
      parseHeaderLines(
        'X-Vercel-Protection-Bypass: 0123yes # not a comment\n\n# a comment\nAuthorization: "Bearer a:b"\n',
      ),
    ).toEqual({ 'x-vercel-protection-bypass': '0123yes # not a comment', authorization: 'Bearer a:b' });
    expect(parseHeaderLines('{"X-A": "1", "x-b": 2}')).toEqual({ 'x-a': '1', 'x-b': '2' });
    expect(parseHeaderLines(undefined)).toEqual({});
  });

  it('errors name the line but never echo a value', () => {
    expect(() => parseHeaderLines('x-ok: 1\nsupersecretvalue')).toThrow(`input 'headers' line 2 must be "Name: value"`);
    expect(() => parseHeaderLines('x-ok: 1\nsupersecretvalue')).not.toThrow(/supersecretvalue/);
    expect(() => parseHeaderLines('bad name: v')).toThrow(
      `input 'headers' line 1: "bad name" is not a valid header name`,
    );
    expect(() => parseHeaderLines('{oops')).toThrow(`input 'headers' starts with { but is not valid JSON`);
  });
});

describe('parseTargets', () => {
  it('takes the url shorthand and a YAML list with every field', () => {
    const targets = parseTargets({
      url: 'https://api.example.test/health',
      targets: parseYaml(`
- https://web.example.test/
- url: https://api.example.test/ready
  method: post
  headers: { X-Check: yes, x-vercel-protection-bypass: '' }
  body: { deep: true }
  expect-status: 200-299
  expect-json:
    - '$.status == "ok"'
    - $.db.latency_ms < 500
  expect-body: /ok/i
  expect-headers:
    content-type: application/json
    x-version: /^1\\./
`),
    });
    expect(targets).toHaveLength(3);
    expect(targets[0]).toMatchObject({ url: 'https://api.example.test/health', method: 'GET', expectJson: [] });
    expect(targets[0]!.expectStatus.text).toBe('200-299');
    expect(targets[1]!.url).toBe('https://web.example.test/');
    const t = targets[2]!;
    expect(t.method).toBe('POST');
    // An empty value (an optional secret that is not set) sends no header.
    expect(t.headers).toEqual({ 'x-check': 'yes', 'content-type': 'application/json' });
    expect(t.body).toBe('{"deep":true}');
    expect(t.expectJson.map((a) => a.source)).toEqual(['$.status == "ok"', '$.db.latency_ms < 500']);
    expect(t.expectBody!.test('OK')).toBe(true);
    expect(t.expectHeaders.map((h) => h.name)).toEqual(['content-type', 'x-version']);
    expect(t.expectHeaders[1]!.pattern!.test('1.2')).toBe(true);
  });

  it('takes a JSON list and a single mapping', () => {
    expect(
      parseTargets({ targets: JSON.parse('[{"url":"http://127.0.0.1:1/h","expect-status":[200,204]}]') })[0]!
        .expectStatus.text,
    ).toBe('200, 204');
    expect(parseTargets({ targets: { url: 'http://x.test/' } })).toHaveLength(1);
  });

  it.each([
    [{}, "nothing to check: set input 'url'"],
    [{ url: 'ftp://x.test' }, 'input \'url\' must be an absolute http:// or https:// URL, got "ftp://x.test"'],
    [{ targets: [{ url: 'x' }] }, 'input \'targets\' item 1.url must be an absolute http:// or https:// URL, got "x"'],
    [
      { targets: [{ url: 'http://a.test', expect_status: 200 }] },
      "input 'targets' item 1 has unknown key(s) expect_status",
    ],
    [
      { targets: ['http://a.test', { url: 'http://a.test', 'expect-status': 'ok' }] },
      "input 'targets' item 2.expect-status must be a status like 200",
    ],
    [
      { targets: [{ url: 'http://a.test', 'expect-json': '$.a = 1' }] },
      'input \'targets\' item 1.expect-json[0] "$.a = 1": expected an operator',
    ],
    [
      { targets: [{ url: 'http://a.test', 'expect-body': '(' }] },
      "input 'targets' item 1.expect-body must be a regular expression",
    ],
    [{ targets: [{ url: 'http://a.test', method: 'FETCH' }] }, "input 'targets' item 1.method must be one of GET"],
    [{ targets: [42] }, "input 'targets' item 1 must be a URL or a mapping with 'url'"],
  ])('%j fails with one line naming the field', (opts, message) => {
    expect(() => parseTargets(opts)).toThrow(message);
  });
});

describe('checkContract', () => {
  const target = (yaml: string): TargetSpec => parseTargets({ targets: parseYaml(yaml) })[0]!;
  const res = (status: number, body: string, headers: Record<string, string> = {}) => ({
    status,
    headers,
    body: Buffer.from(body),
  });

  it('passes a response that meets every check', () => {
    const t = target(`
url: http://a.test/h
expect-json: ['$.status == "ok"']
expect-body: ok
expect-headers: { content-type: application/json, x-v: /^2/ }`);
    expect(
      checkContract(
        t,
        res(200, '{"status":"ok"}', { 'content-type': 'application/json; charset=utf-8', 'x-v': '2.1' }),
      ),
    ).toEqual([]);
  });

  it('a wrong status is reported alone, with the Location of a redirect and a short body', () => {
    const t = target('{url: http://a.test/h, expect-json: [$.a exists]}');
    expect(checkContract(t, res(503, '{"status":"starting"}'))).toEqual([
      'status 503, expected 200-299: {"status":"starting"}',
    ]);
    expect(checkContract(t, res(301, '', { location: '/health' }))).toEqual([
      'status 301 (Location: /health), expected 200-299: (empty body)',
    ]);
    const [big] = checkContract(t, res(500, `<html>${'x'.repeat(100_000)}</html>`));
    expect(big!.length).toBeLessThan(260);
    expect(big).toMatch(/^status 500, expected 200-299: <html>x+…$/);
  });

  it('lists every failing JSON, body and header check with the actual value', () => {
    const t = target(`
url: http://a.test/h
expect-json: ['$.status == "ok"', '$.db.latency_ms < 500', '$.version exists']
expect-body: '"ok"'
expect-headers: { content-type: application/json, x-missing: yes }`);
    expect(
      checkContract(t, res(200, '{"status":"degraded","db":{"latency_ms":900}}', { 'content-type': 'text/plain' })),
    ).toEqual([
      '$.status == "ok" failed: actual "degraded"',
      '$.db.latency_ms < 500 failed: actual 900',
      '$.version exists failed: $.version is missing',
      'body does not match /"ok"/: {"status":"degraded","db":{"latency_ms":900}}',
      'header content-type: "text/plain", expected application/json',
      'header x-missing is missing (expected yes)',
    ]);
  });

  it('a body that is not JSON fails the JSON checks once, showing its type and start', () => {
    const t = target(`{url: http://a.test/h, expect-json: ['$.status == "ok"', '$.x exists']}`);
    expect(checkContract(t, res(200, '<!doctype html><p>Hello', { 'content-type': 'text/html' }))).toEqual([
      'expected a JSON body for $.status == "ok", got text/html: <!doctype html><p>Hello',
    ]);
  });
});
