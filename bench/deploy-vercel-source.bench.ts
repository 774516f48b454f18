// pnpm bench: deploy-vercel building from source, on a 5,000-file app whose node_modules (20,000 more
// files) the ignore rules leave out, against the Vercel simulator.
//  1. The file walk and hashing (collectSource: ignore rules, walk, lstat, SHA-1, secret checks) against
//     `git ls-files -z | xargs -0 sha1sum` over the same tree in the same run, rounds interleaved,
//     paired ratio: target ≤ 1.5×.
//  2. Deployed twice with one source file changed in between: the second deploy uploads exactly one file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { silentLog } from '@wingman/log';
import { VercelSimulator } from '@wingman/testkit';
import { collectSource, createVercelApi, deploy } from '@wingman/vercel';
import { interleaved, median, pairedRatio, report, timed } from './measure';

const SOURCE_FILES = 5000;
const DEPENDENCY_FILES = 20_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

/** Deterministic text of a source file: 300 B to ~12 KB, like components, pages and styles. */
function sourceText(i: number): string {
  const line = `export const value${i} = ${JSON.stringify(`component ${i} of the WingmanMatch frontend`)};\n`;
  return line.repeat(4 + ((i * 7919) % 160));
}

function writeTree(root: string): string[] {
  const add = (rel: string, text: string) => {
    const p = join(root, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
    return rel;
  };
  add('package.json', JSON.stringify({ name: 'web', scripts: { build: 'next build' } }));
  add('.gitignore', 'node_modules\n');
  const sources: string[] = [];
  for (let i = 0; sources.length < SOURCE_FILES - 1; i++) {
    const dir = ['app', 'components', 'lib', 'styles', 'public'][i % 5]!;
    sources.push(add(`${dir}/${String(i % 50).padStart(2, '0')}/file-${i}.tsx`, sourceText(i)));
  }
  for (let i = 0; i < DEPENDENCY_FILES; i++) add(`node_modules/dep-${i % 400}/lib/${i}.js`, `module.exports = ${i};\n`);
  return sources;
}

const root = mkdtempSync(join(tmpdir(), 'deploy-vercel-source-bench-'));
const sim = new VercelSimulator({ token: 'bench-token-0000', stepMs: 5 });
try {
  const sources = writeTree(root);
  execFileSync('git', ['init', '-q'], { cwd: root });
  execFileSync('git', ['add', '-A'], { cwd: root });
  const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).trim().split('\n');
  const ours = await collectSource(root);
  // The same files: what git tracks but for .gitignore, which the Vercel CLI's rules leave out.
  if (ours.files.length !== tracked.length - 1)
    throw new Error(`collectSource found ${ours.files.length} files, git tracks ${tracked.length}`);
  console.log(
    `source tree: ${ours.files.length} files, ${(ours.bytes / 1024 / 1024).toFixed(1)} MB; node_modules: ${DEPENDENCY_FILES} files (ignored)`,
  );

  const times = await interleaved(ROUNDS, {
    collectSource: async () => {
      const t = performance.now();
      await collectSource(root);
      return performance.now() - t;
    },
    gitSha1sum: () => timed('sh', ['-c', 'git ls-files -z | xargs -0 sha1sum > /dev/null'], { cwd: root }),
  });
  const ratio = pairedRatio(times.collectSource, times.gitSha1sum);
  console.log(
    `walk + hash: collectSource median ${median(times.collectSource).toFixed(0)} ms, git ls-files | xargs sha1sum median ${median(times.gitSha1sum).toFixed(0)} ms (${ROUNDS} interleaved rounds)`,
  );
  const hashOk = report('walk + hash / git ls-files | xargs sha1sum', `${ratio.toFixed(2)}×`, '≤ 1.5×', ratio <= 1.5);

  await sim.start();
  const project = sim.addProject({ name: 'bench' });
  const api = createVercelApi({ token: 'bench-token-0000', apiUrl: sim.url });
  const base = { api, projectId: project.id, target: 'preview', source: root, timeoutMs: 120_000, log: silentLog };
  const first = await deploy({ ...base, git: { sha: '1'.repeat(40) } });
  writeFileSync(join(root, sources[1234]!), `${sourceText(1234)}// changed\n`);
  const second = await deploy({ ...base, git: { sha: '2'.repeat(40) } });
  await api.close();
  console.log(
    `first deploy uploaded ${first.uploaded.files} files; second deploy, one file changed: ${second.uploaded.files} file(s)`,
  );
  const uploadOk = report(
    're-deploy with one file changed: files uploaded',
    String(second.uploaded.files),
    '= 1',
    second.uploaded.files === 1,
  );
  if (!hashOk || !uploadOk) process.exitCode = 1;
} finally {
  await sim.stop();
  rmSync(root, { recursive: true, force: true });
}
