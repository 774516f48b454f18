import { runAction } from '@wingman/action-kit';
import { deployHerokuInputs } from './inputs';

await runAction('deploy-heroku', async (ctx) => {
  const inputs = ctx.inputs(deployHerokuInputs);
  // Loaded only after the inputs are valid: a bad input fails without paying for tar and undici.
  const { run } = await import('./run');
  await run(ctx, inputs);
});
