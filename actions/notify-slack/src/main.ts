import { runAction } from '@wingman/action-kit/start';
import { notifySlackInputs } from './inputs';

await runAction('notify-slack', notifySlackInputs, async (ctx, inputs) => {
  // Loaded only after the inputs are valid: a bad input fails without paying for the HTTP client.
  const { run } = await import('./run');
  await run(ctx, inputs);
});
