// pnpm bench (part 0): every action's cold start, as a user with a typo in an input waits for it.
//   - each action's entry chunk (dist/<name>/index.js) ≤ 250 KB;
//   - time to a bad-input error ≤ 1.6× bare `node -e 0`, median of 10 rounds, each round timing bare
//     Node and every bundle (no inputs set: each fails on its first required input) in rotating order.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { nodeRuntimes, REPO_ROOT } from '@wingman/testkit';
import { interleaved, median, pairedRatio, report, timed } from './measure';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const node24 = nodeRuntimes().find((r) => r.name === 'node24')!.path;
const actions = readdirSync(join(REPO_ROOT, 'dist')).sort();
// No INPUT_* and no GITHUB_*: what a step with its inputs left out sees.
const env = { PATH: process.env.PATH };

const contenders: Record<string, () => number> = { bare: () => timed(node24, ['-e', '0'], { env }) };
for (const name of actions)
  contenders[name] = () => timed(node24, [join(REPO_ROOT, 'dist', name, 'index.js')], { env, expectExit: 1 });
const times = await interleaved(ROUNDS, contenders);

console.log(
  `\ncold start: entry chunk and time to a bad-input error, median of ${ROUNDS} rounds (node -e 0: ${median(times.bare!).toFixed(0)} ms)`,
);
let ok = true;
for (const name of actions) {
  const kb = statSync(join(REPO_ROOT, 'dist', name, 'index.js')).size / 1024;
  ok = report(`${name}: entry chunk`, `${kb.toFixed(0)} KB`, '≤ 250 KB', kb <= 250) && ok;
  const ratio = pairedRatio(times[name]!, times.bare!);
  ok = report(`${name}: bad input / node -e 0`, `${ratio.toFixed(2)}×`, '≤ 1.6×', ratio <= 1.6) && ok;
}
if (!ok) process.exitCode = 1;
