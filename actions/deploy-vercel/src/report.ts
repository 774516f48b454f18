// What the step tells, per mode: its outputs and the job summary.
import type { ActionContext } from '@wingman/action-kit';
import {
  type AliasSweepResult,
  type DeployResult,
  https,
  type PreviewCleanupResult,
  type ReleaseResult,
  type RemoveAliasesResult,
  VercelDeployError,
  type VercelDeployment,
} from '@wingman/vercel';

type Row = [string, string];

function setDeploymentOutputs(ctx: ActionContext, d: VercelDeployment | undefined, aliases: string[] = []): void {
  ctx.setOutput('deployment-id', d?.id ?? '');
  ctx.setOutput('url', d ? https(d.url) : '');
  ctx.setOutput('inspector-url', d?.inspectorUrl ?? '');
  ctx.setOutput('ready-state', d?.readyState ?? '');
  const all = [...new Set([...aliases, ...(d?.alias ?? [])])];
  ctx.setOutput('aliases', all);
}

function summaryRows(d: VercelDeployment, extra: Row[]): Row[] {
  return [
    ['Deployment', d.id],
    ['URL', https(d.url)],
    ['State', `${d.readyState}${d.readySubstate ? ` (${d.readySubstate})` : ''}`],
    ...(d.inspectorUrl ? ([['Inspect', d.inspectorUrl]] as Row[]) : []),
    ...extra,
  ];
}

/** A failed deploy or promote/rollback: the deployment it got to, if any. */
function failedDeployment(err: unknown): VercelDeployment | undefined {
  return err instanceof VercelDeployError ? err.deployment : undefined;
}

export function reportDeployFailure(ctx: ActionContext, err: unknown): void {
  const d = failedDeployment(err);
  setDeploymentOutputs(ctx, d);
  ctx.setOutput('skipped', false);
  ctx.setOutput('previous-production-deployment-id', '');
  ctx.setOutput('source-digest', '');
  ctx.setOutput('protection-bypass', '');
  ctx.summary.heading('❌ deploy-vercel');
  if (d) ctx.summary.table(['', ''], summaryRows(d, []));
}

const KIND: Record<NonNullable<DeployResult['kind']>, string> = {
  source: 'source, built by Vercel',
  prebuilt: 'prebuilt output (`vercel build`)',
  static: 'static folder',
};

/** What was built from what: the rows both environments show, so staging and production can be compared. */
function buildRows(result: DeployResult, commit: string | undefined): Row[] {
  const rows: Row[] = [];
  if (commit) rows.push(['Commit', commit]);
  if (result.kind) rows.push(['Built from', KIND[result.kind]]);
  if (result.digest) rows.push(['Source digest', `\`${result.digest}\``]);
  const s = result.settings;
  if (s) {
    const settings = [
      `framework ${s.framework ?? '(detected)'}`,
      s.installCommand ? `install \`${s.installCommand}\`` : undefined,
      s.buildCommand ? `build \`${s.buildCommand}\`` : undefined,
      s.outputDirectory ? `output ${s.outputDirectory}` : undefined,
      s.rootDirectory ? `Root Directory ${s.rootDirectory}` : undefined,
    ].filter(Boolean);
    rows.push(['Build settings', settings.join(', ')]);
  }
  if (result.heldBack.length)
    rows.push(['Held back (secrets)', result.heldBack.map((h) => `${h.file} (${h.reason})`).join('<br>')]);
  return rows;
}

export function reportDeploy(
  ctx: ActionContext,
  where: { target: string; staged: boolean; commit?: string; bypassSecret?: string },
  result: DeployResult,
): void {
  const d = result.deployment;
  setDeploymentOutputs(ctx, d, result.assignedAliases);
  ctx.setOutput('skipped', result.skipped);
  ctx.setOutput('previous-production-deployment-id', result.previousProductionId ?? '');
  ctx.setOutput('source-digest', result.digest ?? '');
  ctx.setSecretOutput(
    'protection-bypass',
    where.bypassSecret ? `x-vercel-protection-bypass: ${where.bypassSecret}` : '',
  );

  const target =
    where.target === 'production'
      ? where.staged
        ? 'production (staged: domains unchanged)'
        : 'production'
      : where.target;
  ctx.summary.heading(`✅ deploy-vercel: ${target}`);
  ctx.summary.text(
    result.skipped
      ? `Reused ${d.id}: a READY deployment of this commit, with the same files and settings, already existed (set \`force: true\` to deploy again).`
      : `${result.fileCount} file(s), ${result.uploaded.files} uploaded (${result.uploaded.bytes} bytes); the rest Vercel already had.`,
  );
  ctx.summary.table(
    ['', ''],
    summaryRows(d, [
      ...result.assignedAliases.map((a) => ['Alias', `https://${a}`] as Row),
      ['Previous production', result.previousProductionId ?? '(none)'],
      ...buildRows(result, where.commit),
    ]),
  );
  if (where.staged)
    ctx.summary.text(`Promote it with \`mode: promote\` and \`deployment: ${d.id}\` once the smoke tests pass.`);
}

export function reportReleaseFailure(ctx: ActionContext, mode: string, err: unknown): void {
  setDeploymentOutputs(ctx, failedDeployment(err));
  ctx.setOutput('skipped', false);
  ctx.setOutput('previous-production-deployment-id', '');
  ctx.summary.heading(`❌ deploy-vercel ${mode}`);
}

export function reportRelease(ctx: ActionContext, mode: string, result: ReleaseResult): void {
  const d = result.deployment;
  setDeploymentOutputs(ctx, d);
  ctx.setOutput('skipped', result.unchanged);
  ctx.setOutput('previous-production-deployment-id', result.previousProductionId ?? '');
  ctx.summary.heading(`✅ deploy-vercel ${mode}: ${result.project.name}`);
  ctx.summary.text(
    result.unchanged
      ? `${d.id} already served production: nothing changed.`
      : `Production of **${result.project.name}** moved from ${result.previousProductionId ?? '(none)'} to ${d.id}.`,
  );
  ctx.summary.table(['', ''], summaryRows(d, [['Previous production', result.previousProductionId ?? '(none)']]));
}

/** Set once cleanup starts, so a failure part-way still leaves every output defined. */
export function resetCleanupOutputs(ctx: ActionContext): void {
  ctx.setOutput('deployment-id', '');
  ctx.setOutput('url', '');
  ctx.setOutput('inspector-url', '');
  ctx.setOutput('ready-state', '');
  ctx.setOutput('previous-production-deployment-id', '');
  ctx.setOutput('aliases', []);
  ctx.setOutput('inactive-deployments', []);
  ctx.setOutput('skipped', false);
}

export function reportAliasesRemoved(ctx: ActionContext, removed: RemoveAliasesResult): void {
  ctx.setOutput(
    'aliases',
    removed.removed.map((r) => r.alias),
  );
}

export function reportCleanupFailure(ctx: ActionContext): void {
  ctx.summary.heading('❌ deploy-vercel cleanup');
}

export function reportCleanup(ctx: ActionContext, pr: number | undefined, result: PreviewCleanupResult): void {
  const { aliases: removed, github } = result;
  if (github) ctx.setOutput('inactive-deployments', github.deactivated);
  ctx.setOutput('skipped', !result.changed);

  ctx.summary.heading(`✅ deploy-vercel cleanup: ${removed.project.name}${pr ? ` #${pr}` : ''}`);
  if (!result.changed)
    ctx.summary.text('Nothing left to clean up: the aliases and GitHub deployments were already gone.');
  const rows: Row[] = [
    ...removed.removed.map(
      (r) => ['Alias removed', `${r.alias}${r.deploymentId ? ` (was ${r.deploymentId})` : ''}`] as Row,
    ),
    ...removed.alreadyGone.map((a) => ['Alias already gone', a] as Row),
  ];
  if (github) {
    rows.push(['GitHub deployments marked inactive', github.deactivated.join(', ') || '(none)']);
    if (github.alreadyInactive.length)
      rows.push(['GitHub deployments already inactive', github.alreadyInactive.join(', ')]);
    if (github.warnings.length) rows.push(['Warnings', github.warnings.join('<br>')]);
  }
  if (rows.length) ctx.summary.table(['', ''], rows);
}

export function reportSweep(ctx: ActionContext, result: AliasSweepResult): void {
  const removed = Object.values(result.aliases).flat();
  ctx.setOutput('removed', result.removed.join(','));
  ctx.setOutput('aliases', removed);
  ctx.setOutput('skipped', removed.length === 0);
  const prs = (ns: number[]) => ns.map((n) => `#${n}`).join(', ') || 'none';
  ctx.log.info(
    `Swept: removed the aliases of ${result.removed.length} closed pull request(s) (${prs(result.removed)}), kept ${result.kept.length} of open ones${result.unknown.length ? `, ${result.unknown.length} unread` : ''}`,
  );
  ctx.summary.heading('🧹 deploy-vercel sweep', 3);
  ctx.summary.table(
    ['', 'pull requests'],
    [
      [
        'aliases removed (closed)',
        result.removed.map((n) => `#${n}: ${(result.aliases[n] ?? []).join(', ') || 'already gone'}`).join('<br>') ||
          'none',
      ],
      ['kept (open)', prs(result.kept)],
      ['kept (could not be read)', prs(result.unknown)],
    ],
  );
}
