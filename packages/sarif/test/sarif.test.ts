import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import jestSarif from '@microsoft/jest-sarif';
import { type SarifFinding, sarifLog, writeSarif } from '../src/index';

expect.extend(jestSarif as unknown as Parameters<typeof expect.extend>[0]);
declare module 'expect' {
  interface Matchers<R> {
    toBeValidSarifLog(): R;
  }
}

const tool = { name: 'wingman-deploy test', version: '1', informationUri: 'https://example.test/tool' };
const rules = [
  { id: 'a_rule', title: 'A', description: 'A, in full', level: 'error' as const, helpUri: 'https://example.test/a' },
  { id: 'unused', title: 'U', description: 'U, in full', level: 'warning' as const },
  { id: 'b_rule', title: 'B', description: 'B, in full', level: 'note' as const, properties: { category: 'x' } },
];
const located: SarifFinding = {
  rule: 'b_rule',
  level: 'note',
  message: 'in a file',
  file: 'supabase/migrations/1_a.sql',
  line: 4,
  fingerprint: { key: 'wingmanStatement/v1', value: 'b_rule:1_a.sql:in a file' },
};
const objectOnly: SarifFinding = {
  rule: 'a_rule',
  level: 'error',
  message: 'about an object',
  object: { name: 'public.notes', kind: 'table' },
  fingerprint: { key: 'wingmanObject/v1', value: 'a_rule:public.notes' },
};

describe('sarifLog', () => {
  const log = sarifLog(tool, rules, [located, objectOnly]);

  it('is a valid SARIF 2.1.0 log, and one without its messages is not (the validator is not a rubber stamp)', () => {
    expect(log).toBeValidSarifLog();
    const broken = JSON.parse(JSON.stringify(log));
    delete broken.runs[0].results[1].message;
    expect(broken).not.toBeValidSarifLog();
  });

  it('describes only the rules used, in the order given, and points each result at its rule', () => {
    const run = log.runs[0]!;
    expect(run.tool.driver).toMatchObject({ name: 'wingman-deploy test', version: '1' });
    expect(run.tool.driver.rules!.map((r) => r.id)).toEqual(['a_rule', 'b_rule']);
    expect(run.tool.driver.rules![0]).toMatchObject({ helpUri: 'https://example.test/a' });
    expect(run.tool.driver.rules![1]).toMatchObject({ properties: { category: 'x' } });
    expect(run.results!.map((r) => [r.ruleId, r.ruleIndex])).toEqual([
      ['b_rule', 1],
      ['a_rule', 0],
    ]);
  });

  it('places a finding at its line, or by its object, with the fingerprint code scanning tracks it by', () => {
    const [inFile, onObject] = log.runs[0]!.results!;
    expect(inFile!.locations).toEqual([
      { physicalLocation: { artifactLocation: { uri: 'supabase/migrations/1_a.sql' }, region: { startLine: 4 } } },
    ]);
    expect(inFile!.partialFingerprints).toEqual({ 'wingmanStatement/v1': 'b_rule:1_a.sql:in a file' });
    expect(onObject!.locations).toEqual([
      { logicalLocations: [{ fullyQualifiedName: 'public.notes', kind: 'table' }] },
    ]);
  });

  it('refuses a finding whose rule it was not given', () => {
    expect(() => sarifLog(tool, rules, [{ ...objectOnly, rule: 'nowhere' }])).toThrow(/rule nowhere has no rule/);
  });
});

describe('writeSarif', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wm-sarif-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the log where asked, making its folders', async () => {
    const path = join(dir, 'out', 'deep', 'x.sarif');
    await writeSarif(path, sarifLog(tool, rules, [located]), 'sarif-file');
    expect(JSON.parse(readFileSync(path, 'utf8')).runs[0].results).toHaveLength(1);
  });

  it('names the input when the path cannot be written', async () => {
    writeFileSync(join(dir, 'a-file'), '');
    await expect(
      writeSarif(join(dir, 'a-file', 'x.sarif'), sarifLog(tool, rules, []), 'lint-sarif-file'),
    ).rejects.toThrow(
      /^input 'lint-sarif-file' .*a-file\/x\.sarif: the SARIF report cannot be written there \((ENOTDIR|EEXIST)\)/,
    );
  });
});
