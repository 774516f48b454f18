import { runAction } from '@wingman/action-kit/start';
import { isSecretHeader, parseHeaderLines, parseTargets } from '@wingman/health/targets';
import { smokeHealthInputs } from './inputs';

await runAction('smoke-health', smokeHealthInputs, async (ctx, inputs) => {
  // Headers and what to check are inputs too: checked (and the header values masked one by one) before
  // the HTTP stack loads, so a step with neither url nor targets fails at once.
  const headers = parseHeaderLines(inputs.headers, 'headers');
  // The runner masked the input as a whole; each value must be masked on its own to be hidden in a log line.
  for (const value of Object.values(headers)) ctx.addSecret(value);
  const targets = parseTargets({ url: inputs.url, targets: inputs.targets });
  // Credentials in a target's own headers (targets: is not a secret input) are masked by their name.
  for (const t of targets)
    for (const [name, value] of Object.entries(t.headers)) if (isSecretHeader(name)) ctx.addSecret(value);
  // Loaded only after the inputs are valid: a bad input fails without paying for undici.
  const { run } = await import('./run');
  await run(ctx, inputs, { headers, targets });
});
