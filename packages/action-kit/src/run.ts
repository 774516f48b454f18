// The runner's side of a run once its inputs are valid (start.ts reads them): logging, outputs, masking
// and the step's failure through @actions/core.
import * as core from '@actions/core';
import { SecretRedactor } from '@wingman/log';
import type { Log, SourceLocation } from './log';
import { toOneLine, writeSummary } from './start';
import { Summary } from './summary';

export interface ActionContext {
  log: Log;
  summary: Summary;
  /** Strings, numbers and booleans as they are; anything else as JSON. Redacted. */
  setOutput(name: string, value: unknown): void;
  /** Mask a value learned at run time (a token from an API, say). */
  addSecret(value: string | undefined): void;
  redact(text: string): string;
}

function annotationProps(where?: SourceLocation): core.AnnotationProperties | undefined {
  if (!where) return undefined;
  return {
    file: where.file,
    startLine: where.line,
    endLine: where.endLine,
    startColumn: where.column,
    title: where.title,
  };
}

export function createActionContext(redactor = new SecretRedactor(), summary = new Summary()): ActionContext {
  const r = (t: string) => redactor.redact(t);
  const log: Log = {
    info: (m) => core.info(r(m)),
    debug: (m) => core.debug(r(m)),
    notice: (m, w) => core.notice(r(m), annotationProps(w)),
    warning: (m, w) => core.warning(r(m), annotationProps(w)),
    error: (m, w) => core.error(r(m), annotationProps(w)),
    group: (name, fn) => core.group(r(name), fn),
  };
  return {
    log,
    summary,
    setOutput: (name, value) =>
      core.setOutput(name, r(typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value))),
    addSecret: (value) => {
      if (!value) return;
      core.setSecret(value);
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
    if (process.env.RUNNER_DEBUG === '1' && err instanceof Error && err.stack) core.debug(redactor.redact(err.stack));
    // An error that knows the file and line to change fails the step with an annotation there.
    const where = (err as { where?: SourceLocation }).where;
    if (err instanceof ReportedFailure) {
      core.info(message);
      process.exitCode = 1;
    } else if (where?.file) {
      core.error(message, annotationProps(where));
      process.exitCode = 1;
    } else core.setFailed(message);
  } finally {
    writeSummary(ctx.summary, redactor);
  }
  process.exitCode = process.exitCode ?? 0;
}
