// verify-schema's findings as code scanning alerts: one per rule and database object.
import { type SarifRule as Rule, type SarifLevel, sarifLog } from '@wingman/sarif';
import type { Log as SarifLog } from 'sarif';
import { objectKey } from './config';
import type { Finding, Level } from './findings';

export interface SarifRule {
  name: string;
  title: string;
  description: string;
  level: Level;
}

const sarifLevel = (l: Level): SarifLevel => (l === 'info' ? 'note' : l);

export function toSarif(
  findings: Finding[],
  rules: SarifRule[],
  tool: { version: string; informationUri: string },
): SarifLog {
  // Described in the order first used; a check with no catalog entry is described from its finding.
  const used = new Map<string, Rule>();
  for (const f of findings) {
    if (used.has(f.rule)) continue;
    const r = rules.find((x) => x.name === f.rule) ?? {
      name: f.rule,
      title: f.rule,
      description: f.why,
      level: f.level,
    };
    used.set(f.rule, {
      id: r.name,
      title: r.title,
      description: r.description,
      level: sarifLevel(r.level),
      helpUri: `https://supabase.com/docs/guides/database/database-linter?queryGroups=lint&lint=${r.name}`,
    });
  }
  return sarifLog(
    { name: 'wingman-deploy verify-schema', ...tool },
    [...used.values()],
    findings.map((f) => ({
      rule: f.rule,
      level: sarifLevel(f.level),
      message: f.fix ? `${f.message} Fix: ${f.fix}` : f.message,
      file: f.location?.file,
      line: f.location?.line,
      object: { name: objectKey(f.object), kind: f.object.type },
      // Stable across runs and line moves: code scanning tracks one alert per rule and object.
      fingerprint: { key: 'wingmanObject/v1', value: `${f.rule}:${objectKey(f.object)}` },
    })),
  );
}
