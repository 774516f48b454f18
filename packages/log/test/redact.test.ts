import { describe, expect, it } from '@jest/globals';
import { authorizationSecrets, createRedactor, redactValue, SecretRedactor, withholdRowValues } from '../src/index';

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

describe('withholdRowValues', () => {
  // Messages as PostgreSQL 17 and psql 15 print them (captured from the embedded server).
  const cases: [string, string][] = [
    ['Key (email)=(alice@example.com) already exists.', 'Key (email)=(…) already exists.'],
    ['Key (lower(email))=(alice@example.com) already exists.', 'Key (lower(email))=(…) already exists.'],
    ['Key (pid)=(99) is not present in table "u".', 'Key (pid)=(…) is not present in table "u".'],
    ['Key (id)=(1) is still referenced from table "child".', 'Key (id)=(…) is still referenced from table "child".'],
    ['Key (n)=(1) is duplicated.', 'Key (n)=(…) is duplicated.'],
    [
      'Key (during)=([1,5)) conflicts with existing key (during)=([2,3)).',
      'Key (during)=(…) conflicts with existing key (during)=(…).',
    ],
    ['Failing row contains (4, bob@example.com, -5, null).', 'Failing row contains (…).'],
    ['invalid input syntax for type uuid: "secret-val"', 'invalid input syntax for type uuid: "…"'],
    ['invalid input value for enum mood: "sad"', 'invalid input value for enum mood: "…"'],
    ['malformed array literal: "{bad"', 'malformed array literal: "…"'],
    ['value "99999999999" is out of range for type integer', 'value "…" is out of range for type integer'],
    ['Token "secret" is invalid.', 'Token "…" is invalid.'],
    ['JSON data, line 1: {"a": secret...', 'JSON data, line 1: …'],
    ['invalid byte sequence for encoding "UTF8": 0xc3 0x28', 'invalid byte sequence for encoding "UTF8": …'],
    [
      'psql:/tmp/dump.sql:4: ERROR:  invalid input syntax for type uuid: "not-a-uuid"\nCONTEXT:  COPY t, line 1, column id: "not-a-uuid"',
      'psql:/tmp/dump.sql:4: ERROR:  invalid input syntax for type uuid: "…"\nCONTEXT:  COPY t, line 1, column id: "…"',
    ],
    ['CONTEXT:  COPY t, line 1: "1\talice@example.com\textra"', 'CONTEXT:  COPY t, line 1: "…"'],
    [
      '23505 duplicate key value violates unique constraint "u_email_key" — detail: Key (email)=(a@b.c) already exists.',
      '23505 duplicate key value violates unique constraint "u_email_key" — detail: Key (email)=(…) already exists.',
    ],
  ];
  it.each(cases)('withholds the values of %j', (message, withheld) => {
    expect(withholdRowValues(message)).toBe(withheld);
  });
  it('keeps messages that quote only names and SQL', () => {
    for (const message of [
      'relation "public.users" does not exist',
      'syntax error at or near "tabel"',
      'column "email" of relation "users" already exists',
      'null value in column "email" of relation "users" violates not-null constraint',
      'could not open file "base/1/2": No such file or directory',
    ])
      expect(withholdRowValues(message)).toBe(message);
  });
});
