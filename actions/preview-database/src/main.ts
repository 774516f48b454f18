import { runAction } from '@wingman/action-kit/start';
import { previewDatabaseInputs } from './inputs';

await runAction('preview-database', previewDatabaseInputs, async (ctx, inputs) => {
  // Loaded only after the inputs are valid: a bad input fails without paying for pg and undici.
  const { run } = await import('./run');
  await run(ctx, inputs);
});
