// Runs the sentry-cli binary. The path comes from the caller (the action installs the pinned version into
// the runner's tool cache; tests pass the devDependency's binary), so this package needs no @actions/*.
import { spawn } from 'node:child_process';
import { createRedactor, type Log } from '@wingman/log';
import { hintFor, SentryReleaseError, type SentryStep } from './errors';

export interface SentryCliOptions {
  /** Path of the sentry-cli executable. */
  cliPath: string;
  /** Sentry base URL (https://sentry.io or a self-hosted one). */
  url: string;
  authToken: string;
  org: string;
  cwd: string;
  /** Base environment; default process.env. */
  env?: NodeJS.ProcessEnv;
  log: Log;
  /** Redacts secrets from CLI output before it is logged or thrown. */
  redact?: (text: string) => string;
  /** The step's deadline: a sentry-cli run still going then is stopped (SIGTERM). */
  signal?: AbortSignal;
}

export interface CliOutput {
  stdout: string;
  stderr: string;
}

/** Runs `sentry-cli <args>` and resolves with its output; a non-zero exit throws naming the step and Sentry's message. */
export async function runSentryCli(options: SentryCliOptions, step: SentryStep, args: string[]): Promise<CliOutput> {
  const redact = options.redact ?? createRedactor([options.authToken]);
  const env: NodeJS.ProcessEnv = {
    ...(options.env ?? process.env),
    SENTRY_URL: options.url,
    SENTRY_AUTH_TOKEN: options.authToken,
    SENTRY_ORG: options.org,
    // The user agent names us; no Rust backtrace in the user's log.
    SENTRY_PIPELINE: 'wingman-deploy-sentry-release',
    RUST_BACKTRACE: '0',
  };
  options.log.debug(`sentry-cli ${args.join(' ')}`);
  const { code, stdout, stderr, spawnError } = await new Promise<{
    code: number | null;
    stdout: string;
    stderr: string;
    spawnError?: Error;
  }>((resolve) => {
    const child = spawn(options.cliPath, args, {
      cwd: options.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: options.signal,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => resolve({ code: null, stdout: '', stderr: '', spawnError: e }));
    child.on('close', (c) =>
      resolve({ code: c, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
  if (options.signal?.aborted) {
    const reason = options.signal.reason as Error | undefined;
    throw new SentryReleaseError(
      `Sentry step '${step}': sentry-cli ${args[0]} stopped: ${reason?.message ?? 'the step was cancelled'}; raise 'timeout' or check that ${options.url} answers`,
      step,
    );
  }
  if (spawnError) {
    throw new SentryReleaseError(
      `Sentry step '${step}': could not run sentry-cli at ${options.cliPath} (${spawnError.message}); check the cli-path or cli-version input`,
      step,
    );
  }
  for (const line of redact(stdout).split('\n')) if (line.trim()) options.log.info(line.replace(/\s+$/, ''));
  if (code !== 0) {
    const { message, status } = parseCliError(redact(stderr));
    throw new SentryReleaseError(
      `Sentry step '${step}' (sentry-cli ${args[0]} ${args[1] ?? ''}) failed: ${message}; ${hintFor(status)}`,
      step,
      status,
    );
  }
  for (const line of redact(stderr).split('\n')) if (line.trim()) options.log.debug(line.replace(/\s+$/, ''));
  return { stdout, stderr };
}

/**
 * sentry-cli prints `error: API request failed` then a `Caused by:` list whose last entry is Sentry's own
 * message, e.g. `sentry reported an error: Invalid token (http status: 401)`. Returns that one line.
 */
export function parseCliError(stderr: string): { message: string; status?: number } {
  const lines = stderr.split('\n').map((l) => l.trim());
  const errorLine = lines
    .find((l) => l.startsWith('error:'))
    ?.slice('error:'.length)
    .trim();
  const causedAt = lines.indexOf('Caused by:');
  const causes: string[] = [];
  if (causedAt >= 0) {
    for (const l of lines.slice(causedAt + 1)) {
      if (l === '' || l.startsWith('Stack backtrace') || l.startsWith('Add --log-level')) break;
      causes.push(l.replace(/^\d+:\s*/, ''));
    }
  }
  const detail = causes
    .map((c) => c.replace(/^sentry reported an error:\s*/, ''))
    .map(readableExtra)
    .filter((c) => c !== errorLine);
  const status = /\(http status: (\d{3})\)/.exec(stderr)?.[1];
  const message =
    [errorLine, ...detail].filter(Boolean).join(': ') || stderr.trim().split('\n')[0] || 'sentry-cli failed';
  return { message, status: status ? Number(status) : undefined };
}

/** `Object {"projects": Array [String("Invalid project slugs")]}` (Rust's Debug of a JSON error body) → `projects: Invalid project slugs`. */
function readableExtra(line: string): string {
  if (!line.startsWith('Object {')) return line;
  const pairs = [...line.matchAll(/"([^"]+)": (?:Array \[)?String\("((?:[^"\\]|\\.)*)"\)/g)].map(
    ([, k, v]) => `${k}: ${v}`,
  );
  return pairs.length ? pairs.join('; ') : line;
}
