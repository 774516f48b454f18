import { runAction } from '@wingman/action-kit/start';
import { verifySchemaInputs } from './inputs';

await runAction('verify-schema', verifySchemaInputs, async (ctx, inputs) => {
  const { run } = await import('./run');
  await run(ctx, inputs);
});
