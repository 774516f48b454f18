// deploy: hash what goes up (a prebuilt output, a static folder asked for as such, or the app's source
// for Vercel to build), create the deployment, upload only what Vercel lacks, wait for the real outcome,
// assign aliases. A READY deployment of the same commit, files and settings is reused unless `force`.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { HttpError, NetworkError } from '@wingman/http';
import type { Log } from '@wingman/log';
import {
  type CreateDeploymentBody,
  MissingFilesError,
  type PreparedFile,
  type VercelApi,
  type VercelDeployment,
  type VercelProject,
} from './api';
import {
  type BuildOverrides,
  type BuildSettings,
  buildSettings,
  checkBuildSetup,
  normalizeRoot,
} from './build-settings';
import { type CollectedFiles, collectOutput, collectSource, OutputDirError, type ShippingKind } from './files';
import { type UploadResult, uploadMissing } from './upload';
import {
  assertSucceeded,
  BuildLogTail,
  type Clock,
  https,
  type PollOptions,
  VercelDeployError,
  waitForDeployment,
} from './wait';

export interface GitInfo {
  sha?: string;
  branch?: string;
  commitMessage?: string;
  owner?: string;
  repo?: string;
  prNumber?: number;
  actor?: string;
  serverUrl?: string;
  repoVisibility?: string;
}

export interface DeployOptions {
  api: VercelApi;
  projectId: string;
  /** preview, production, or a custom environment's slug or id. */
  target: string;
  /** Production without taking the domains (autoAssignCustomDomains: false) until promote. */
  staged?: boolean;
  /** A built output: `vercel build`'s .vercel/output, or with `static` a plain folder. Empty: build `source`. */
  outputDir?: string;
  /** Publish outputDir as a plain static site (never implied). */
  static?: boolean;
  /** The folder Vercel builds from when there is no built output (the repository root for monorepos). Default '.'. */
  source?: string;
  /** Per-deployment overrides of the project's build settings (source builds). */
  buildOverrides?: BuildOverrides;
  /** Runtime environment variables of this deployment. */
  env?: Record<string, string>;
  /** Build-time environment variables of this deployment. */
  buildEnv?: Record<string, string>;
  /** Refuse to deploy unless the files hash to this digest (production builds what staging built). */
  expectSourceDigest?: string;
  /** A Protection Bypass for Automation secret the project must know. */
  bypassSecret?: string;
  force?: boolean;
  uploadConcurrency?: number;
  timeoutMs: number;
  /** Final hostnames (templates already rendered). */
  aliases?: string[];
  git?: GitInfo;
  log: Log;
  poll?: PollOptions;
  clock?: Clock;
}

export interface DeployResult {
  deployment: VercelDeployment;
  project: VercelProject;
  /** A READY deployment of this commit and target was reused. */
  skipped: boolean;
  previousProductionId?: string;
  kind?: ShippingKind;
  /** The digest of the files deployed (also on a reused deployment). */
  digest?: string;
  /** Files left out because they hold secrets. */
  heldBack: { file: string; reason: string }[];
  /** Source builds: the settings Vercel builds with, and what says how to build. */
  settings?: BuildSettings;
  buildSetup?: string;
  fileCount: number;
  bytes: number;
  hashMs?: number;
  uploaded: UploadResult;
  /** Aliases this step assigned. */
  assignedAliases: string[];
}

const MAX_CREATE_ROUNDS = 3;

/** Explains the errors every Vercel call can meet in terms of the inputs to change. */
export function explainVercelError(err: unknown, projectId: string, teamId: string | undefined): unknown {
  if (!(err instanceof HttpError) || err instanceof MissingFilesError) return err;
  const team = teamId ? `team ${teamId}` : 'the personal account of the token (no team-id)';
  if (err.status === 403 && (err.body as { error?: { invalidToken?: boolean } })?.error?.invalidToken) {
    return new Error(
      `Vercel refused the token (403 invalid token): check the 'token' input (a Vercel access token with access to ${team})`,
    );
  }
  if (err.status === 403) {
    return new Error(
      `Vercel refused access to ${team} (403 ${err.providerMessage ?? 'forbidden'}): check 'team-id' and that the token's user is a member of that team`,
    );
  }
  if (err.status === 404 && /\/v9\/projects\//.test(err.path)) {
    return new Error(
      `Vercel project '${projectId}' was not found in ${team}: check 'project-id' (prj_… from the project's settings) and 'team-id'`,
    );
  }
  return err;
}

/** The deployment a dropped create made, if it made one (then its full record), else undefined to create again. */
async function findCreated(
  api: VercelApi,
  projectId: string,
  createId: string,
  log: Log,
): Promise<VercelDeployment | undefined> {
  const [made] = await api.listDeployments({ projectId, limit: 5, 'meta-wingmanCreateId': createId });
  if (made) {
    log.warning(
      `The connection dropped while creating the deployment, after Vercel had created it: following ${made.uid}`,
    );
    return api.getDeployment(made.uid);
  }
  log.warning(
    'The connection dropped while creating the deployment and Vercel has none from this attempt: creating it again',
  );
  return undefined;
}

function gitMeta(git: GitInfo | undefined, target: string, staged: boolean): Record<string, string> {
  const meta: Record<string, string> = { wingmanTarget: target };
  if (staged) meta.wingmanStaged = 'true';
  if (!git) return meta;
  if (git.sha) meta.githubCommitSha = git.sha;
  if (git.branch) meta.githubCommitRef = git.branch;
  if (git.owner) meta.githubOrg = git.owner;
  if (git.repo) meta.githubRepo = git.repo;
  if (git.prNumber !== undefined) meta.githubPrId = String(git.prNumber);
  if (git.commitMessage) meta.githubCommitMessage = git.commitMessage.split('\n')[0]!.slice(0, 200);
  if (git.actor) meta.githubCommitAuthorLogin = git.actor;
  return meta;
}

function gitMetadata(git: GitInfo | undefined): Record<string, unknown> | undefined {
  if (!git?.sha) return undefined;
  return {
    commitSha: git.sha,
    commitRef: git.branch,
    commitMessage: git.commitMessage?.split('\n')[0],
    remoteUrl: git.owner && git.repo ? `${git.serverUrl ?? 'https://github.com'}/${git.owner}/${git.repo}` : undefined,
    dirty: false,
    ci: true,
    ciType: 'github-actions',
    ciGitProviderUsername: git.actor,
    ciGitRepoVisibility: git.repoVisibility,
  };
}

const isPreview = (t: string) => t === 'preview';

/** A READY deployment of this commit for this target (and staging mode) that can stand in for a new one. */
async function findReusable(
  api: VercelApi,
  project: VercelProject,
  target: string,
  staged: boolean,
  sha: string,
  digests: Record<string, string>,
): Promise<VercelDeployment | undefined> {
  const list = await api.listDeployments({
    projectId: project.id,
    target: isPreview(target) ? undefined : target,
    state: 'READY',
    limit: 20,
    'meta-githubCommitSha': sha,
  });
  const current = project.targets?.production?.id;
  const match = list.find((d) => {
    if (d.meta?.githubCommitSha !== sha || (d.state ?? d.readyState) !== 'READY') return false;
    if ((d.meta?.wingmanTarget ?? (d.target === 'production' ? 'production' : 'preview')) !== target) return false;
    if ((d.meta?.wingmanStaged === 'true') !== staged) return false;
    // The same files, environment and settings: a rebuild with other ones is a different deployment.
    if (Object.entries(digests).some(([k, v]) => d.meta?.[k] !== v)) return false;
    // A production deployment only counts while it still serves production (not after a rollback or newer deploy).
    if (target === 'production' && !staged) return d.uid === current;
    return true;
  });
  if (!match) return undefined;
  const full = await api.getDeployment(match.uid);
  return full.readyState === 'READY' && !full.aliasError ? full : undefined;
}

function checkPrebuilt(out: CollectedFiles, outputDir: string, target: string): void {
  const b = out.builds;
  const buildError = b?.error ?? b?.builds?.find((x) => x.error)?.error;
  if (buildError) {
    throw new Error(
      `${outputDir}/builds.json records a failed \`vercel build\`: ${buildError.message ?? 'unknown error'}; fix the build before deploying`,
    );
  }
  if (b?.target && b.target !== target) {
    throw new Error(
      `${outputDir} was built for target "${b.target}" but this step deploys to "${target}": run \`vercel build${target === 'production' ? ' --prod' : b.target === 'production' ? '' : ` --target ${target}`}\` for the same target, or set 'target' to "${b.target}"`,
    );
  }
}

/** What the step sends, before anything is created: the files by kind, and for a source build its settings. */
async function collect(
  options: DeployOptions,
  project: VercelProject,
  log: Log,
): Promise<{ out: CollectedFiles; settings?: BuildSettings; buildSetup?: string }> {
  const outputDir = options.outputDir || '';
  if (options.static) {
    if (!outputDir)
      throw new OutputDirError("static: true publishes output-dir as it is: set output-dir to the site's folder");
    return { out: await collectOutput(outputDir, { static: true }) };
  }
  if (outputDir) return { out: await collectOutput(outputDir) };
  // Nothing named: `vercel build`'s output where the CLI writes it, else Vercel builds the source.
  if (existsSync('.vercel/output/config.json')) return { out: await collectOutput('.vercel/output') };
  const source = options.source || '.';
  const settings = buildSettings(project, options.buildOverrides);
  const buildSetup = checkBuildSetup(source, project, settings);
  log.info(
    `no built output (.vercel/output): Vercel builds ${source}${settings.rootDirectory ? ` (Root Directory ${settings.rootDirectory})` : ''} with its ${buildSetup}`,
  );
  return { out: await collectSource(source), settings, buildSetup };
}

const describeKind: Record<ShippingKind, string> = {
  prebuilt: 'prebuilt Build Output API',
  static: 'static site, wrapped as .vercel/output/static',
  source: 'source for Vercel to build',
};

/** A short digest of what else makes two deployments of the same files differ. */
function configDigest(options: DeployOptions, settings: BuildSettings | undefined): string {
  const sorted = (o: Record<string, string> | undefined) =>
    Object.entries(o ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  const json = JSON.stringify([sorted(options.env), sorted(options.buildEnv), settings ?? null]);
  return createHash('sha256').update(json).digest('hex').slice(0, 32);
}

function checkBypassSecret(project: VercelProject, secret: string | undefined): void {
  if (!secret || !project.protectionBypass) return;
  if (!Object.hasOwn(project.protectionBypass, secret)) {
    throw new Error(
      `input 'bypass-secret' is not a Protection Bypass for Automation secret of project ${project.name}: copy one from the project's Settings → Deployment Protection`,
    );
  }
}

export async function deploy(options: DeployOptions): Promise<DeployResult> {
  const { api, log, target } = options;
  const staged = options.staged ?? false;
  if (staged && target !== 'production') {
    throw new Error(
      `input 'staged' applies to target production only (got target "${target}"): remove 'staged' or set target: production`,
    );
  }
  let project: VercelProject;
  try {
    project = await api.getProject(options.projectId);
  } catch (err) {
    throw explainVercelError(err, options.projectId, api.teamId);
  }
  checkBypassSecret(project, options.bypassSecret);
  const previousProductionId = project.targets?.production?.id ?? undefined;
  const sha = options.git?.sha;
  const none: UploadResult = { files: 0, bytes: 0 };

  const { out, settings, buildSetup } = await log.group('Files', async () => {
    const c = await collect(options, project, log);
    const o = c.out;
    log.info(
      `${o.files.length} file(s) from ${o.root}, ${o.bytes} bytes, hashed in ${Math.round(o.hashMs)} ms (${describeKind[o.kind]}); digest ${o.digest}`,
    );
    for (const h of o.heldBack) log.warning(`held back ${h.file}: ${h.reason} is never uploaded`);
    return c;
  });
  if (out.kind === 'prebuilt') checkPrebuilt(out, options.outputDir || '.vercel/output', target);
  if (options.expectSourceDigest && options.expectSourceDigest !== out.digest) {
    throw new Error(
      `the files to deploy hash to ${out.digest}, not ${options.expectSourceDigest} (expect-source-digest, what the earlier environment built): deploy the same commit with the same ignore rules, or deploy the earlier environment again`,
    );
  }
  const digests = { wingmanSourceDigest: out.digest, wingmanConfigDigest: configDigest(options, settings) };
  const described = { kind: out.kind, digest: out.digest, heldBack: out.heldBack, settings, buildSetup };

  if (sha && !options.force) {
    const reused = await findReusable(api, project, target, staged, sha, digests);
    if (reused) {
      log.info(
        `Reusing ${reused.id} (${https(reused.url)}): it is a READY ${target}${staged ? ' (staged)' : ''} deployment of ${sha.slice(0, 7)} with the same files and settings; set force: true to deploy again`,
      );
      const assignedAliases = await assignAliases(api, reused, options.aliases ?? [], log);
      return {
        deployment: reused,
        project,
        skipped: true,
        previousProductionId,
        ...described,
        fileCount: 0,
        bytes: 0,
        uploaded: none,
        assignedAliases,
      };
    }
  }

  // A built output's paths are relative to the repository root, as `vercel deploy --prebuilt` sends them
  // for a project with a Root Directory: Vercel looks for <rootDirectory>/.vercel/output. A source upload
  // is the repository root itself, and projectSettings.rootDirectory names the app in it.
  const projectRoot = normalizeRoot(project.rootDirectory);
  const root = out.kind !== 'source' && projectRoot ? `${projectRoot}/` : '';
  if (root)
    log.info(
      `project ${project.name} has Root Directory ${project.rootDirectory}: files go under ${root}.vercel/output`,
    );
  const files: PreparedFile[] = out.files.map((f) => ({
    file: `${root}${f.file}`,
    sha: f.sha,
    size: f.size,
    mode: f.mode,
  }));
  const body: CreateDeploymentBody = {
    name: project.name,
    project: project.id,
    files,
    target: target === 'production' ? 'production' : undefined,
    customEnvironmentSlugOrId: target !== 'production' && !isPreview(target) ? target : undefined,
    // wingmanCreateId finds this create again when the connection drops before Vercel's answer.
    meta: { ...gitMeta(options.git, target, staged), ...digests, wingmanCreateId: randomUUID() },
    gitMetadata: gitMetadata(options.git),
    projectSettings: settings ? { ...settings } : undefined,
    env: options.env && Object.keys(options.env).length ? options.env : undefined,
    build: options.buildEnv && Object.keys(options.buildEnv).length ? { env: options.buildEnv } : undefined,
    // Left out unless staged, so the project's own setting applies.
    autoAssignCustomDomains: staged ? false : undefined,
  };

  const uploaded: UploadResult = { files: 0, bytes: 0 };
  let created: VercelDeployment | undefined;
  for (let round = 1; !created; round++) {
    try {
      created = await api.createDeployment(body, { forceNew: options.force });
    } catch (err) {
      if (err instanceof NetworkError && round < MAX_CREATE_ROUNDS) {
        // POST /v13/deployments is not idempotent: did Vercel create it before the connection dropped?
        created = await findCreated(api, project.id, body.meta!.wingmanCreateId!, log);
        continue;
      }
      if (!(err instanceof MissingFilesError)) throw explainVercelError(err, options.projectId, api.teamId);
      if (round >= MAX_CREATE_ROUNDS) {
        throw new Error(
          `Vercel still reports ${err.missing.length} missing file(s) after uploading them ${round - 1} time(s): check that 'team-id' is the project's team (files are stored per team)`,
        );
      }
      const unique = new Set(files.map((f) => f.sha)).size;
      const r = await log.group(`Uploading ${err.missing.length} of ${unique} file(s) Vercel lacks`, () =>
        uploadMissing(api, out.files, err.missing, { concurrency: options.uploadConcurrency ?? 8, log }),
      );
      uploaded.files += r.files;
      uploaded.bytes += r.bytes;
      log.info(`uploaded ${r.files} file(s), ${r.bytes} bytes`);
    }
  }
  if (uploaded.files === 0) log.info('Vercel already had every file: nothing uploaded');
  log.info(
    `created ${created.id}: ${https(created.url)}${created.inspectorUrl ? ` (inspect: ${created.inspectorUrl})` : ''}`,
  );

  const tail = new BuildLogTail();
  const finished = await waitForDeployment(api, created, {
    timeoutMs: options.timeoutMs,
    log,
    clock: options.clock,
    tail,
    ...options.poll,
  });
  assertSucceeded(finished, tail, log);
  const assignedAliases = await assignAliases(api, finished, options.aliases ?? [], log);
  return {
    deployment: finished,
    project,
    skipped: false,
    previousProductionId,
    ...described,
    fileCount: files.length,
    bytes: out.bytes,
    hashMs: out.hashMs,
    uploaded,
    assignedAliases,
  };
}

/** POST /v2/deployments/{dpl_id}/aliases for each alias: by the deployment id, never its hostname. */
export async function assignAliases(
  api: VercelApi,
  d: VercelDeployment,
  aliases: string[],
  log: Log,
): Promise<string[]> {
  if (aliases.length === 0) return [];
  return log.group(`Aliases for ${d.id}`, async () => {
    const done: string[] = [];
    for (const alias of aliases) {
      try {
        const res = await api.assignAlias(d.id, alias);
        log.info(`https://${alias} → ${https(d.url)}${res.oldDeploymentId ? ` (was ${res.oldDeploymentId})` : ''}`);
        done.push(alias);
      } catch (err) {
        const reason =
          err instanceof HttpError
            ? `${err.code ?? err.status}: ${err.providerMessage ?? err.message}`
            : (err as Error).message;
        throw new VercelDeployError(
          `alias ${alias} could not be assigned to ${d.id}: ${reason}; check the 'aliases' input and the domain's settings`,
          d,
        );
      }
    }
    return done;
  });
}
