// pnpm action-docs also writes the README's architecture picture: the layers as biome.json's
// noRestrictedImports overrides define them, with every dependency the workspace declares (package.json)
// and every @wingman/* import the actions make, each checked against those rules. A dependency the
// rules forbid fails here (and in the architecture test), so the picture cannot show a house that
// the lint configuration does not enforce.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
export const START = '<!-- architecture:start (generated from biome.json and package.json by `pnpm action-docs`) -->';
export const END = '<!-- architecture:end -->';

export interface Layer {
  /** Folders the rule applies to, as biome.json's includes (without the `!**\/test/**` exclusion). */
  folders: string[];
  /** Import specifiers forbidden there (gitignore-style, `!` = allowed after all). */
  patterns: string[];
  message: string;
}

interface BiomeOverride {
  includes: string[];
  linter: {
    rules: { style: { noRestrictedImports: { options: { patterns: { group: string[]; message: string }[] } } } };
  };
}

export function layersFromBiome(root = ROOT): Layer[] {
  const biome = JSON.parse(readFileSync(join(root, 'biome.json'), 'utf8')) as { overrides: BiomeOverride[] };
  return biome.overrides.map((o) => {
    const rule = o.linter.rules.style.noRestrictedImports.options.patterns[0]!;
    return { folders: o.includes.filter((i) => !i.startsWith('!')), patterns: rule.group, message: rule.message };
  });
}

const globToRegExp = (glob: string) =>
  new RegExp(
    `^${glob
      .split('**')
      .map((part) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
      .join('.*')}$`,
  );

/** Whether `specifier` may be imported from `folder` (e.g. "packages/heroku"), by the layers' patterns. */
export function allowed(layers: Layer[], folder: string, specifier: string): boolean {
  for (const layer of layers) {
    if (!layer.folders.some((f) => globToRegExp(f).test(`${folder}/src/x.ts`))) continue;
    const denied = layer.patterns.filter((p) => !p.startsWith('!')).some((p) => globToRegExp(p).test(specifier));
    const excepted = layer.patterns
      .filter((p) => p.startsWith('!'))
      .some((p) => globToRegExp(p.slice(1)).test(specifier));
    if (denied && !excepted) return false;
  }
  return true;
}

interface Unit {
  folder: string;
  name: string;
  /** Declared in package.json (for an action: what its sources import). */
  deps: string[];
  /** What its sources import. */
  imports: string[];
}

function wingmanImports(src: string): string[] {
  const found = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (/\.(ts|mjs)$/.test(e.name))
        for (const m of readFileSync(join(dir, e.name), 'utf8').matchAll(/from '(@wingman\/[a-z-]+)/g))
          found.add(m[1]!);
    }
  };
  walk(src);
  return [...found].sort();
}

/** Every package and action with the @wingman/* units it depends on. */
export function workspaceUnits(root = ROOT): Unit[] {
  const units: Unit[] = [];
  for (const base of ['packages', 'tools']) {
    for (const dir of readdirSync(join(root, base)).sort()) {
      const pkg = JSON.parse(readFileSync(join(root, base, dir, 'package.json'), 'utf8')) as {
        name: string;
        dependencies?: Record<string, string>;
      };
      const deps = Object.keys(pkg.dependencies ?? {}).filter((d) => d.startsWith('@wingman/'));
      units.push({
        folder: `${base}/${dir}`,
        name: pkg.name,
        deps,
        imports: wingmanImports(join(root, base, dir, 'src')),
      });
    }
  }
  for (const dir of readdirSync(join(root, 'actions')).sort()) {
    const imports = wingmanImports(join(root, 'actions', dir, 'src'));
    units.push({ folder: `actions/${dir}`, name: `actions/${dir}`, deps: imports, imports });
  }
  return units;
}

/** Dependencies the layers forbid ("from → to"), and imports a package.json does not declare. */
export function violations(layers: Layer[], units: Unit[]): string[] {
  return units.flatMap((u) => [
    ...u.deps.filter((d) => !allowed(layers, u.folder, d)).map((d) => `${u.folder} → ${d}`),
    ...u.imports.filter((d) => !u.deps.includes(d)).map((d) => `${u.folder} imports ${d} without declaring it`),
  ]);
}

const id = (name: string) => name.replace(/^@wingman\//, '').replace(/[^a-z0-9]/gi, '_');
const label = (name: string) => name.replace(/^@wingman\//, '');

/** The README block: a Mermaid picture of the layers and the dependencies, and the rules in words. */
export function renderArchitecture(root = ROOT): string {
  const layers = layersFromBiome(root);
  const units = workspaceUnits(root);
  const bad = violations(layers, units);
  if (bad.length) throw new Error(`dependencies the layers in biome.json forbid: ${bad.join('; ')}`);
  const group = (title: string, match: (u: Unit) => boolean) => {
    const members = units.filter(match);
    return [
      `  subgraph ${id(title)}["${title}"]`,
      ...members.map((u) => `    ${id(u.name)}["${label(u.name)}"]`),
      '  end',
    ];
  };
  const inFolders = (folders: string[]) => (u: Unit) =>
    layers.length > 0 && folders.some((f) => globToRegExp(f).test(`${u.folder}/src/x.ts`));
  const layerOf = (folder: string) => {
    const layer = layers.find((l) => l.folders.includes(folder));
    if (!layer) throw new Error(`biome.json has no noRestrictedImports override for ${folder}`);
    return layer.folders;
  };
  const lines = [
    'flowchart TD',
    ...group('actions (thin adapters, bundled)', (u) => u.folder.startsWith('actions/')),
    ...group('runner side', inFolders(layerOf('packages/action-kit/**'))),
    ...group('domain packages', inFolders(layerOf('packages/heroku/**'))),
    ...group('HTTP', inFolders(layerOf('packages/http/**'))),
    ...group('leaves (no dependencies)', inFolders(layerOf('packages/log/**'))),
    ...group('dev only (never bundled)', (u) => u.folder.startsWith('tools/')),
  ];
  for (const u of units) for (const d of u.deps) lines.push(`  ${id(u.name)} --> ${id(d)}`);
  const rules = layers.map(
    (l) =>
      `| ${l.folders.map((f) => `\`${f}\``).join(', ')} | ${l.patterns
        .map((p) => (p.startsWith('!') ? `except \`${p.slice(1)}\`` : `\`${p}\``))
        .join(', ')} | ${l.message} |`,
  );
  return [
    START,
    '```mermaid',
    ...lines,
    '```',
    '',
    'What each folder may not import (Biome `noRestrictedImports`, so `pnpm lint` fails on a breach):',
    '',
    '| folders | may not import | why |',
    '| --- | --- | --- |',
    ...rules,
    END,
  ].join('\n');
}

/** The README with its architecture block replaced by the current rendering. */
export function expectedReadmeArchitecture(readme: string, root = ROOT): string {
  const start = readme.indexOf(START.slice(0, 24));
  const end = readme.indexOf(END);
  if (start < 0 || end < 0) throw new Error(`README.md has no architecture block (${START.slice(0, 24)}… ${END})`);
  return `${readme.slice(0, start)}${renderArchitecture(root)}${readme.slice(end + END.length)}`;
}
