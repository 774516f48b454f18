import { runAction } from '@wingman/action-kit/start';
import { verifyConfigInputs } from './inputs';

await runAction('verify-config', verifyConfigInputs, async (ctx, inputs) => {
  const { run } = await import('./run');
  await run(ctx, inputs);
});
