// pnpm rehearse [--scenario smoke-fails] [--database-url <url>]: the push-to-main pipeline end to end on
// this machine — embedded PostgreSQL, the example app's migrations, the Heroku, Vercel, Slack and
// Sentry simulators and the example backend as the deployed app — running .github/workflows/push-main.yml
// and deploy.yml as written, each step through its committed bundle.
import { rehearsePipeline, type Scenario } from '@wingman/rehearsal';

const args = process.argv.slice(2);
const value = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const scenario = (value('--scenario') ?? 'happy') as Scenario;
if (!['happy', 'smoke-fails'].includes(scenario)) {
  console.error(`--scenario must be happy or smoke-fails, got ${scenario}`);
  process.exit(2);
}
console.log(`Rehearsing push-main (${scenario}) with embedded defaults; every step runs its committed bundle.\n`);
const result = await rehearsePipeline({
  scenario,
  databaseUrl: value('--database-url'),
  print: (line) => console.log(line),
});
// The smoke-fails scenario passes when the pipeline rolled production back and said so.
const expected =
  scenario === 'happy'
    ? result.ok
    : result.heroku.production.slugOfCurrent === result.heroku.production.previousSlug &&
      result.slack.some((m) => /rolled back/i.test(m.text ?? ''));
process.exit(expected ? 0 : 1);
