import { describe, expect, it } from '@jest/globals';
import { authorizationSecrets, createRedactor, redactValue, SecretRedactor } from '../src/index';

describe('SecretRedactor', () => {
  it('replaces a URL whole, and its password where it appears alone', () => {
    const r = new SecretRedactor();
    r.add('postgres://app:p%40ss-w0rd@db.test/postgres');
    expect(r.redact('connect postgres://app:p%40ss-w0rd@db.test/postgres failed')).toBe('connect *** failed');
    expect(r.redact('password "p@ss-w0rd" rejected (p%40ss-w0rd)')).toBe('password "***" rejected (***)');
  });
  it('replaces the base64 and base64url forms a server may echo: the value, Bearer <value>, Basic :<value>', () => {
    const secret = 'vpb_9fK2xQ7sLm4TzR8w?>';
    const r = new SecretRedactor();
    r.add(secret);
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const b64url = (s: string) => Buffer.from(s).toString('base64url');
    for (const echoed of [
      b64(secret),
      b64url(secret),
      b64(`Bearer ${secret}`),
      b64(`:${secret}`),
      b64url(`:${secret}`),
    ]) {
      const text = `server said: ${echoed} (decoded header)`;
      expect(r.redact(text)).toBe('server said: *** (decoded header)');
    }
    // Padding stripped: a form that starts a longer encoded string is still found.
    expect(r.redact(b64(`${secret}, and more`))).not.toContain(b64(secret).replace(/=+$/, ''));
  });

  it('leaves text without secrets alone and ignores empty values', () => {
    const r = new SecretRedactor();
    r.add(undefined);
    r.add('');
    expect(r.redact('nothing secret here')).toBe('nothing secret here');
  });
});

describe('redaction', () => {
  it('replaces secrets in raw, URL-encoded and JSON-escaped form, URL userinfo and token query parameters', () => {
    const redact = createRedactor(['p@ss/wo"rd', undefined, '', 'ab']);
    expect(redact('x p@ss/wo"rd y')).toBe('x *** y');
    expect(redact(`?q=${encodeURIComponent('p@ss/wo"rd')}`)).toBe('?q=***');
    expect(redact(JSON.stringify({ v: 'p@ss/wo"rd' }))).toBe('{"v":"***"}');
    expect(redact('https://u:secret@db.test:5432/x')).toBe('https://***@db.test:5432/x');
    expect(redact('/a?page=2&token=abc123&api_key=zz')).toBe('/a?page=2&token=***&api_key=***');
    // Too-short secrets would wreck ordinary text.
    expect(redact('abc cab')).toBe('abc cab');
  });

  it('takes both the whole Authorization value and its credential', () => {
    expect(authorizationSecrets('Bearer tok123')).toEqual(['Bearer tok123', 'tok123']);
    expect(authorizationSecrets('rawtoken')).toEqual(['rawtoken']);
    expect(authorizationSecrets(undefined)).toEqual([]);
  });

  it('deep-redacts parsed bodies', () => {
    const redact = createRedactor(['tok-999999']);
    expect(redactValue({ a: ['tok-999999'], b: { c: 'x tok-999999' }, n: 1 }, redact)).toEqual({
      a: ['***'],
      b: { c: 'x ***' },
      n: 1,
    });
    expect(redactValue('tok-999999', redact)).toBe('***');
    expect(redactValue(undefined, redact)).toBeUndefined();
  });
});
