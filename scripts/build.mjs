// pnpm build: type-check, bundle every actions/<name> with ncc (ESM, minified, no source maps) into
// dist/<name>/, then run each bundle once with no inputs. ncc can exit 0 and still write a bundle that
// fails to load, so a bundle only counts when it starts and fails cleanly on its missing inputs.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { minify } from 'terser';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const out = resolve(root, args.includes('--out') ? args[args.indexOf('--out') + 1] : 'dist');
const bin = (name) => join(root, 'node_modules', '.bin', name);

if (!args.includes('--no-typecheck')) {
  console.log('typecheck');
  execFileSync(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
}

// --only <name>: bundle one action and leave the other bundles alone (for work on one action).
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const actions = readdirSync(join(root, 'actions')).filter(
  (n) => existsSync(join(root, 'actions', n, 'action.yml')) && (!only || n === only),
);
if (only) rmSync(join(out, only), { recursive: true, force: true });
else rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const PG_QUERY_WASM = join(
  dirname(createRequire(join(root, 'packages/migration-lint/package.json')).resolve('libpg-query')),
  'libpg-query.wasm',
);

for (const name of actions) {
  const target = join(out, name);
  // -t: tsc above already checked the types; ncc only transpiles.
  execFileSync(
    bin('ncc'),
    ['build', `actions/${name}/src/main.ts`, '-o', target, '-m', '-t', '-q', '--no-source-map-register'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  for (const f of readdirSync(target)) if (f.endsWith('.map') || f.endsWith('.d.ts')) rmSync(join(target, f));
  // ncc -m minifies only the entry chunk; the chunks of dynamic imports come out readable.
  for (const f of readdirSync(target).filter((f) => f.endsWith('.js') && f !== 'index.js')) {
    const path = join(target, f);
    const { code } = await minify(readFileSync(path, 'utf8'), { module: true, compress: true, mangle: true });
    writeFileSync(path, code);
  }

  // libpg-query finds its WebAssembly next to the chunk that loads it (packages/migration-lint/src/parse.ts).
  if (
    readdirSync(target).some(
      (f) => f.endsWith('.js') && readFileSync(join(target, f), 'utf8').includes('libpg-query.wasm'),
    )
  )
    cpSync(PG_QUERY_WASM, join(target, 'libpg-query.wasm'));

  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(INPUT_|GITHUB_)/.test(k)));
  const run = spawnSync(process.execPath, [join(target, 'index.js')], { env, encoding: 'utf8', timeout: 20_000 });
  const loaded =
    run.status === 1 &&
    /^::error::/m.test(run.stdout) &&
    !/Error \[ERR_|SyntaxError|ReferenceError|Cannot find/.test(run.stderr + run.stdout);
  if (!loaded) {
    console.error(
      `bundle dist/${name}/index.js did not load and fail on its missing inputs (exit ${run.status}):\n${run.stdout}${run.stderr}`,
    );
    process.exit(1);
  }
  const files = readdirSync(target);
  console.log(`bundled ${name}: ${files.join(', ')}`);
}
