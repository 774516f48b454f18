import { runAction } from '@wingman/action-kit/start';
import { featureFlagsInputs } from './inputs';

await runAction('feature-flags', featureFlagsInputs, async (ctx, inputs) => {
  const { run } = await import('./run');
  await run(ctx, inputs);
});
