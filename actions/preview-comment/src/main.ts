import { runAction } from '@wingman/action-kit/start';
import { previewCommentInputs } from './inputs';

await runAction('preview-comment', previewCommentInputs, async (ctx, inputs) => {
  const { run } = await import('./run');
  await run(ctx, inputs);
});
