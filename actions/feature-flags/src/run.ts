import { readFileSync } from 'node:fs';
import type { ActionContext, Inputs } from '@wingman/action-kit';
import { describeChange, FlagStore, type FlagsReport, parseFlagsFile, setFlag, syncFlags } from '@wingman/flags';
import { readGitHubContext } from '@wingman/github';
import type { featureFlagsInputs } from './inputs';

export async function run(ctx: ActionContext, inputs: Inputs<typeof featureFlagsInputs.spec>): Promise<void> {
  const gh = readGitHubContext();
  const who = { actor: gh.actor ?? 'unknown', reason: inputs.reason, runUrl: gh.runUrl };
  let report: FlagsReport;
  if (inputs.mode === 'set') {
    if (!inputs.flag) throw new Error("input 'flag' is required for mode set: name the flag to change");
    if (!inputs.reason)
      throw new Error("input 'reason' is required for mode set: it goes to the audit with who and when");
    const store = await FlagStore.open(inputs.supabaseUrl, inputs.serviceRoleKey, ctx.log);
    report = await setFlag(store, {
      flag: inputs.flag,
      enabled: inputs.enabled,
      rolloutPercent: inputs.rolloutPercent,
      dryRun: inputs.dryRun,
      who,
    });
  } else {
    let text: string;
    try {
      text = readFileSync(inputs.file, 'utf8');
    } catch {
      throw new Error(`input 'file': ${inputs.file} was not found; add the flags file or point file at it`);
    }
    const file = parseFlagsFile(text, inputs.file);
    const store = await FlagStore.open(inputs.supabaseUrl, inputs.serviceRoleKey, ctx.log);
    report = await syncFlags(store, file, {
      environment: inputs.environment,
      prune: inputs.prune,
      dryRun: inputs.dryRun,
      who,
    });
    if (report.notInFile.length && !inputs.prune)
      ctx.log.warning(
        `in feature_flags but not in ${inputs.file}: ${report.notInFile.join(', ')} (kept; prune: true deletes them)`,
        { file: inputs.file },
      );
    for (const flag of report.keptRuntime)
      ctx.log.notice(`${flag}: kept its runtime value (the file has not changed it since the last sync)`, {
        file: inputs.file,
      });
  }
  ctx.setOutput('changed', report.changes);
  ctx.setOutput('report', report);
  const verb = inputs.dryRun ? 'would change' : 'changed';
  ctx.log.info(`feature-flags ${verb} ${report.changes.length} flag(s)`);
  ctx.summary.heading(
    `🚩 feature-flags: ${report.changes.length} ${inputs.dryRun ? 'planned (dry run)' : 'changed'}`,
    3,
  );
  if (report.changes.length)
    ctx.summary.table(
      ['flag', 'before → after', 'by', 'why'],
      report.changes.map((c) => [c.flag, describeChange(c), who.actor, who.reason ?? '']),
    );
}
