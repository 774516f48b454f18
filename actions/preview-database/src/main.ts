import { runAction } from '@wingman/action-kit/start';
import { previewDatabaseInputs, previewKind } from './inputs';

await runAction('preview-database', previewDatabaseInputs, async (ctx, inputs) => {
  const kind = previewKind(inputs);
  // Loaded only after the inputs are valid: a bad input fails without paying for pg and undici.
  const { run } = await import('./run');
  await run(ctx, inputs, kind);
});
