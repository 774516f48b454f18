import { runAction } from '@wingman/action-kit/start';
import { deployHerokuInputs } from './inputs';

await runAction('deploy-heroku', deployHerokuInputs, async (ctx, inputs) => {
  // Loaded only after the inputs are valid: a bad input fails without paying for tar and undici.
  const { run } = await import('./run');
  await run(ctx, inputs);
});
