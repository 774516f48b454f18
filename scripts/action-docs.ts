// pnpm action-docs: writes each action README's inputs and outputs tables from its action.yml, and the
// root README's architecture picture from biome.json (scripts/architecture.ts).
// `--check` fails when a README is out of date (the metadata and architecture tests run the same checks).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { expectedReadmeArchitecture } from './architecture';

export const ROOT = resolve(import.meta.dirname, '..');
const START = '<!-- action-docs:start (generated from action.yml by `pnpm action-docs`) -->';
const END = '<!-- action-docs:end -->';

interface ActionYml {
  inputs?: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs?: Record<string, { description: string }>;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderTables(yml: ActionYml): string {
  const lines = ['### Inputs', '', '| input | required | default | description |', '| --- | --- | --- | --- |'];
  for (const [name, i] of Object.entries(yml.inputs ?? {}))
    lines.push(
      `| \`${name}\` | ${i.required ? 'yes' : 'no'} | ${i.default !== undefined ? `\`${i.default}\`` : ''} | ${cell(i.description)} |`,
    );
  lines.push('', '### Outputs', '', '| output | description |', '| --- | --- |');
  for (const [name, o] of Object.entries(yml.outputs ?? {})) lines.push(`| \`${name}\` | ${cell(o.description)} |`);
  return `${START}\n${lines.join('\n')}\n${END}`;
}

export function actionNames(): string[] {
  return readdirSync(join(ROOT, 'actions')).filter((n) => {
    try {
      readFileSync(join(ROOT, 'actions', n, 'action.yml'));
      return true;
    } catch {
      return false;
    }
  });
}

/** The README with its generated block replaced by what action.yml says now. */
export function expectedReadme(name: string): { current: string; expected: string; path: string } {
  const path = join(ROOT, 'actions', name, 'README.md');
  const yml = parse(readFileSync(join(ROOT, 'actions', name, 'action.yml'), 'utf8')) as ActionYml;
  const current = readFileSync(path, 'utf8');
  const at = current.indexOf(START);
  const end = current.indexOf(END);
  if (at < 0 || end < 0) throw new Error(`actions/${name}/README.md has no ${START} … ${END} block: add one`);
  const expected = current.slice(0, at) + renderTables(yml) + current.slice(end + END.length);
  return { current, expected, path };
}

/** The `inputs:` block of action.yml, written from the action's zod spec (src/inputs.ts). */
export async function inputsYaml(name: string): Promise<string> {
  const mod = (await import(join(ROOT, 'actions', name, 'src', 'inputs.ts'))) as Record<
    string,
    { spec?: Record<string, { inputMeta: { description: string; required?: boolean; default?: string } }> }
  >;
  const spec = Object.values(mod).find((v) => v?.spec)!.spec!;
  const inputs = Object.fromEntries(
    Object.entries(spec).map(([input, f]) => [
      input,
      {
        description: f.inputMeta.description,
        required: !!f.inputMeta.required,
        ...(f.inputMeta.default !== undefined ? { default: f.inputMeta.default } : {}),
      },
    ]),
  );
  return stringify({ inputs }, { lineWidth: 0 });
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  if (process.argv[2] === '--inputs') {
    // pnpm action-docs --inputs <action>: print the inputs block to paste into action.yml.
    process.stdout.write(await inputsYaml(process.argv[3]!));
    process.exit(0);
  }
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const name of actionNames()) {
    const { current, expected, path } = expectedReadme(name);
    if (current === expected) continue;
    stale++;
    if (check) console.error(`actions/${name}/README.md is out of date with its action.yml: run 'pnpm action-docs'`);
    else writeFileSync(path, expected);
  }
  const readmePath = join(ROOT, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const withArchitecture = expectedReadmeArchitecture(readme);
  if (withArchitecture !== readme) {
    stale++;
    if (check) console.error(`README.md's architecture picture is out of date with biome.json: run 'pnpm action-docs'`);
    else writeFileSync(readmePath, withArchitecture);
  }
  if (check && stale) process.exit(1);
}
