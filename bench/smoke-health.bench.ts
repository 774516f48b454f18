// smoke-health accuracy, measured in one run against a local target in a child process whose delays follow a
// known log-normal distribution (and which records the delay it actually applied to every request):
//   1. the reported P95 is within ±5% of the true P95 of the delays the server applied to those requests;
//   2. it is within ±10% of the P95 `wrk` measures on the same endpoint (Debian package `wrk`);
//   3. the action's own overhead per request (measured latency − applied delay) stays under 2 ms at
//      concurrency 20, next to a bare node:http keep-alive client as the reference floor.
// Run: ./node_modules/.bin/tsx bench/smoke-health.bench.ts [samples]
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { checkHealth, latencyStats, parseTargets, percentile } from '@wingman/health';
import { silentLog } from '@wingman/log';
import { behaviours, HttpTarget, lognormalDelays } from '@wingman/testkit';

const MEDIAN_MS = 40;
const SIGMA = 0.35;
const CONCURRENCY = 20;
const WRK_SECONDS = 8;

type Message = { type: 'applied' } | { type: 'stop' };

// ---------------------------------------------------------------------------------------------

function startTarget() {
  const child = fork(fileURLToPath(import.meta.url), ['--target'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waitFor = <T>(type: string) =>
    new Promise<T>((resolve) => {
      const on = (m: { type: string } & T) => {
        if (m.type === type) {
          child.off('message', on);
          resolve(m);
        }
      };
      child.on('message', on);
    });
  return {
    url: waitFor<{ url: string }>('url').then((m) => m.url),
    async applied(): Promise<number[]> {
      const reply = waitFor<{ delays: Array<number | null> }>('applied');
      child.send({ type: 'applied' });
      return (await reply).delays.filter((d): d is number => d !== null);
    },
    stop() {
      child.send({ type: 'stop' });
    },
  };
}

const p95 = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    95,
  );
const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
const pct = (ratio: number) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(2)}%`;

let failed = false;
function verdict(ok: boolean, text: string) {
  if (!ok) failed = true;
  console.log(`  ${ok ? '✓' : '✗'} ${text}`);
}

/** The action's code path: readiness, then `samples` requests at CONCURRENCY through @wingman/health. */
async function viaAction(url: string, samples: number) {
  const report = await checkHealth({
    targets: parseTargets({ url }),
    waitTimeoutMs: 10_000,
    requestTimeoutMs: 10_000,
    samples,
    concurrency: CONCURRENCY,
    p95BudgetMs: 0,
    errorRateBudget: 0,
    followRedirects: true,
    log: silentLog,
  });
  const t = report.targets[0]!;
  if (!t.latency || t.errors) throw new Error(`bench: ${t.errors} failed samples on ${url}: ${t.verdicts.join('; ')}`);
  return t.latency;
}

/** Reference floor: bare node:http with keep-alive, same pool and clock. */
async function viaNodeHttp(url: string, samples: number): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies: number[] = [];
  let next = 0;
  const one = () =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      request(url, { agent }, (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(performance.now() - t0));
        res.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < samples) {
        next += 1;
        latencies.push(await one());
      }
    }),
  );
  agent.destroy();
  return latencies;
}

function wrkP95(url: string): { p95: number; p50: number; requests: number } | string {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (err) {
    // wrk --version exits 1 after printing; only a missing binary is ENOENT.
    if ((err as { code?: string }).code === 'ENOENT') return 'wrk is not installed (apt-get install -y wrk)';
  }
  const dir = mkdtempSync(join(tmpdir(), 'wm-wrk-'));
  const script = join(dir, 'p95.lua');
  writeFileSync(
    script,
    'done = function(summary, latency, requests)\n' +
      '  io.write(string.format("WRK %d %d %d\\n", latency:percentile(95), latency:percentile(50), summary.requests))\n' +
      'end\n',
  );
  try {
    const out = execFileSync('wrk', ['-t2', `-c${CONCURRENCY}`, `-d${WRK_SECONDS}s`, '-s', script, url], {
      encoding: 'utf8',
    });
    const m = /WRK (\d+) (\d+) (\d+)/.exec(out);
    if (!m) return `wrk printed no percentiles:\n${out}`;
    return { p95: Number(m[1]) / 1000, p50: Number(m[2]) / 1000, requests: Number(m[3]) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const samples = Number(process.argv[2] ?? 3000);
  const target = startTarget();
  const base = await target.url;
  try {
    console.log(
      `smoke-health accuracy: log-normal delays (median ${MEDIAN_MS} ms, σ ${SIGMA}; true P95 ≈ ${fmt(MEDIAN_MS * Math.exp(SIGMA * 1.6449))}), ${samples} samples at concurrency ${CONCURRENCY}`,
    );

    // Warm-up: JIT and keep-alive sockets, not counted.
    await viaAction(`${base}/fast`, 500);
    await viaNodeHttp(`${base}/fast`, 500);
    await target.applied();

    // 1 + 3: the action against the delayed endpoint; ground truth from the server.
    const action = await viaAction(`${base}/delay`, samples);
    const appliedAll = await target.applied();
    const applied = appliedAll.slice(1); // the first is the readiness poll
    const trueP95 = p95(applied);
    const overhead = action.meanMs - mean(applied);
    console.log('\n1. reported P95 vs the P95 of the delays the server applied to the same requests');
    console.log(
      `   reported ${fmt(action.p95Ms)}, applied ${fmt(trueP95)} (${applied.length} requests): ${pct(action.p95Ms / trueP95)}`,
    );
    verdict(Math.abs(action.p95Ms / trueP95 - 1) <= 0.05, 'within ±5%');

    console.log(`\n3. overhead per request at concurrency ${CONCURRENCY} (mean measured − mean applied)`);
    console.log(
      `   action: P50 ${fmt(action.p50Ms)} vs applied ${fmt(
        percentile(
          [...applied].sort((a, b) => a - b),
          50,
        ),
      )}; mean ${fmt(action.meanMs)} vs ${fmt(mean(applied))}: overhead ${fmt(overhead)}`,
    );
    const raw = await viaNodeHttp(`${base}/delay`, samples);
    const rawApplied = await target.applied();
    const rawOverhead = mean(raw) - mean(rawApplied);
    console.log(`   bare node:http keep-alive client (reference floor): overhead ${fmt(rawOverhead)}`);
    console.log(`   the action's overhead above the bare client: ${fmt(overhead - rawOverhead)}`);
    verdict(overhead < 2, 'action overhead under 2 ms');

    // The client alone, with no delay to hide behind.
    const fastAction = await viaAction(`${base}/fast`, samples);
    const fastRaw = latencyStats(await viaNodeHttp(`${base}/fast`, samples))!;
    const fastApplied = (await target.applied()).slice(1);
    console.log(
      `   zero-delay endpoint: action mean ${fmt(fastAction.meanMs)}, bare node:http mean ${fmt(fastRaw.meanMs)}, server handling ${fmt(mean(fastApplied))}; the rest is loopback and queueing at this concurrency`,
    );

    // 2: wrk on the same endpoint.
    console.log(`\n2. reported P95 vs wrk's P95 on ${base}/delay (wrk -t2 -c${CONCURRENCY} -d${WRK_SECONDS}s)`);
    const wrk = wrkP95(`${base}/delay`);
    if (typeof wrk === 'string') {
      console.log(`   skipped: ${wrk}`);
      verdict(false, 'wrk comparison not made');
    } else {
      const wrkApplied = await target.applied();
      console.log(
        `   wrk ${fmt(wrk.p95)} over ${wrk.requests} requests (P50 ${fmt(wrk.p50)}; the server applied P95 ${fmt(p95(wrkApplied))} to them); reported ${fmt(action.p95Ms)}: ${pct(action.p95Ms / wrk.p95)}`,
      );
      verdict(Math.abs(action.p95Ms / wrk.p95 - 1) <= 0.1, 'within ±10% of wrk');
    }
  } finally {
    target.stop();
  }
  console.log(failed ? '\nsmoke-health bench: a target was missed' : '\nsmoke-health bench: all targets met');
  if (failed) process.exitCode = 1;
}

// ---------------------------------------------------------------------------------------------
// Child: the target. Its own process, so its timers and the client under test do not share an event loop.
async function serveTarget() {
  const target = new HttpTarget({
    routes: {
      '/delay': behaviours.delayed(lognormalDelays({ medianMs: MEDIAN_MS, sigma: SIGMA, seed: 42 })),
      '/fast': behaviours.ok(),
    },
  });
  await target.start();
  process.send!({ type: 'url', url: target.url });
  process.on('message', async (m: Message) => {
    if (m.type === 'applied') {
      // Arrival order, then cleared: each phase reads only its own requests.
      process.send!({ type: 'applied', delays: target.requests.map((r) => r.appliedMs ?? null) });
      target.requests.length = 0;
    } else {
      await target.stop();
      process.exit(0);
    }
  });
}

// At the end: every const above is initialised before either side starts.
if (process.argv.includes('--target')) await serveTarget();
else await main();
