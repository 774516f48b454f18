import type { ActionContext } from '@wingman/action-kit';
import type { MigrateResult } from '@wingman/migrations';

export function writeReport(ctx: ActionContext, result: MigrateResult, failure?: Error): void {
  ctx.setOutput('applied', result.applied.length);
  ctx.setOutput('applied-versions', result.applied);
  ctx.setOutput('reverted-versions', result.reverted);
  ctx.setOutput('pending', result.pending);
  ctx.setOutput('current-version', result.currentVersion ?? '');
  ctx.setOutput('duration-ms', result.durationMs);
  ctx.setOutput('lint-findings', result.lint ?? []);

  const s = ctx.summary;
  const verb = result.direction === 'up' ? 'applied' : 'reverted';
  const count = result.direction === 'up' ? result.applied.length : result.reverted.length;
  s.heading(`${failure ? '❌' : '✅'} run-migrations${result.dryRun ? ' (dry run: nothing changed)' : ''}`);
  s.text(
    result.dryRun
      ? `Plan: ${result.files.length} migration(s) to ${result.direction === 'up' ? 'apply' : 'revert'}.`
      : `${count} migration(s) ${verb} in ${result.durationMs} ms; ${result.pending} pending; database at version ${result.currentVersion ?? '(none)'}.`,
  );
  if (result.files.length)
    s.table(
      ['version', 'name', 'file', 'statements', 'duration', 'status'],
      result.files.map((f) => [
        f.version,
        f.name,
        f.file,
        f.statements,
        f.durationMs === undefined ? '' : `${f.durationMs} ms`,
        f.note ? `${f.status} (${f.note})` : f.status,
      ]),
    );
  if (result.lint?.length)
    s.heading('Migration lint', 3).table(
      ['level', 'rule', 'where', 'finding', 'safe alternative'],
      result.lint.map((f) => [
        f.allowed ? `allowed: ${f.allowed}` : f.level,
        f.rule,
        `${f.file}:${f.line}`,
        f.message,
        f.safe,
      ]),
    );
  else if (result.lint) s.text('Migration lint: no hazard in the pending migrations.');
  if (result.baselined)
    s.text(
      `Baseline: the schema is what the migrations up to ${result.currentVersion} build; ${result.baselined.length} migration(s) ${result.dryRun ? 'would be recorded' : 'recorded'} as applied without running.`,
    );
  if (result.repaired)
    s.text(
      `History repair: ${result.repaired.versions.join(', ')} ${result.dryRun ? 'would be marked' : 'marked'} ${result.repaired.status} in supabase_migrations.schema_migrations; no migration ran.`,
    );
  if (result.bootstrap)
    s.text(
      `Supabase shape (bootstrap: supabase): ${result.bootstrap === 'applied' ? 'given to the database before the migrations' : 'would be given (dry run)'}.`,
    );
  if (result.seedSource)
    s.text(
      `Seeds (from ${result.seedSource}): ${result.seeds?.length ? result.seeds.map((x) => `${x.file} ${x.status}`).join('; ') : 'none'}.`,
    );
  if (result.warnings.length) s.heading('Warnings', 3).list(result.warnings);
}

/**
 * The lint's findings where a PR shows them: a SARIF file for code scanning, and on pull_request
 * events a PR comment edited in place. Neither fails the step (the migrations are in by then): a
 * problem with either is a warning, and the annotations already carry the findings.
 */
export async function reportLint(
  ctx: ActionContext,
  result: MigrateResult,
  o: { sarifFile?: string; githubToken?: string },
): Promise<void> {
  if (!result.lint) return;
  const { lintComment, lintSarif, LINT_COMMENT_MARKER } = await import('@wingman/migration-lint');
  if (o.sarifFile) {
    const { writeSarif } = await import('@wingman/sarif');
    const log = lintSarif(result.lint, {
      version: '1',
      informationUri: 'https://github.com/wingman-deploy/wingman-deploy/tree/main/actions/run-migrations',
    });
    await writeSarif(o.sarifFile, log, 'lint-sarif-file').catch((err: Error) => ctx.log.warning(err.message));
  }
  if (!o.githubToken) return;
  const { createGitHubClient, readGitHubContext } = await import('@wingman/github');
  const gh = readGitHubContext();
  const pr = gh.pullRequest;
  if (!pr) return;
  const github = createGitHubClient({ token: o.githubToken, apiUrl: gh.apiUrl });
  try {
    const body = lintComment(result.lint, { runUrl: gh.runUrl, files: result.files.length });
    const { created, comment } = await github.upsertIssueComment(
      { owner: gh.owner, repo: gh.repo },
      pr.number,
      LINT_COMMENT_MARKER,
      body,
    );
    ctx.log.info(`${created ? 'commented on' : 'updated the comment on'} #${pr.number}: ${comment.html_url}`);
  } catch (err) {
    ctx.log.warning(`could not comment the migration lint on pull request #${pr.number}: ${(err as Error).message}`);
  } finally {
    await github.close();
  }
}
