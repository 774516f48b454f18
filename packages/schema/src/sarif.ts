// Findings as SARIF 2.1.0, for GitHub code scanning.
import type { ReportingDescriptor, Result, Log as SarifLog } from 'sarif';
import { objectKey } from './config';
import type { Finding, Level } from './findings';

export interface SarifRule {
  name: string;
  title: string;
  description: string;
  level: Level;
}

const sarifLevel = (l: Level): Result.level => (l === 'info' ? 'note' : l);

export function toSarif(
  findings: Finding[],
  rules: SarifRule[],
  tool: { version: string; informationUri: string },
): SarifLog {
  const used = new Map<string, SarifRule>();
  for (const f of findings)
    if (!used.has(f.rule))
      used.set(
        f.rule,
        rules.find((r) => r.name === f.rule) ?? { name: f.rule, title: f.rule, description: f.why, level: f.level },
      );
  const descriptors: ReportingDescriptor[] = [...used.values()].map((r) => ({
    id: r.name,
    name: r.name,
    shortDescription: { text: r.title },
    fullDescription: { text: r.description },
    defaultConfiguration: { level: sarifLevel(r.level) },
    helpUri: `https://supabase.com/docs/guides/database/database-linter?queryGroups=lint&lint=${r.name}`,
  }));
  const ruleIndex = new Map(descriptors.map((d, i) => [d.id, i]));
  const results: Result[] = findings.map((f) => ({
    ruleId: f.rule,
    ruleIndex: ruleIndex.get(f.rule),
    level: sarifLevel(f.level),
    message: { text: f.fix ? `${f.message} Fix: ${f.fix}` : f.message },
    locations: [
      {
        ...(f.location
          ? {
              physicalLocation: {
                artifactLocation: { uri: f.location.file },
                region: { startLine: f.location.line },
              },
            }
          : {}),
        logicalLocations: [{ fullyQualifiedName: objectKey(f.object), kind: f.object.type }],
      },
    ],
    // Stable across runs and line moves: code scanning tracks one alert per rule and object.
    partialFingerprints: { 'wingmanObject/v1': `${f.rule}:${objectKey(f.object)}` },
  }));
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: {
          driver: {
            name: 'wingman-deploy verify-schema',
            version: tool.version,
            informationUri: tool.informationUri,
            rules: descriptors,
          },
        },
        results,
      },
    ],
  };
}
