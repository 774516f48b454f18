// Reading and checking a 2xx answer on its own.
import { describe, expect, it } from '@jest/globals';
import { checkAnswer, flatHeaders, isExpected } from '../src/response-body';

const buf = (text: string) => Buffer.from(text);
const shape = (ok: boolean, path: PropertyKey[] = [], message = 'Required') => ({
  safeParse: () => (ok ? { success: true } : { success: false, error: { issues: [{ path, message }] } }),
});

describe('checkAnswer', () => {
  it('parses JSON by content type or when asked, else keeps text; an empty body is undefined', () => {
    expect(checkAnswer(buf('{"a":1}'), 'application/json', 'auto', false, undefined)).toEqual({
      ok: true,
      value: { a: 1 },
    });
    expect(checkAnswer(buf('{"a":1}'), undefined, 'json', false, undefined)).toEqual({ ok: true, value: { a: 1 } });
    expect(checkAnswer(buf('{"a":1}'), 'text/plain', 'auto', false, undefined)).toEqual({ ok: true, value: '{"a":1}' });
    expect(checkAnswer(buf(''), 'application/json', 'auto', true, undefined)).toEqual({ ok: true, value: undefined });
    const raw = buf('xyz');
    expect(checkAnswer(raw, 'application/json', 'buffer', true, undefined)).toEqual({ ok: true, value: raw });
  });

  it('calls broken JSON invalid_json, or not the API when the client knows the API answers JSON', () => {
    expect(checkAnswer(buf('<html>'), 'application/json', 'auto', false, undefined)).toEqual({
      ok: false,
      problem: 'invalid_json',
    });
    expect(checkAnswer(buf('<html>'), 'application/json', 'auto', true, undefined)).toEqual({
      ok: false,
      problem: 'not_the_api',
      what: 'answered application/json, not JSON',
    });
  });

  it('for a JSON API, takes a non-JSON answer read as auto for something else', () => {
    expect(checkAnswer(buf('<html>'), 'text/html', 'auto', true, undefined)).toEqual({
      ok: false,
      problem: 'not_the_api',
      what: 'answered text/html, not JSON',
    });
    expect(checkAnswer(buf('hello'), undefined, 'auto', true, undefined)).toMatchObject({
      what: 'answered without a content type, not JSON',
    });
    // A caller that asked for text knows what it gets.
    expect(checkAnswer(buf('hello'), 'text/plain', 'text', true, undefined)).toEqual({ ok: true, value: 'hello' });
  });

  it('checks the shape and names the first field that is off', () => {
    expect(checkAnswer(buf('{"a":1}'), 'application/json', 'auto', false, shape(true))).toEqual({
      ok: true,
      value: { a: 1 },
    });
    expect(checkAnswer(buf('{}'), 'application/json', 'auto', false, shape(false, ['app', 'id']))).toEqual({
      ok: false,
      problem: 'not_the_api',
      what: "answered without the expected 'app.id' (Required)",
    });
    expect(checkAnswer(buf('[]'), 'application/json', 'auto', false, shape(false))).toMatchObject({
      what: 'answered without the expected shape (Required)',
    });
  });
});

describe('isExpected and flatHeaders', () => {
  it('accepts any 2xx by default, the listed statuses when given, everything with any', () => {
    expect([199, 200, 204, 299, 300].map((s) => isExpected(s, undefined))).toEqual([false, true, true, true, false]);
    expect(isExpected(404, [200, 404])).toBe(true);
    expect(isExpected(200, 201)).toBe(false);
    expect(isExpected(503, 'any')).toBe(true);
  });

  it('lower-cases names, joins repeated values and drops missing ones', () => {
    expect(flatHeaders({ 'Content-Type': 'text/plain', 'set-cookie': ['a=1', 'b=2'], gone: undefined })).toEqual({
      'content-type': 'text/plain',
      'set-cookie': 'a=1, b=2',
    });
  });
});
