import { describe, expect, it } from '@jest/globals';
import { AssertionSyntaxError, checkJsonAssertion, parseJsonAssertion, valueAt } from '../src/json-assert';

const doc = {
  status: 'ok',
  version: '1.4.2',
  db: { latency_ms: 12, ok: true, replica: null },
  checks: [
    { name: 'redis', ok: true },
    { name: 'queue', ok: false, lag: 3.5 },
  ],
  'odd key': { 'x-y': 1 },
  count: '12',
};

const check = (a: string, d: unknown = doc) => checkJsonAssertion(parseJsonAssertion(a), d);

describe('parseJsonAssertion', () => {
  it('parses dotted paths, indexes, quoted keys, every operator and literal type', () => {
    expect(parseJsonAssertion('  $.db.latency_ms < 500 ')).toEqual({
      source: '$.db.latency_ms < 500',
      path: ['db', 'latency_ms'],
      pathText: '$.db.latency_ms',
      op: '<',
      value: 500,
    });
    expect(parseJsonAssertion('$.checks[1].name == "queue"')).toMatchObject({
      path: ['checks', 1, 'name'],
      value: 'queue',
    });
    expect(parseJsonAssertion(`$["odd key"]['x-y'] >= -1.5e2`)).toMatchObject({
      path: ['odd key', 'x-y'],
      op: '>=',
      value: -150,
    });
    expect(parseJsonAssertion('$.a != null').value).toBeNull();
    expect(parseJsonAssertion('$.a == false').value).toBe(false);
    expect(parseJsonAssertion("$.a == 'it\\'s \\u0041'").value).toBe("it's A");
    expect(parseJsonAssertion('$.a<=3')).toMatchObject({ op: '<=', value: 3 });
    expect(parseJsonAssertion('$.version exists')).toMatchObject({ op: 'exists', path: ['version'] });
    expect(parseJsonAssertion('$.error not  exists')).toMatchObject({ op: 'not exists', path: ['error'] });
    expect(parseJsonAssertion('$ == 1').path).toEqual([]);
  });

  it.each([
    ['status == "ok"', 'a path must start with $ at column 1'],
    ['$.status = "ok"', 'expected an operator (== != < <= > >= exists, not exists) after $.status at column 10'],
    ['$.status == ok', 'expected a value: a number, a quoted string, true, false or null at column 13'],
    ['$.status == "ok', 'unterminated string'],
    ['$.a < "5"', '< compares numbers; got "5"'],
    ['$.a == 1 extra', 'unexpected "extra"'],
    ['$.items[x] exists', 'expected an index like [0] or a quoted key'],
    ['$.', 'expected a key name after "."'],
  ])('rejects %s with a message pointing at the problem', (text, message) => {
    expect(() => parseJsonAssertion(text)).toThrow(AssertionSyntaxError);
    expect(() => parseJsonAssertion(text)).toThrow(message);
  });
});

describe('checkJsonAssertion', () => {
  it('passes assertions that hold', () => {
    for (const a of [
      '$.status == "ok"',
      '$.status != "degraded"',
      '$.db.latency_ms < 500',
      '$.db.latency_ms <= 12',
      '$.db.latency_ms > 11.9',
      '$.db.latency_ms >= 12',
      '$.db.ok == true',
      '$.db.replica == null',
      '$.db.replica exists',
      '$.checks[1].lag == 3.5',
      '$["odd key"]["x-y"] == 1',
      '$.error not exists',
      '$.checks[5] not exists',
    ])
      expect([a, check(a)]).toEqual([a, undefined]);
  });

  it('names the assertion and the actual value when it fails', () => {
    expect(check('$.status == "ok"', { status: 'degraded' })).toBe('$.status == "ok" failed: actual "degraded"');
    expect(check('$.db.latency_ms < 500', { db: { latency_ms: 812 } })).toBe(
      '$.db.latency_ms < 500 failed: actual 812',
    );
    expect(check('$.db.ok == true', { db: { ok: 'true' } })).toBe('$.db.ok == true failed: actual "true"');
    expect(check('$.count > 5')).toBe('$.count > 5 failed: actual "12", not a number');
    expect(check('$.db.missing < 1')).toBe('$.db.missing < 1 failed: $.db.missing is missing');
    expect(check('$.checks[9].name == "x"')).toBe('$.checks[9].name == "x" failed: $.checks[9].name is missing');
    expect(check('$.nope exists')).toBe('$.nope exists failed: $.nope is missing');
    expect(check('$.status not exists')).toBe('$.status not exists failed: $.status is "ok"');
    expect(check('$.status == "ok"', ['not', 'an', 'object'])).toBe('$.status == "ok" failed: $.status is missing');
  });

  it('cuts a large actual value short', () => {
    const big = { status: { blob: 'x'.repeat(5000) } };
    const msg = check('$.status == "ok"', big)!;
    expect(msg.length).toBeLessThan(200);
    expect(msg).toMatch(/…$/);
  });

  it('valueAt does not walk into inherited properties or string indexes', () => {
    expect(valueAt({}, ['constructor']).found).toBe(false);
    expect(valueAt({ a: 'abc' }, ['a', 0]).found).toBe(false);
    expect(valueAt({ a: [0, 1] }, ['a', 1])).toEqual({ found: true, value: 1 });
  });
});
