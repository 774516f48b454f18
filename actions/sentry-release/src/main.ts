import { runAction } from '@wingman/action-kit/start';
import { sentryReleaseInputs } from './inputs';

await runAction('sentry-release', sentryReleaseInputs, async (ctx, inputs) => {
  // Loaded only after the inputs are valid: a bad input fails without paying for the HTTP client and tool cache.
  const { run } = await import('./run');
  await run(ctx, inputs);
});
