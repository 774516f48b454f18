import { runAction } from '@wingman/action-kit';
import { smokeHealthInputs } from './inputs';

await runAction('smoke-health', async (ctx) => {
  const inputs = ctx.inputs(smokeHealthInputs);
  // Loaded only after the inputs are valid: a bad input fails without paying for undici.
  const { run } = await import('./run');
  await run(ctx, inputs);
});
