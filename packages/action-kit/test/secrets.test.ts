import { describe, expect, it } from '@jest/globals';
import { SecretRedactor } from '../src/secrets';
import { Summary } from '../src/summary';

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

describe('Summary', () => {
  it('renders headings, escaped tables and details as Markdown', () => {
    const s = new Summary()
      .heading('Migrations')
      .table(['file', 'status'], [['a|b.sql', 'applied\nok']])
      .details('Plan', 'x');
    expect(s.toString()).toBe(
      '## Migrations\n\n| file | status |\n| --- | --- |\n| a\\|b.sql | applied<br>ok |\n\n<details><summary>Plan</summary>\n\nx\n\n</details>\n',
    );
  });
});
