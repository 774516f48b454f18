// SARIF 2.1.0 for GitHub code scanning: each check maps its findings to rules and results here, and
// this one module writes the log code scanning reads (github/codeql-action/upload-sarif).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Location, Log, ReportingDescriptor, Result } from 'sarif';

export type SarifLevel = 'error' | 'warning' | 'note';

export interface SarifTool {
  /** The driver's name code scanning shows as the tool ("wingman-deploy verify-schema"). */
  name: string;
  version: string;
  informationUri: string;
}

export interface SarifRule {
  id: string;
  /** One line: the alert's title. */
  title: string;
  description: string;
  level: SarifLevel;
  helpUri?: string;
  properties?: Record<string, unknown>;
}

export interface SarifFinding {
  rule: string;
  level: SarifLevel;
  message: string;
  /** Where in the repository; code scanning shows the alert on this line. */
  file?: string;
  line?: number;
  /** The object the finding is about, for a finding with no line in a file (or as well as one). */
  object?: { name: string; kind: string };
  /**
   * What makes two runs' findings the same alert, so code scanning keeps one alert when lines move:
   * a key naming the scheme (wingmanObject/v1) and the value.
   */
  fingerprint: { key: string; value: string };
}

/**
 * The log for one run of one tool. Each rule a finding uses is described once, in the order given; a
 * finding whose rule is not given is a bug in the caller.
 */
export function sarifLog(tool: SarifTool, rules: SarifRule[], findings: SarifFinding[]): Log {
  const used = rules.filter((r) => findings.some((f) => f.rule === r.id));
  const descriptors: ReportingDescriptor[] = used.map((r) => ({
    id: r.id,
    name: r.id,
    shortDescription: { text: r.title },
    fullDescription: { text: r.description },
    defaultConfiguration: { level: r.level },
    ...(r.helpUri ? { helpUri: r.helpUri } : {}),
    ...(r.properties ? { properties: r.properties } : {}),
  }));
  const ruleIndex = new Map(descriptors.map((d, i) => [d.id, i]));
  const results: Result[] = findings.map((f) => {
    const index = ruleIndex.get(f.rule);
    if (index === undefined) throw new Error(`SARIF: finding of rule ${f.rule} has no rule description`);
    const location: Location = {
      ...(f.file
        ? {
            physicalLocation: {
              artifactLocation: { uri: f.file },
              ...(f.line ? { region: { startLine: f.line } } : {}),
            },
          }
        : {}),
      ...(f.object ? { logicalLocations: [{ fullyQualifiedName: f.object.name, kind: f.object.kind }] } : {}),
    };
    return {
      ruleId: f.rule,
      ruleIndex: index,
      level: f.level,
      message: { text: f.message },
      ...(Object.keys(location).length ? { locations: [location] } : {}),
      partialFingerprints: { [f.fingerprint.key]: f.fingerprint.value },
    };
  });
  return {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [{ tool: { driver: { ...tool, rules: descriptors } }, results }],
  };
}

/** Writes the log where an input asked for it, making its folders; the error names the input. */
export async function writeSarif(path: string, log: Log, input: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${JSON.stringify(log, null, 2)}\n`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new Error(
      `input '${input}' ${path}: the SARIF report cannot be written there (${code}): give a file path in the workspace whose folders are not files`,
    );
  }
}
