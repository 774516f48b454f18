// How every benchmark here measures: whole processes as a user waits for them, interleaved in rotating
// order so a noisy neighbour hits every contender alike, and ratios taken per round (paired) before the
// median, the way the issue "The house" measured from outside.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Milliseconds a command takes from spawn to exit; throws when it exits otherwise than expected. */
export function timed(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; expectExit?: number } = {},
): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== (options.expectExit ?? 0))
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stdout}${r.stderr}`);
  return elapsed;
}

/** The environment the runner gives a node action: INPUT_* (upper-cased name), summary and output files. */
export function actionEnv(work: string, inputs: Record<string, string>): NodeJS.ProcessEnv {
  const summary = join(work, 'summary.md');
  const output = join(work, 'output.txt');
  writeFileSync(summary, '');
  writeFileSync(output, '');
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, GITHUB_STEP_SUMMARY: summary, GITHUB_OUTPUT: output };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  return env;
}

/**
 * Runs `rounds` rounds of every contender, each round starting one later in the list, and returns each
 * contender's times in round order (index r of every list is the same round, for paired ratios).
 */
export async function interleaved<K extends string>(
  rounds: number,
  contenders: Record<K, () => Promise<number> | number>,
): Promise<Record<K, number[]>> {
  const names = Object.keys(contenders) as K[];
  const out = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<K, number[]>;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(r + i) % names.length]!;
      out[name][r] = await contenders[name]();
    }
  }
  return out;
}

/** The median of a/b taken round by round. */
export const pairedRatio = (a: number[], b: number[]) => median(a.map((x, i) => x / b[i]!));

export function report(label: string, value: string, target: string, ok: boolean): boolean {
  console.log(`${label.padEnd(52)} ${value.padStart(10)}   target ${target.padEnd(10)} ${ok ? 'met' : 'NOT MET'}`);
  return ok;
}
