import { describe, expect, it } from '@jest/globals';
import { Summary } from '../src/summary';

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
