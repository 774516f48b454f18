// pnpm rehearse: the main job on embedded defaults. Starts PostgreSQL 17 from npm with what Supabase
// gives every project, runs the committed run-migrations bundle the way the runner does on the example
// app's migrations (proving each down script on the way), runs it again to show it has nothing to do,
// and stops the server. Until the whole pipeline has a local rehearsal, this is it.
import { REPO_ROOT, runAction, startPostgres } from '@wingman/testkit';

const EXAMPLE = 'examples/wingmanmatch/supabase';
const db = await startPostgres();
let failed = false;
try {
  for (const [title, extra] of [
    ['first run: apply, proving every rollback', { 'verify-rollbacks': 'true', 'seed-file': `${EXAMPLE}/seed.sql` }],
    ['second run: nothing to do', { 'seed-file': `${EXAMPLE}/seed.sql` }],
  ] as const) {
    console.log(`\n=== run-migrations — ${title}`);
    const result = await runAction('run-migrations', {
      node: 'node24',
      cwd: REPO_ROOT,
      inputs: {
        'database-url': db.url,
        'migrations-dir': `${EXAMPLE}/migrations`,
        'rollbacks-dir': `${EXAMPLE}/rollbacks`,
        ...extra,
      },
    });
    process.stdout.write(result.stdout.replace(/^::add-mask::.*\n/gm, ''));
    process.stderr.write(result.stderr);
    console.log(`\n--- job summary\n${result.summary}--- outputs\n${JSON.stringify(result.outputs, null, 2)}`);
    console.log(`exit ${result.exitCode} in ${result.durationMs} ms`);
    if (result.exitCode !== 0) {
      failed = true;
      break;
    }
  }
} finally {
  await db.stop();
}
process.exit(failed ? 1 : 0);
