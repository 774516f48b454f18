import { runAction } from '@wingman/action-kit/start';
import { backupDrillInputs } from './inputs';

await runAction('backup-drill', backupDrillInputs, async (ctx, inputs) => {
  // Loaded only after the inputs are valid: a bad input fails without paying for pg and the HTTP client.
  const { run } = await import('./run');
  await run(ctx, inputs);
});
