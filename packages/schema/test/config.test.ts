import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { applyConfig, EMPTY_CONFIG, loadConfig, parseConfig } from '../src/config';
import type { Finding } from '../src/findings';

const finding = (rule: string, schema: string, name: string, table?: string): Finding => ({
  rule,
  level: 'warning',
  object: { type: table ? 'policy' : 'table', schema, name, table },
  message: `${rule} on ${name}`,
  why: 'because',
});

describe('verify-schema config', () => {
  it('overrides levels, turns rules off, and ignores objects by name or glob with their reason', () => {
    const config = parseConfig(
      [
        'rules:',
        '  unindexed_foreign_keys: error',
        '  no_primary_key: off',
        'ignore:',
        '  - rule: rls_disabled_in_public',
        '    object: public.legacy_*',
        '    reason: read-only reference data',
      ].join('\n'),
      'cfg.yml',
    );
    const { findings, ignored } = applyConfig(
      [
        finding('unindexed_foreign_keys', 'public', 'orders'),
        finding('no_primary_key', 'public', 'log'),
        finding('rls_disabled_in_public', 'public', 'legacy_codes'),
        finding('rls_disabled_in_public', 'public', 'notes'),
      ],
      config,
    );
    expect(findings.map((f) => [f.rule, f.object.name, f.level])).toEqual([
      ['unindexed_foreign_keys', 'orders', 'error'],
      ['rls_disabled_in_public', 'notes', 'warning'],
    ]);
    expect(ignored.map((i) => [i.finding.object.name, i.reason])).toEqual([
      ['legacy_codes', 'read-only reference data'],
    ]);
  });

  it.each([
    ['ignore:\n  - rule: x\n    object: public.t\n', /cfg\.yml: ignore\[0\]\.reason needs a reason/],
    [
      'ignore:\n  - rule: x\n    object: public.t\n    reason: "  "\n',
      /ignore\[0\]\.reason needs a reason: say why the finding is acceptable/,
    ],
    ['rules:\n  no_primary_key: loud\n', /rules\.no_primary_key/],
    ['ignores: []\n', /top level|ignores/],
    ['rules: [\n', /not valid YAML/],
    ['splinter_parity: sometimes\n', /cfg\.yml: splinter_parity must be true or false/],
  ])('refuses %j with one line naming the file and entry', (text, message) => {
    expect(() => parseConfig(text, 'cfg.yml')).toThrow(message);
  });

  it('keeps the departures from splinter unless splinter_parity is true', () => {
    expect(parseConfig('rules: {}\n', 'cfg.yml').splinter_parity).toBe(false);
    expect(parseConfig('splinter_parity: true\n', 'cfg.yml').splinter_parity).toBe(true);
  });

  it('treats a missing default file as empty, and a missing named file as an error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wm-cfg-'));
    expect(await loadConfig(join(dir, 'none.yml'), false)).toEqual(EMPTY_CONFIG);
    await expect(loadConfig(join(dir, 'none.yml'), true)).rejects.toThrow(/config-file .*none\.yml cannot be read/);
    writeFileSync(join(dir, 'ok.yml'), 'rules: {}\n');
    expect(await loadConfig(join(dir, 'ok.yml'), true)).toEqual(EMPTY_CONFIG);
  });
});
