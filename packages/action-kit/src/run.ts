// The runner's side of a run once its inputs are valid (start.ts reads them): logging, outputs, masking
// and the step's failure, as workflow commands.

import { SecretRedactor } from '@wingman/log';
import { type AnnotationProperties, addMask, group, info, issueCommand, setOutput } from './commands';
import type { Log, SourceLocation } from './log';
import { toOneLine, writeSummary } from './start';
import { Summary } from './summary';

export interface ActionContext {
  log: Log;
  summary: Summary;
  /** Strings, numbers and booleans as they are; anything else as JSON. Redacted. */
  setOutput(name: string, value: unknown): void;
  /**
   * An output that carries a secret on purpose (a header for a later step), unredacted. The secret is
   * masked, so the log shows ***; GitHub drops it from job outputs, so it reaches steps of this job only.
   */
  setSecretOutput(name: string, value: string): void;
  /** Mask a value learned at run time (a token from an API, say). */
  addSecret(value: string | undefined): void;
  redact(text: string): string;
}

function annotationProps(where?: SourceLocation): AnnotationProperties | undefined {
  if (!where) return undefined;
  // The order @actions/core writes them in: title, file, line, endLine, col.
  return { title: where.title, file: where.file, line: where.line, endLine: where.endLine, col: where.column };
}

export function createActionContext(redactor = new SecretRedactor(), summary = new Summary()): ActionContext {
  const r = (t: string) => redactor.redact(t);
  const log: Log = {
    info: (m) => info(r(m)),
    debug: (m) => issueCommand('debug', r(m)),
    notice: (m, w) => issueCommand('notice', r(m), annotationProps(w)),
    warning: (m, w) => issueCommand('warning', r(m), annotationProps(w)),
    error: (m, w) => issueCommand('error', r(m), annotationProps(w)),
    group: (name, fn) => group(r(name), fn),
  };
  return {
    log,
    summary,
    setOutput: (name, value) =>
      setOutput(name, r(typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value))),
    setSecretOutput: (name, value) => setOutput(name, value),
    addSecret: (value) => {
      if (!value) return;
      addMask(value);
      redactor.add(value);
    },
    redact: r,
  };
}

/**
 * Fails the step without another annotation: its causes were already annotated one by one (findings at
 * their files), so a roll-up error would count the same cause twice. The message goes to the log and summary.
 */
export class ReportedFailure extends Error {
  override name = 'ReportedFailure';
}

/** The second half of start.ts's runAction: main with the full context, its failure, the summary. */
export async function runWithContext(
  title: string,
  redactor: SecretRedactor,
  main: (ctx: ActionContext) => Promise<void>,
): Promise<void> {
  const ctx = createActionContext(redactor);
  try {
    await main(ctx);
  } catch (err) {
    const message = toOneLine(redactor.redact(err instanceof Error ? err.message : String(err)));
    ctx.summary.text(`**${title} failed:** ${message}`);
    // For a later step that reports the failure (a PR comment, a Slack message): why, in one line.
    setOutput('error', message);
    if (process.env.RUNNER_DEBUG === '1' && err instanceof Error && err.stack)
      issueCommand('debug', redactor.redact(err.stack));
    // An error that knows the file and line to change fails the step with an annotation there.
    const where = (err as { where?: SourceLocation }).where;
    if (err instanceof ReportedFailure) {
      info(message);
      process.exitCode = 1;
    } else if (where?.file) {
      issueCommand('error', message, annotationProps(where));
      process.exitCode = 1;
    } else {
      issueCommand('error', message);
      process.exitCode = 1;
    }
  } finally {
    writeSummary(ctx.summary, redactor);
  }
  process.exitCode = process.exitCode ?? 0;
}
