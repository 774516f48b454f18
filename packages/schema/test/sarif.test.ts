import { describe, expect, it } from '@jest/globals';
import jestSarif from '@microsoft/jest-sarif';
import type { Finding } from '../src/findings';
import { toSarif } from '../src/sarif';

expect.extend(jestSarif as unknown as Parameters<typeof expect.extend>[0]);
declare module 'expect' {
  interface Matchers<R> {
    toBeValidSarifLog(): R;
  }
}

const findings: Finding[] = [
  {
    rule: 'rls_disabled_in_public',
    level: 'error',
    object: { type: 'table', schema: 'public', name: 'notes' },
    message: 'Table public.notes is exposed to the Data API with row level security disabled.',
    why: 'Anyone with the anon key can read and write every row.',
    fix: 'alter table public.notes enable row level security;',
    location: { file: 'supabase/migrations/20250101000000_notes.sql', line: 3 },
  },
  {
    rule: 'schema_drift',
    level: 'warning',
    object: { type: 'policy', schema: 'public', table: 'notes', name: 'hotfix' },
    message: 'policy public.notes.hotfix is in production but no migration creates it',
    why: 'Production must be what its migrations build.',
  },
];

describe('toSarif', () => {
  const rules = [
    { name: 'rls_disabled_in_public', title: 'RLS Disabled in Public', description: 'why', level: 'error' as const },
  ];
  const log = toSarif(findings, rules, { version: '1', informationUri: 'https://example.test/verify-schema' });

  it('validates against the SARIF 2.1.0 schema', () => {
    expect(log).toBeValidSarifLog();
  });

  it('places located findings at the migration line and keeps the others by object name', () => {
    const [located, unlocated] = log.runs[0]!.results!;
    expect(located!.locations![0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'supabase/migrations/20250101000000_notes.sql' },
      region: { startLine: 3 },
    });
    expect(located!.message.text).toMatch(/Fix: alter table public\.notes enable row level security;$/);
    expect(unlocated!.locations![0]!.physicalLocation).toBeUndefined();
    expect(unlocated!.locations![0]!.logicalLocations).toEqual([
      { fullyQualifiedName: 'public.notes.hotfix', kind: 'policy' },
    ]);
    expect(unlocated!.level).toBe('warning');
  });

  it('describes each rule once, with checks that have no catalog entry described from the finding', () => {
    const driver = log.runs[0]!.tool.driver;
    expect(driver.rules!.map((r) => r.id)).toEqual(['rls_disabled_in_public', 'schema_drift']);
    expect(log.runs[0]!.results!.map((r) => r.ruleIndex)).toEqual([0, 1]);
  });

  it('is not valid when a result lacks its message (the validator is not a rubber stamp)', () => {
    const broken = JSON.parse(JSON.stringify(log));
    delete broken.runs[0].results[0].message;
    expect(broken).not.toBeValidSarifLog();
  });
});
