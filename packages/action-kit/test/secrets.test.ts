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
