import { runAction } from '@wingman/action-kit';
import { verifySchemaInputs } from './inputs';

await runAction('verify-schema', async (ctx) => {
  const inputs = ctx.inputs(verifySchemaInputs);
  const { run } = await import('./run');
  await run(ctx, inputs);
});
