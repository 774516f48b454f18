import { runAction } from '@wingman/action-kit/start';
import { deployVercelInputs } from './inputs';

await runAction('deploy-vercel', deployVercelInputs, async (ctx, inputs) => {
  // Loaded only after the inputs are valid: a bad input fails fast.
  const { run } = await import('./run');
  await run(ctx, inputs);
});
