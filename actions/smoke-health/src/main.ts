import { runAction } from '@wingman/action-kit/start';
import { smokeHealthInputs } from './inputs';

await runAction('smoke-health', smokeHealthInputs, async (ctx, inputs) => {
  // Loaded only after the inputs are valid: a bad input fails without paying for undici.
  const { run } = await import('./run');
  await run(ctx, inputs);
});
