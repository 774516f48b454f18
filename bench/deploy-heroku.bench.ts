// deploy-heroku: peak memory of the whole action process deploying a 300 MB directory of incompressible
// files, against the same bundle deploying a one-file directory (the reference, measured in the same run).
// Target: peak RSS under 150 MB, i.e. the tarball streams through a temp file and never sits in memory.
// The bundle runs under a tiny wrapper that imports it and records process.resourceUsage().maxRSS at exit.
//   ./node_modules/.bin/tsx bench/deploy-heroku.bench.ts        (BENCH_MB=500 for a bigger directory)
import { randomFillSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { HerokuSim, nodeRuntimes, REPO_ROOT, runAction } from '@wingman/testkit';

const MB = Number(process.env.BENCH_MB ?? 300);
const KEY = 'hrku-bench-key-0123456789abcdef';
const work = mkdtempSync(join(tmpdir(), 'wm-heroku-bench-'));
const runtimes = nodeRuntimes().filter((r) => (process.env.BENCH_NODE ?? 'node20,node24').split(',').includes(r.name));

const wrapper = join(work, 'peak-rss.mjs');
writeFileSync(
  wrapper,
  `import { writeFileSync } from 'node:fs';
const samples = [];
if (process.env.WM_TRACE) setInterval(() => { const m = process.memoryUsage(); samples.push([Math.round(performance.now()), ...[m.rss, m.heapTotal, m.heapUsed, m.external, m.arrayBuffers].map((x) => Math.round(x / 1048576))].join(' ')); }, 250).unref();
process.on('exit', () => { writeFileSync(process.env.WM_PEAK_RSS_FILE, String(process.resourceUsage().maxRSS)); if (process.env.WM_TRACE) writeFileSync(process.env.WM_TRACE, samples.join(String.fromCharCode(10))); });
await import(process.env.WM_BUNDLE_URL);
`,
);

function makeApp(name: string, megabytes: number): string {
  const dir = join(work, name);
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"name":"bench"}');
  const chunk = Buffer.alloc(10 * 1024 * 1024);
  for (let i = 0; i < Math.ceil(megabytes / 10); i++) {
    randomFillSync(chunk);
    writeFileSync(join(dir, 'assets', `blob-${i}.bin`), chunk);
  }
  return dir;
}

async function deployOnce(
  dir: string,
  node: (typeof runtimes)[number],
): Promise<{ peakMb: number; ms: number; uploadedMb: number }> {
  const sim = new HerokuSim({ token: KEY, buildMs: 50, releasePhaseMs: 20 });
  await sim.start();
  try {
    sim.addApp('wm-bench');
    const rssFile = join(work, `rss-${Date.now()}`);
    const result = await runAction('deploy-heroku', {
      node,
      script: wrapper,
      cwd: dir,
      timeoutMs: 300_000,
      inputs: { 'api-key': KEY, app: 'wm-bench', 'api-url': sim.url, version: 'b'.repeat(40) },
      env: {
        WM_PEAK_RSS_FILE: rssFile,
        WM_TRACE: process.env.WM_TRACE,
        WM_BUNDLE_URL: pathToFileURL(join(REPO_ROOT, 'dist', 'deploy-heroku', 'index.js')).href,
      },
    });
    if (result.exitCode !== 0) throw new Error(`deploy failed: ${result.stdout}${result.stderr}`);
    const upload = sim.uploads[0]!;
    if (upload.invalid) throw new Error(`upload rejected: ${upload.invalid}`);
    return {
      peakMb: Number(readFileSync(rssFile, 'utf8')) / 1024,
      ms: result.durationMs,
      uploadedMb: upload.size / 1e6,
    };
  } finally {
    await sim.stop();
  }
}

try {
  const small = makeApp('small', 0);
  const big = makeApp('big', MB);
  for (const node of runtimes) {
    const ref = await deployOnce(small, node);
    const run = await deployOnce(big, node);
    console.log(`${node.name} ${node.version}`);
    console.log(`  reference (1 file):  peak RSS ${ref.peakMb.toFixed(0)} MB, ${(ref.ms / 1000).toFixed(1)} s`);
    console.log(
      `  ${MB} MB directory:   peak RSS ${run.peakMb.toFixed(0)} MB, ${(run.ms / 1000).toFixed(1)} s, uploaded ${run.uploadedMb.toFixed(0)} MB`,
    );
    console.log(
      `  ratio big/reference ${(run.peakMb / ref.peakMb).toFixed(2)}x: ${(run.peakMb - ref.peakMb).toFixed(0)} MB more for ${MB} MB of source; target peak < 150 MB: ${run.peakMb < 150 ? 'OK' : 'OVER'}`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
