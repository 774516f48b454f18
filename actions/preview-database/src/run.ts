import type { ActionContext, Inputs } from '@wingman/action-kit';
import { createGitHubClient, pullRequestIsOpen, readGitHubContext } from '@wingman/github';
import {
  PrDatabases,
  type PreviewDatabase,
  type PreviewStore,
  SupabaseBranches,
  sweepPreviews,
} from '@wingman/preview-database';
import { formatDuration, startDeadline } from '@wingman/time';
import type { PreviewKind, previewDatabaseInputs } from './inputs';

type PreviewDatabaseInputs = Inputs<typeof previewDatabaseInputs.spec>;

export async function run(ctx: ActionContext, inputs: PreviewDatabaseInputs, kind: PreviewKind): Promise<void> {
  const gh = readGitHubContext();
  const deadline = startDeadline(inputs.timeout, 'timeout', performance.timeOrigin);
  const store = storeOf(ctx, inputs, kind, gh.owner && gh.repo ? `${gh.owner}/${gh.repo}` : undefined, deadline.signal);
  ctx.setOutput('kind', store instanceof SupabaseBranches ? 'supabase-branch' : 'database');
  try {
    if (inputs.mode === 'sweep') return await sweep(ctx, inputs, store, gh);
    const pr = inputs.pullRequest ?? gh.pullRequest?.number;
    if (!pr)
      throw new Error(
        "input 'pull-request' is required outside a pull_request event: set it to the pull request's number",
      );
    if (inputs.mode === 'delete') {
      const removed = await store.remove(pr);
      ctx.setOutput('removed', removed ? String(pr) : '');
      ctx.summary.heading(`🧹 preview-database: pull request #${pr}`, 3);
      ctx.summary.text(removed ? `Removed the preview database of #${pr}.` : `#${pr} had no preview database.`);
      return;
    }
    const started = Date.now();
    const db = await store.ensure({
      pr,
      gitBranch: gh.pullRequest?.headRef || gh.branch,
      maxPreviews: inputs.maxPreviews,
      deadline: started + deadline.remaining(),
    });
    publish(ctx, db, Date.now() - started);
  } finally {
    await store.close();
  }
}

function storeOf(
  ctx: ActionContext,
  inputs: PreviewDatabaseInputs,
  kind: PreviewKind,
  owner: string | undefined,
  signal: AbortSignal,
): PreviewStore {
  if (kind === 'supabase-branch')
    return new SupabaseBranches({
      accessToken: inputs.supabaseAccessToken!,
      projectRef: inputs.projectRef!,
      apiUrl: inputs.managementApiUrl,
      projectUrl: inputs.branchApiUrl,
      log: ctx.log,
      http: { signal },
    });
  return new PrDatabases({
    serverUrl: inputs.stagingDatabaseUrl!,
    template: inputs.template,
    log: ctx.log,
    owner,
    ownerId: process.env.GITHUB_REPOSITORY_ID,
  });
}

/** Outputs for the later steps of this job; the connection and keys are masked and reach this job only. */
function publish(ctx: ActionContext, db: PreviewDatabase, tookMs: number): void {
  for (const secret of [db.databaseUrl, db.anonKey, db.serviceRoleKey]) ctx.addSecret(secret);
  const password = new URL(db.databaseUrl).password;
  if (password) ctx.addSecret(decodeURIComponent(password));
  ctx.setSecretOutput('database-url', db.databaseUrl);
  if (db.anonKey) ctx.setSecretOutput('anon-key', db.anonKey);
  if (db.serviceRoleKey) ctx.setSecretOutput('service-role-key', db.serviceRoleKey);
  ctx.setOutput('api-url', db.apiUrl ?? '');
  ctx.setOutput('name', db.name);
  ctx.setOutput('created', db.created);
  const what = db.kind === 'supabase-branch' ? `Supabase preview branch ${db.name} (${db.ref})` : `database ${db.name}`;
  ctx.log.info(`${db.created ? 'Created' : 'Reusing'} ${what}; up in ${formatDuration(tookMs)}`);
  ctx.summary.heading(`🗄️ preview-database: ${db.name}`, 3);
  ctx.summary.table(
    ['', ''],
    [
      ['kind', db.kind === 'supabase-branch' ? 'Supabase preview branch' : 'database on the staging server'],
      ['state', db.created ? `created, up in ${formatDuration(tookMs)}` : 'reused from an earlier push'],
      ...(db.apiUrl ? [['API URL', db.apiUrl] as [string, string]] : []),
    ],
  );
}

async function sweep(
  ctx: ActionContext,
  inputs: PreviewDatabaseInputs,
  store: PreviewStore,
  gh: ReturnType<typeof readGitHubContext>,
): Promise<void> {
  if (!inputs.githubToken)
    throw new Error("input 'github-token' is required for mode sweep: pass github.token, to read which PRs are closed");
  const github = createGitHubClient({ token: inputs.githubToken, apiUrl: gh.apiUrl });
  try {
    const repo = { owner: gh.owner, repo: gh.repo };
    const result = await sweepPreviews(store, pullRequestIsOpen(github, repo), ctx.log);
    ctx.setOutput('removed', result.removed.join(','));
    ctx.log.info(
      `Swept: removed ${result.removed.length} (${result.removed.map((n) => `#${n}`).join(', ') || 'none'}), kept ${result.kept.length} of open PRs${result.unknown.length ? `, ${result.unknown.length} unread` : ''}`,
    );
    ctx.summary.heading('🧹 preview-database sweep', 3);
    ctx.summary.table(
      ['', 'pull requests'],
      [
        ['removed (closed)', result.removed.map((n) => `#${n}`).join(', ') || 'none'],
        ['kept (open)', result.kept.map((n) => `#${n}`).join(', ') || 'none'],
        ['kept (could not be read)', result.unknown.map((n) => `#${n}`).join(', ') || 'none'],
      ],
    );
  } finally {
    await github.close();
  }
}
