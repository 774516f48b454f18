import { wireTo } from '@wingman/action-kit/inputs';
import { runAction } from '@wingman/action-kit/start';
import type { MigrateOptions } from '@wingman/migrations';
import { runMigrationsInputs } from './inputs';

/** Inputs the action itself reports with, after the package has run. */
interface ReportOptions {
  lintSarifFile?: string;
  githubToken?: string;
}

await runAction('run-migrations', runMigrationsInputs, async (ctx, inputs) => {
  // Every input names the option it feeds; a wrong or missing name does not compile.
  const { lintSarifFile, githubToken, ...options } = wireTo<MigrateOptions & ReportOptions>()(inputs, {
    databaseUrl: 'databaseUrl',
    migrationsDir: 'migrationsDir',
    rollbacksDir: 'rollbacksDir',
    mode: 'mode',
    status: 'repairStatus',
    versions: 'versions',
    shadowDatabaseUrl: 'shadowDatabaseUrl',
    direction: 'direction',
    targetVersion: 'targetVersion',
    dryRun: 'dryRun',
    atomic: 'atomic',
    allowOutOfOrder: 'allowOutOfOrder',
    lockTimeout: 'lockTimeoutMs',
    lockRetries: 'lockRetries',
    statementTimeout: 'statementTimeoutMs',
    waitForLock: 'waitForLockMs',
    lint: 'lint',
    lintSmallTableRows: 'lintSmallTableRows',
    includeSeed: 'includeSeed',
    seedFile: 'seedFiles',
    verifyRollbacks: 'verifyRollbacks',
    bootstrap: 'bootstrap',
    lintSarifFile: 'lintSarifFile',
    githubToken: 'githubToken',
  });
  // Loaded only after the inputs are valid: a bad input fails without paying for pg.
  const { migrate, MigrationRunError } = await import('@wingman/migrations');
  const { writeReport, reportLint } = await import('./report');
  try {
    const result = await migrate({ ...options, log: ctx.log, applicationName: 'wingman-deploy run-migrations' });
    writeReport(ctx, result);
    await reportLint(ctx, result, { sarifFile: lintSarifFile, githubToken });
  } catch (err) {
    if (err instanceof MigrationRunError) {
      writeReport(ctx, err.result, err.cause);
      await reportLint(ctx, err.result, { sarifFile: lintSarifFile, githubToken });
    }
    throw err;
  }
});
