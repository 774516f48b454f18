import { runAction } from '@wingman/action-kit';
import { sentryReleaseInputs } from './inputs';

await runAction('sentry-release', async (ctx) => {
  const inputs = ctx.inputs(sentryReleaseInputs);
  // Loaded only after the inputs are valid: a bad input fails without paying for the HTTP client and tool cache.
  const { run } = await import('./run');
  await run(ctx, inputs);
});
