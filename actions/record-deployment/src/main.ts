import { runAction } from '@wingman/action-kit/start';
import { enterPhase } from '@wingman/action-kit/state';
import { recordDeploymentInputs } from './inputs';
import { pausedMonitors } from './paused-state';

// One bundle for both steps (runs.main and runs.post): main records the deploy, post resumes what main paused.
const phase = enterPhase();
if (phase === 'post' && pausedMonitors().length === 0) {
  // Nothing was paused (the usual case): no inputs to read, no call to make.
  process.stdout.write('record-deployment: no monitors were paused, nothing to resume\n');
} else {
  await runAction(
    phase === 'post' ? 'record-deployment (post)' : 'record-deployment',
    recordDeploymentInputs,
    async (ctx, inputs) => {
      // Loaded only after the inputs are valid: a bad input fails without paying for the HTTP client.
      if (phase === 'post') await (await import('./post')).resume(ctx, inputs);
      else await (await import('./run')).run(ctx, inputs);
    },
  );
}
