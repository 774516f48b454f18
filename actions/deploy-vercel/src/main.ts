import { runAction } from '@wingman/action-kit';
import { deployVercelInputs } from './inputs';

await runAction('deploy-vercel', async (ctx) => {
  const inputs = ctx.inputs(deployVercelInputs);
  // Loaded only after the inputs are valid: a bad input fails fast.
  const { run } = await import('./run');
  await run(ctx, inputs);
});
