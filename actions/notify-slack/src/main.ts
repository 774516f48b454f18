import { runAction } from '@wingman/action-kit';
import { notifySlackInputs } from './inputs';

await runAction('notify-slack', async (ctx) => {
  const inputs = ctx.inputs(notifySlackInputs);
  // Loaded only after the inputs are valid: a bad input fails without paying for the HTTP client.
  const { run } = await import('./run');
  await run(ctx, inputs);
});
