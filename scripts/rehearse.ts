// pnpm rehearse [--scenario happy|smoke-fails|rollback|preview|preview-branch|repair|flag|redeploy] [--database-url <url>]: the caller
// repository's workflows (examples/wingmanmatch/.github/workflows) run the way GitHub runs them, calling
// this repository's reusable workflows @v1, each action through its committed bundle, against embedded
// PostgreSQL and the provider simulators.
import { rehearsePipeline, SCENARIOS, type Scenario } from '@wingman/rehearsal';

const args = process.argv.slice(2);
const value = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const scenario = (value('--scenario') ?? 'happy') as Scenario;
if (!SCENARIOS.includes(scenario)) {
  console.error(`--scenario must be one of ${SCENARIOS.join(', ')}, got ${scenario}`);
  process.exit(2);
}
console.log(
  `Rehearsing the caller's workflows (${scenario}) with embedded defaults; every step runs its committed bundle.`,
);
const result = await rehearsePipeline({
  scenario,
  databaseUrl: value('--database-url'),
  print: (line) => console.log(line),
});
// Every run as the scenario means it (ok); smoke-fails also when production was rolled back and Slack
// said so; the previews also when the cleanup left no review app, PR database or Supabase branch behind;
// redeploy also when every provider records each dispatch's commit.
const expected =
  result.ok &&
  (scenario !== 'smoke-fails' ||
    (result.heroku.production.slugOfCurrent === result.heroku.production.previousSlug &&
      result.slack.some((m) => /rolled back/i.test(m.text ?? '')))) &&
  ((scenario !== 'preview' && scenario !== 'preview-branch') ||
    (result.previews!.databases.length === 0 &&
      (result.previews!.supabaseBranches ?? []).length === 0 &&
      result.previews!.reviewApps.every((a) => a.status === 'deleting' || a.status === 'deleted'))) &&
  (result.redeploys ?? []).every((d) => [d.heroku, d.vercel, d.sentry, d.datadog].every((c) => c === d.expected));
process.exit(expected ? 0 : 1);
