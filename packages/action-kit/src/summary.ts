// A Markdown job summary. Built in memory and written once, redacted, by runAction: on failure too.

const cell = (v: unknown) =>
  String(v ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>');

export class Summary {
  private readonly parts: string[] = [];

  heading(text: string, level = 2): this {
    this.parts.push(`${'#'.repeat(level)} ${text}`);
    return this;
  }
  text(markdown: string): this {
    this.parts.push(markdown);
    return this;
  }
  list(items: string[]): this {
    if (items.length) this.parts.push(items.map((i) => `- ${i}`).join('\n'));
    return this;
  }
  table(header: string[], rows: unknown[][]): this {
    const lines = [`| ${header.map(cell).join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
    for (const row of rows) lines.push(`| ${row.map(cell).join(' | ')} |`);
    this.parts.push(lines.join('\n'));
    return this;
  }
  code(text: string, lang = ''): this {
    this.parts.push(`\`\`\`${lang}\n${text}\n\`\`\``);
    return this;
  }
  details(title: string, body: string): this {
    this.parts.push(`<details><summary>${title}</summary>\n\n${body}\n\n</details>`);
    return this;
  }
  get isEmpty(): boolean {
    return this.parts.length === 0;
  }
  toString(): string {
    return this.parts.length ? `${this.parts.join('\n\n')}\n` : '';
  }
}
