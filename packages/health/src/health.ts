// The gate between "deployed" and "promoted": wait until every target passes its contract once, then
// sample its latency and error rate, and judge both against the budgets.
import type { Log } from '@wingman/log';
import { formatDuration, sleep as oneSleep } from '@wingman/time';
import { displayUrl, type ProbeResult, Prober } from './probe';
import { type Histogram, histogram, type LatencyStats, latencyStats } from './stats';
import type { TargetSpec } from './targets';

export interface HealthOptions {
  targets: TargetSpec[];
  /** Sent to every target (secret-capable). */
  headers?: Record<string, string>;
  /** Readiness, shared by all targets, from the start of the check. */
  waitTimeoutMs: number;
  requestTimeoutMs: number;
  /** Latency sample per target after readiness; 0 checks readiness and the contract only. */
  samples: number;
  concurrency: number;
  /** 0: no latency budget. */
  p95BudgetMs: number;
  /** Fraction, 0.01 = 1%. */
  errorRateBudget: number;
  followRedirects: boolean;
  /** Other origins a redirect may lead to ('*': any); see Prober. */
  redirectOrigins?: string[];
  log: Log;
  /** Extra values to redact from messages. */
  secrets?: string[];
  /** Readiness backoff: first wait, doubling up to the cap (each with ±25% jitter). */
  pollMinMs?: number;
  pollMaxMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

export interface FailureCount {
  label: string;
  /** An example message of this kind. */
  example: string;
  count: number;
}

export interface TargetReport {
  url: string;
  method: string;
  healthy: boolean;
  ready: boolean;
  /** Readiness polls made. */
  attempts: number;
  /** From the start of the check to the first passing poll. */
  readyAfterMs?: number;
  /** The last poll's failure when never ready (or refused for good). */
  readinessFailure?: string;
  /** Readiness stopped early on an answer that waiting will not change (401, 403, 400, a redirect not followed). */
  refused?: boolean;
  /** Status of the last answer seen. */
  status?: number;
  samples: number;
  errors: number;
  /** Fraction of failed samples. */
  errorRate: number;
  latency?: LatencyStats;
  /**
   * The sample's first wave (concurrency requests, when above 1): each may start a fresh instance of a
   * serverless function or meet a dyno's cold caches. Its errors count; its latency is shown, not budgeted.
   */
  warmup?: { requests: number; maxMs?: number };
  histogram?: Histogram;
  failures: FailureCount[];
  p95OverBudget?: boolean;
  errorRateOverBudget?: boolean;
  /** Why this target fails the gate (empty when healthy). */
  verdicts: string[];
}

export interface HealthReport {
  healthy: boolean;
  targets: TargetReport[];
  verdicts: string[];
  durationMs: number;
  budgets: { p95Ms: number; errorRate: number };
}

export function formatPercent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

export async function checkHealth(options: HealthOptions): Promise<HealthReport> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => oneSleep(ms));
  const random = options.random ?? Math.random;
  const log = options.log;
  const started = now();
  const deadline = started + options.waitTimeoutMs;
  const prober = new Prober({
    requestTimeoutMs: options.requestTimeoutMs,
    followRedirects: options.followRedirects,
    redirectOrigins: options.redirectOrigins,
    headers: options.headers,
    secrets: options.secrets,
  });
  const reports: TargetReport[] = [];
  try {
    // One target after another: log groups cannot interleave, and samples of one target must not
    // compete with another's for the runner's sockets.
    for (const target of options.targets) {
      const shown = displayUrl(target.url);
      const report: TargetReport = {
        url: shown,
        method: target.method,
        healthy: false,
        ready: false,
        attempts: 0,
        samples: 0,
        errors: 0,
        errorRate: 0,
        failures: [],
        verdicts: [],
      };
      reports.push(report);

      await log.group(`Readiness: ${target.method} ${shown}`, async () => {
        for (let attempt = 1; ; attempt++) {
          // A target reached after the wait-timeout (an earlier one used it up) still gets one full poll.
          const left = deadline - now();
          const limit = left > 0 ? Math.min(options.requestTimeoutMs, left) : options.requestTimeoutMs;
          const result = await prober.probe(target, limit);
          report.attempts = attempt;
          report.status = result.status ?? report.status;
          const at = formatDuration(now() - started);
          if (result.ok) {
            report.ready = true;
            report.readyAfterMs = now() - started;
            log.info(
              `attempt ${attempt} at ${at}: ready — ${result.status} in ${formatDuration(result.latencyMs!)}${redirectNote(result)}`,
            );
            return;
          }
          const reason = result.failures.join('; ');
          if (!result.retryable) {
            report.readinessFailure = reason;
            report.refused = true;
            log.info(`attempt ${attempt} at ${at}: ${reason} — not retried, this will not change by waiting`);
            return;
          }
          // A poll cut short by the end of wait-timeout says less about the target than the one before it.
          const clipped = result.kind === 'timeout' && limit < options.requestTimeoutMs;
          if (!clipped || report.readinessFailure === undefined) report.readinessFailure = reason;
          const base = Math.min(options.pollMaxMs ?? 5000, (options.pollMinMs ?? 250) * 2 ** (attempt - 1));
          const wait = Math.round(base * (0.75 + random() * 0.5));
          if (wait >= deadline - now()) {
            log.info(`attempt ${attempt} at ${at}: ${reason} — wait-timeout reached`);
            return;
          }
          log.info(`attempt ${attempt} at ${at}: ${reason} — retrying in ${formatDuration(wait)}`);
          await sleep(wait);
        }
      });

      if (!report.ready) {
        // A protection page already says what to pass; the generic 401 hint would say it twice.
        const hint = report.readinessFailure?.startsWith('protected deployment')
          ? ''
          : hintFor(report.status, options.headers);
        report.verdicts.push(
          report.refused
            ? `${shown} failed its contract: ${report.readinessFailure}${hint}`
            : `${shown} never became ready within ${formatDuration(options.waitTimeoutMs)} (${report.attempts} attempts); last: ${report.readinessFailure}${hint}`,
        );
        continue;
      }
      if (options.samples > 0) {
        await log.group(`Latency: ${options.samples} requests to ${shown} at concurrency ${options.concurrency}`, () =>
          sample(prober, target, options, report),
        );
      }
      judge(report, options, shown);
    }
  } finally {
    await prober.close();
  }
  const verdicts = reports.flatMap((r) => r.verdicts);
  return {
    healthy: verdicts.length === 0,
    targets: reports,
    verdicts,
    durationMs: now() - started,
    budgets: { p95Ms: options.p95BudgetMs, errorRate: options.errorRateBudget },
  };
}

function redirectNote(r: ProbeResult): string {
  return r.redirects ? ` after ${r.redirects} redirect(s) to ${displayUrl(r.finalUrl)}` : '';
}

function hintFor(status: number | undefined, headers: Record<string, string> | undefined): string {
  if (status === 401 || status === 403) {
    return headers && Object.keys(headers).length
      ? ' (the target refuses the headers sent: check their values)'
      : " (a protected deployment, e.g. Vercel Deployment Protection, answers 401 without the bypass: pass 'x-vercel-protection-bypass: <secret>' in input 'headers')";
  }
  return '';
}

async function sample(prober: Prober, target: TargetSpec, options: HealthOptions, report: TargetReport) {
  const latencies: number[] = [];
  const warm: number[] = [];
  // Readiness warmed one instance, one request at a time; a first wave of parallel requests may each land
  // on a new one. Excluded only while enough samples remain to measure.
  const warmupRequests = options.concurrency > 1 && options.samples > 2 * options.concurrency ? options.concurrency : 0;
  const failures = new Map<string, FailureCount>();
  let next = 0;
  let errors = 0;
  const worker = async () => {
    while (next < options.samples) {
      next += 1;
      const inWarmup = next <= warmupRequests;
      const r = await prober.probe(target);
      // Every complete answer has a latency, failed or not (as wrk counts); transport failures have none.
      if (r.latencyMs !== undefined) (inWarmup ? warm : latencies).push(r.latencyMs);
      if (r.ok) continue;
      errors += 1;
      const label = r.label ?? r.kind ?? 'error';
      const f = failures.get(label);
      if (f) f.count += 1;
      else failures.set(label, { label, example: r.failures.join('; '), count: 1 });
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.samples) }, worker));
  report.samples = options.samples;
  report.errors = errors;
  report.errorRate = errors / options.samples;
  report.latency = latencyStats(latencies);
  if (warmupRequests) report.warmup = { requests: warmupRequests, maxMs: warm.length ? Math.max(...warm) : undefined };
  report.histogram = latencies.length ? histogram(latencies) : undefined;
  report.failures = [...failures.values()].sort((a, b) => b.count - a.count);
  const l = report.latency;
  const measured = options.samples - warmupRequests;
  options.log.info(
    l
      ? `P50 ${formatDuration(l.p50Ms)}, P95 ${formatDuration(l.p95Ms)}, P99 ${formatDuration(l.p99Ms)} (min ${formatDuration(l.minMs)}, max ${formatDuration(l.maxMs)}) over ${measured} requests; ${errors}/${options.samples} failed`
      : `no complete answer in ${options.samples} requests`,
  );
  if (report.warmup?.maxMs !== undefined)
    options.log.info(
      `warm-up: the first ${warmupRequests} requests (one per concurrent connection, which may each start a cold instance) took up to ${formatDuration(report.warmup.maxMs)}; their errors count, their latency is not held to p95-budget`,
    );
  for (const f of report.failures) options.log.info(`${f.count}× ${f.example}`);
}

function judge(report: TargetReport, options: HealthOptions, shown: string): void {
  const l = report.latency;
  report.p95OverBudget = options.samples > 0 && options.p95BudgetMs > 0 && !!l && l.p95Ms > options.p95BudgetMs;
  report.errorRateOverBudget = options.samples > 0 && report.errorRate > options.errorRateBudget;
  if (report.p95OverBudget && l)
    report.verdicts.push(`P95 ${formatDuration(l.p95Ms)} > budget ${formatDuration(options.p95BudgetMs)} on ${shown}`);
  if (report.errorRateOverBudget) {
    const top = report.failures[0];
    report.verdicts.push(
      `error rate ${formatPercent(report.errorRate)} (${report.errors}/${report.samples}) > budget ${formatPercent(options.errorRateBudget)} on ${shown}` +
        (top ? `; most common: ${top.example} (${top.count}×)` : ''),
    );
  }
  report.healthy = report.verdicts.length === 0;
}
