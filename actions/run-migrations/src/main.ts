import { runAction } from '@wingman/action-kit';
import { runMigrationsInputs } from './inputs';

await runAction('run-migrations', async (ctx) => {
  const inputs = ctx.inputs(runMigrationsInputs);
  // Loaded only after the inputs are valid: a bad input fails without paying for pg.
  const { migrate, MigrationRunError } = await import('@wingman/migrations');
  const { writeReport } = await import('./report');
  try {
    const result = await migrate({ ...inputs, log: ctx.log, applicationName: 'wingman-deploy run-migrations' });
    writeReport(ctx, result);
  } catch (err) {
    if (err instanceof MigrationRunError) writeReport(ctx, err.result, err.cause);
    throw err;
  }
});
