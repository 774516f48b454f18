// An action's entry: read and check the inputs with only what that needs (the input parser, the redactor
// and the workflow commands), then load the rest, so a bad input fails at close to bare Node's start-up.
import { appendFileSync } from 'node:fs';
import { SecretRedactor } from '@wingman/log';
import { addMask, issueCommand, setOutput } from './commands';
import type { InputReader, InputSpec, Inputs } from './inputs';
import type { ActionContext } from './run';
import { Summary } from './summary';

export const toOneLine = (text: string) => text.replace(/\s*\r?\n\s*/g, ' ').trim();

/** The job summary, appended once, redacted. */
export function writeSummary(summary: Summary, redactor: SecretRedactor): void {
  const path = process.env.GITHUB_STEP_SUMMARY;
  const text = redactor.redact(summary.toString());
  if (path && text) appendFileSync(path, text);
}

/**
 * Runs an action: inputs first (every secret masked before anything can print it), then main with the
 * runner's full context. On failure the step fails with one redacted line (the stack only with step
 * debug logging on); the job summary is written either way, and the exit code is set.
 */
export async function runAction<S extends InputSpec>(
  title: string,
  reader: InputReader<S>,
  main: (ctx: ActionContext, inputs: Inputs<S>) => Promise<void>,
): Promise<void> {
  const redactor = new SecretRedactor();
  let inputs: Inputs<S>;
  const sources: Record<string, string> = {};
  try {
    inputs = await reader.read(
      process.env,
      (secret) => {
        addMask(secret);
        redactor.add(secret);
      },
      sources,
    );
  } catch (err) {
    const message = toOneLine(redactor.redact(err instanceof Error ? err.message : String(err)));
    if (process.env.RUNNER_DEBUG === '1' && err instanceof Error && err.stack) {
      issueCommand('debug', redactor.redact(err.stack));
    }
    issueCommand('error', message);
    setOutput('error', message);
    writeSummary(new Summary().text(`**${title} failed:** ${message}`), redactor);
    process.exitCode = 1;
    return;
  }
  const { runWithContext } = await import('./run');
  // Which inputs came from the environment, never their values.
  const fromEnv = Object.entries(sources).map(([input, variable]) => `'${input}' from ${variable}`);
  await runWithContext(title, redactor, async (ctx) => {
    if (fromEnv.length) ctx.log.info(`Inputs taken from the environment: ${fromEnv.join(', ')}`);
    try {
      await main(ctx, inputs);
    } finally {
      if (fromEnv.length) ctx.summary.text(`Inputs taken from the environment: ${fromEnv.join(', ')}.`);
    }
  });
}
