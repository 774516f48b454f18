// A local runner that runs workflows the way GitHub does, as far as its documentation says:
// - each job starts on a fresh runner with an empty workspace; actions/checkout fills it;
// - `uses: ./path` resolves in that workspace (the caller's checkout, also inside a called workflow),
//   `$/path` in the repository and commit of the workflow file that contains it, and
//   `owner/repo/path@ref` in the registered repositories;
// - repository secrets and variables apart from environment ones; a job sees an environment's
//   secrets only when it references it, and the environment's value wins; `secrets: inherit` passes
//   the caller's secrets, an explicit mapping only what it names; an unknown secret is '';
// - each job that references an environment with required reviewers waits for its own approval and
//   creates its own deployment record; a deployment-branch policy refuses other branches;
// - workflows are read and expressions evaluated with GitHub's own libraries (./expressions).
// Node actions run from their committed bundles through the runner protocol (testkit's runAction).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { type ActionResult, parseActionMetadata, parseFileCommand, runAction } from '@wingman/testkit';
import {
  type ExpressionContext,
  evaluate,
  evaluateCondition,
  evaluateStrings,
  stringify,
  type Template,
  type Value,
} from './expressions';
import {
  actionFileIn,
  branchAllowed,
  type ConcurrencySetting,
  missingLocalAction,
  Repositories,
  type Repository,
  type RepositorySettings,
} from './github-model';
import { type JobDoc, readWorkflow, type TemplateMap, type WorkflowDoc } from './workflow-file';

export type JobResult = 'success' | 'failure' | 'skipped' | 'cancelled';

export interface StepRecord {
  job: string;
  /** The step's `id:`, when it has one. */
  id?: string;
  step: string;
  action?: string;
  result: JobResult;
  outputs: Record<string, string>;
  summary: string;
  durationMs: number;
  /** Why the step failed when it never ran an action (the runner's own message). */
  error?: string;
  detail?: ActionResult;
}

const isTemplateMap = (t: Template) => t !== null && typeof t === 'object' && !Array.isArray(t) && !('expression' in t);

/** A node action step whose action.yml has runs.post: what its post step needs at the job's end. */
interface PostStep {
  label: string;
  action: string;
  actionDir: string;
  state: Record<string, string>;
  postIf?: string;
  /** The step's with: and env:, evaluated again when the post step runs (as the runner does). */
  templates: { with: unknown; env: unknown };
}

export interface DeploymentRecord {
  environment: string;
  job: string;
  url: string;
}

export interface RunReport {
  /** Approval prompts per environment, in the order they were asked. */
  approvals: { environment: string; job: string }[];
  deployments: DeploymentRecord[];
  /** Jobs that started a runner (reusable-workflow calls and skipped jobs start none). */
  runnerStarts: string[];
  /** Concurrency groups the run's workflows entered. */
  concurrency: (ConcurrencySetting & { workflow: string })[];
}

export interface WorkflowRun {
  jobs: Record<string, { result: JobResult; outputs: Record<string, string> }>;
  outputs: Record<string, string>;
  steps: StepRecord[];
  report: RunReport;
}

export type RunEvent =
  | { kind: 'approval'; job: string; environment: string; approved: boolean }
  | { kind: 'job-start'; job: string }
  | { kind: 'job-end'; job: string; result: JobResult }
  | { kind: 'step'; job: string; record: StepRecord };

export type StandIn = (
  with_: Record<string, string>,
  job: JobContext,
) => Promise<Record<string, string>> | Record<string, string>;

export interface JobContext {
  name: string;
  workspace: string;
  repositories: Repositories;
  github: Record<string, Value>;
}

/** A service container stood in for by a local process; returns host ports by container port. */
export type ServiceStandIn = (
  service: { image: string; env: Record<string, string>; ports: string[] },
  job: string,
) => Promise<{ ports: Record<string, string>; stop(): Promise<void> }>;

export interface RunnerOptions {
  repositories: Repository[];
  /** owner/name of the repository whose workflow runs: its settings apply, github.repository names it. */
  repository: string;
  settings: RepositorySettings;
  /** The github context (event_name, event, sha, ref, actor …); repository is filled in. */
  github: Record<string, Value>;
  /** Extra environment for every action (tool caches, simulator URLs the actions read from env). */
  env?: Record<string, string>;
  /** Third-party actions by owner/name (actions/checkout is built in). */
  standIns?: Record<string, StandIn>;
  /** Service containers by image name (without tag). */
  services?: Record<string, ServiceStandIn>;
  /** A reviewer's answer to each approval prompt; default: approve. */
  approve?: (environment: string, job: string) => boolean;
  onEvent?: (event: RunEvent) => void;
  /** The token GitHub puts in secrets.GITHUB_TOKEN / github.token. */
  githubToken?: string;
}

export class WorkflowError extends Error {
  override name = 'WorkflowError';
}

interface WorkflowLocation {
  repository: Repository;
  /** The ref the workflow was referenced by (v1, a sha, refs/heads/main). */
  ref: string;
  path: string;
}

const asRecord = (v: Value | undefined): Record<string, Value> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, Value>) : {};

function order(jobs: JobDoc[]): JobDoc[] {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const done: JobDoc[] = [];
  const visit = (j: JobDoc, path: string[]) => {
    if (done.includes(j)) return;
    if (path.includes(j.id)) throw new WorkflowError(`jobs ${[...path, j.id].join(' → ')} need each other in a cycle`);
    for (const n of j.needs) {
      const dep = byId.get(n);
      if (!dep) throw new WorkflowError(`job '${j.id}' needs '${n}', which does not exist`);
      visit(dep, [...path, j.id]);
    }
    done.push(j);
  };
  for (const j of jobs) visit(j, []);
  return done;
}

/** Files of a snapshot, without what git would not have (dependencies, scratch). */
const SKIP = new Set(['node_modules', '.git', '.tmp', 'scratch']);

export class WorkflowRunner {
  readonly repositories: Repositories;
  private readonly token: string;

  constructor(private readonly options: RunnerOptions) {
    this.repositories = new Repositories(options.repositories);
    this.token = options.githubToken ?? 'ghs_rehearsalInstallationToken000000000000';
  }

  private get caller(): Repository {
    const repo = this.repositories.get(this.options.repository);
    if (!repo) throw new WorkflowError(`repository ${this.options.repository} is not registered`);
    return repo;
  }

  /** Runs a workflow of the caller repository (path inside it) for the event in options.github. */
  async run(path: string, inputs: Record<string, Value> = {}): Promise<WorkflowRun> {
    const report: RunReport = { approvals: [], deployments: [], runnerStarts: [], concurrency: [] };
    const location = { repository: this.caller, ref: stringify(this.options.github.ref ?? this.caller.sha), path };
    const secrets = { ...this.options.settings.secrets, GITHUB_TOKEN: this.token };
    return this.runWorkflow(location, inputs, secrets, '', report, true);
  }

  private async load(location: WorkflowLocation): Promise<WorkflowDoc> {
    const file = join(location.repository.root, location.path);
    if (!existsSync(file))
      throw new WorkflowError(`${location.repository.name}/${location.path}@${location.ref}: no such workflow file`);
    const doc = await readWorkflow(location.path, readFileSync(file, 'utf8'));
    if (doc.errors.length)
      throw new WorkflowError(`${location.repository.name}/${location.path}: ${doc.errors.join('; ')}`);
    return doc;
  }

  private github(): Record<string, Value> {
    return {
      repository: this.options.repository,
      repository_owner: this.options.repository.split('/')[0]!,
      token: this.token,
      server_url: 'https://github.com',
      api_url: 'https://api.github.com',
      ...this.options.github,
    };
  }

  private async runWorkflow(
    location: WorkflowLocation,
    inputs: Record<string, Value>,
    secrets: Record<string, string>,
    prefix: string,
    report: RunReport,
    topLevel: boolean,
  ): Promise<WorkflowRun> {
    const doc = await this.load(location);
    const on = asRecord(doc.raw.on as Value);
    const trigger = asRecord((topLevel ? (on.workflow_dispatch ?? on.workflow_call) : on.workflow_call) as Value);
    if (!topLevel && !('workflow_call' in on))
      throw new WorkflowError(`${location.path} is not a reusable workflow (no on.workflow_call)`);
    const declared = asRecord(trigger.inputs ?? null) as Record<string, Record<string, Value>>;
    const resolvedInputs: Record<string, Value> = {};
    for (const [name, spec] of Object.entries(declared)) {
      const given = inputs[name];
      const value = given ?? spec.default ?? null;
      if ((value === null || value === '') && spec.required && given === undefined)
        throw new WorkflowError(`${location.path}: input required and not supplied: ${name}`);
      resolvedInputs[name] =
        spec.type === 'boolean'
          ? value === true || value === 'true'
          : spec.type === 'number'
            ? Number(value ?? 0)
            : stringify(value);
    }
    for (const name of Object.keys(inputs))
      if (!(name in declared))
        throw new WorkflowError(`${location.path}: Invalid input, ${name} is not defined in the referenced workflow.`);

    const github = this.github();
    const baseCtx = (status: ExpressionContext['status'], extra: Record<string, Value> = {}): ExpressionContext => ({
      contexts: { github, inputs: resolvedInputs, vars: this.options.settings.vars, ...extra },
      status,
    });
    if (doc.raw.concurrency !== undefined) {
      const c = evaluate(doc.raw.concurrency as Template, baseCtx('success'));
      const setting = typeof c === 'string' ? { group: c } : asRecord(c);
      report.concurrency.push({
        workflow: `${location.repository.name}/${location.path}`,
        group: stringify(setting.group ?? ''),
        cancelInProgress: setting['cancel-in-progress'] === true,
        queue: setting.queue === 'max' ? 'max' : 'single',
      });
    }

    const run: WorkflowRun = { jobs: {}, outputs: {}, steps: [], report };
    const workflowEnv = doc.raw.env as Template | undefined;
    const jobs = order(doc.jobs);
    const ancestorsOf = (job: JobDoc): Set<string> => {
      const out = new Set<string>();
      const visit = (j: JobDoc) => {
        for (const n of j.needs)
          if (!out.has(n)) {
            out.add(n);
            visit(jobs.find((x) => x.id === n)!);
          }
      };
      visit(job);
      return out;
    };
    for (const job of jobs) {
      const name = `${prefix}${job.id}`;
      const needs = Object.fromEntries(job.needs.map((n) => [n, run.jobs[n]!])) as unknown as Value;
      const results = [...ancestorsOf(job)].map((a) => run.jobs[a]!.result);
      const status: ExpressionContext['status'] = results.includes('failure')
        ? 'failure'
        : results.includes('cancelled')
          ? 'cancelled'
          : job.needs.some((n) => run.jobs[n]!.result === 'skipped')
            ? 'skipped'
            : 'success';
      const ctx = baseCtx(status, { needs, secrets });
      if (!evaluateCondition(job.if, ctx)) {
        run.jobs[job.id] = { result: 'skipped', outputs: {} };
        this.options.onEvent?.({ kind: 'job-end', job: name, result: 'skipped' });
        continue;
      }
      if (job.uses) {
        run.jobs[job.id] = await this.callWorkflow(job, location, ctx, secrets, `${name} / `, report, run);
        continue;
      }
      run.jobs[job.id] = await this.runJob(name, job, location, ctx, workflowEnv, report, run);
    }
    const outputs = asRecord(trigger.outputs ?? null) as Record<string, Record<string, Template>>;
    const jobsCtx = run.jobs as unknown as Value;
    for (const [k, out] of Object.entries(outputs))
      run.outputs[k] = stringify(evaluate(out.value, baseCtx('success', { jobs: jobsCtx })));
    return run;
  }

  private async callWorkflow(
    job: JobDoc,
    location: WorkflowLocation,
    ctx: ExpressionContext,
    secrets: Record<string, string>,
    prefix: string,
    report: RunReport,
    parent: WorkflowRun,
  ): Promise<{ result: JobResult; outputs: Record<string, string> }> {
    const uses = job.uses!;
    let target: WorkflowLocation;
    if (uses.startsWith('./') || uses.startsWith('$/')) {
      // Local reusable workflows come from the same repository and commit as the caller's file.
      target = { repository: location.repository, ref: location.ref, path: uses.slice(2) };
    } else {
      const m = /^([^/]+\/[^/]+)\/(.+)@(.+)$/.exec(uses);
      if (!m) throw new WorkflowError(`job '${job.id}': invalid workflow reference '${uses}'`);
      const repo = this.repositories.resolve(m[1]!, m[3]!);
      if (typeof repo === 'string') throw new WorkflowError(`job '${job.id}': ${repo}`);
      target = { repository: repo, ref: m[3]!, path: m[2]! };
    }
    const with_ = asRecord(evaluate(job.raw.with as Template, ctx));
    let passed: Record<string, string>;
    if (job.raw.secrets === 'inherit') passed = { ...secrets };
    else {
      passed = evaluateStrings(job.raw.secrets as Template, ctx);
      const callee = await this.load(target);
      const declared = asRecord(asRecord(asRecord(callee.raw.on as Value).workflow_call).secrets ?? null);
      for (const k of Object.keys(passed))
        if (!(k in declared))
          throw new WorkflowError(`job '${job.id}': Invalid secret, ${k} is not defined in the referenced workflow.`);
      for (const [k, spec] of Object.entries(declared))
        if (asRecord(spec).required === true && !passed[k])
          throw new WorkflowError(`job '${job.id}': Secret ${k} is required, but not provided while calling.`);
      passed.GITHUB_TOKEN = this.token;
    }
    const inner = await this.runWorkflow(target, with_, passed, prefix, report, false);
    parent.steps.push(...inner.steps);
    const results = Object.values(inner.jobs).map((j) => j.result);
    const result: JobResult = results.includes('failure')
      ? 'failure'
      : results.includes('cancelled')
        ? 'cancelled'
        : 'success';
    return { result, outputs: inner.outputs };
  }

  private async runJob(
    name: string,
    job: JobDoc,
    location: WorkflowLocation,
    jobCtx: ExpressionContext,
    workflowEnv: Template | undefined,
    report: RunReport,
    run: WorkflowRun,
  ): Promise<{ result: JobResult; outputs: Record<string, string> }> {
    const settings = this.options.settings;
    // Environment: approval, branch policy, its secrets and variables.
    let environment: { name: string; url?: Template; deployment: boolean } | undefined;
    if (job.raw.environment !== undefined) {
      const raw = job.raw.environment;
      const isMap = raw !== null && typeof raw === 'object' && !Array.isArray(raw) && !('expression' in raw);
      const envName = stringify(evaluate(isMap ? (raw as TemplateMap).name : raw, jobCtx));
      environment = {
        name: envName,
        url: isMap ? (raw as TemplateMap).url : undefined,
        deployment: !(isMap && (raw as TemplateMap).deployment === false),
      };
    }
    const envSettings = environment ? settings.environments[environment.name] : undefined;
    const secrets = { ...(jobCtx.contexts.secrets as Record<string, string>), ...(envSettings?.secrets ?? {}) };
    const vars = { ...settings.vars, ...(envSettings?.vars ?? {}) };
    if (environment && envSettings?.reviewers?.length) {
      report.approvals.push({ environment: environment.name, job: name });
      const approved = (this.options.approve ?? (() => true))(environment.name, name);
      this.options.onEvent?.({ kind: 'approval', job: name, environment: environment.name, approved });
      if (!approved) {
        this.options.onEvent?.({ kind: 'job-end', job: name, result: 'cancelled' });
        return { result: 'cancelled', outputs: {} };
      }
    }
    report.runnerStarts.push(name);
    this.options.onEvent?.({ kind: 'job-start', job: name });
    const fail = (error: string): { result: JobResult; outputs: Record<string, string> } => {
      const record: StepRecord = {
        job: name,
        step: 'Set up job',
        result: 'failure',
        outputs: {},
        summary: '',
        durationMs: 0,
        error,
      };
      run.steps.push(record);
      this.options.onEvent?.({ kind: 'step', job: name, record });
      this.options.onEvent?.({ kind: 'job-end', job: name, result: 'failure' });
      return { result: 'failure', outputs: {} };
    };
    if (environment && !branchAllowed(envSettings?.branches, stringify(this.options.github.ref ?? '')))
      return fail(
        `Branch "${stringify(this.options.github.ref ?? '').replace(/^refs\/heads\//, '')}" is not allowed to deploy to ${environment.name} due to environment protection rules.`,
      );

    if (job.raw.container !== undefined) {
      const c = job.raw.container as Template;
      const image = stringify(evaluate(isTemplateMap(c) ? (c as TemplateMap).image : c, jobCtx));
      // Steps would run on this machine's tools, not the image's: a rehearsal that passed would prove nothing.
      return fail(`job container ${image}: the rehearsal runs no containers`);
    }
    const root = mkdtempSync(join(tmpdir(), 'wingman-runner-'));
    const workspace = join(root, 'work');
    mkdirSync(workspace);
    const stops: (() => Promise<void>)[] = [];
    try {
      // Service containers, stood in for by local processes.
      const servicesCtx: Record<string, Value> = {};
      const services = asRecord(
        evaluate(job.raw.services as Template, { ...jobCtx, contexts: { ...jobCtx.contexts, vars } }),
      );
      for (const [id, spec] of Object.entries(services)) {
        const s = asRecord(spec);
        const image = stringify(s.image ?? '');
        const standIn = this.options.services?.[image.replace(/:.*$/, '')];
        if (!standIn) return fail(`service '${id}': the rehearsal has no stand-in for image ${image}`);
        const started = await standIn(
          {
            image,
            env: Object.fromEntries(Object.entries(asRecord(s.env ?? null)).map(([k, v]) => [k, stringify(v)])),
            ports: ((s.ports as Value[]) ?? []).map(String),
          },
          name,
        );
        stops.push(started.stop);
        servicesCtx[id] = { ports: started.ports, id: `rehearsal-${id}`, network: 'rehearsal' };
      }
      const workflowRef = `${location.repository.name}/${location.path}@${location.ref.startsWith('refs/') || /^[0-9a-f]{40}$/.test(location.ref) ? location.ref : `refs/tags/${location.ref}`}`;
      const jobContext: Record<string, Value> = {
        status: 'success',
        services: servicesCtx,
        workflow_repository: location.repository.name,
        workflow_sha: location.repository.sha,
        workflow_ref: workflowRef,
        workflow_file_path: location.path,
      };
      const contexts: Record<string, Value> = {
        ...jobCtx.contexts,
        secrets,
        vars,
        job: jobContext,
        runner: { os: 'Linux', arch: 'X64', temp: join(root, 'temp'), tool_cache: join(root, 'tool') },
      };
      mkdirSync(join(root, 'temp'));
      const env: Record<string, string> = {
        ...evaluateStrings(workflowEnv, { contexts, status: 'success' }),
        ...evaluateStrings(job.raw.env as Template, { contexts, status: 'success' }),
      };
      const steps: Record<string, { outputs: Record<string, string>; outcome: JobResult; conclusion: JobResult }> = {};
      let status: ExpressionContext['status'] = 'success';
      const stepCtx = (): ExpressionContext => ({
        contexts: { ...contexts, env, steps: steps as unknown as Value, job: { ...jobContext, status } },
        status,
        hashFiles: (patterns) => hashFiles(workspace, patterns),
      });
      // Actions with runs.post, in the order their main steps ran.
      const posts: PostStep[] = [];
      for (const [i, step] of job.steps.entries()) {
        const label =
          stringify(evaluate(step.raw.name as Template, stepCtx())) ||
          step.uses ||
          (typeof step.run === 'string' ? step.run.split('\n')[0]! : `step ${i + 1}`);
        if (!evaluateCondition(step.if, stepCtx())) {
          // GitHub lists a skipped step in the steps context: outcome and conclusion 'skipped', no outputs.
          if (step.id) steps[step.id] = { outputs: {}, outcome: 'skipped', conclusion: 'skipped' };
          continue;
        }
        const started = Date.now();
        const ctx = stepCtx();
        let record: StepRecord;
        try {
          const with_ = evaluateStrings(step.raw.with as Template, ctx);
          const stepEnv = { ...env, ...evaluateStrings(step.raw.env as Template, ctx) };
          if (step.uses) {
            record = await this.runUses(name, label, step.uses, with_, stepEnv, workspace, location, contexts, (post) =>
              posts.push({ ...post, templates: { with: step.raw.with, env: step.raw.env } }),
            );
          } else {
            const cwd = resolve(workspace, stringify(evaluate(step.raw['working-directory'] as Template, ctx)) || '.');
            const githubEnv = {
              ...runnerVariables(contexts.github as Record<string, Value>),
              GITHUB_REPOSITORY: this.options.repository,
            };
            const script = stringify(evaluate(step.run as Template, ctx));
            record = {
              job: name,
              step: label,
              ...this.shell(script, { ...stepEnv, ...githubEnv }, workspace, cwd),
              durationMs: 0,
            };
          }
        } catch (error) {
          record = {
            job: name,
            step: label,
            result: 'failure',
            outputs: {},
            summary: '',
            durationMs: 0,
            error: (error as Error).message,
          };
        }
        record.durationMs = Date.now() - started;
        if (step.id) record.id = step.id;
        run.steps.push(record);
        this.options.onEvent?.({ kind: 'step', job: name, record });
        if (record.detail) Object.assign(env, record.detail.env);
        const continueOnError = evaluate(step.raw['continue-on-error'] as Template, ctx);
        const conclusion =
          record.result === 'failure' && (continueOnError === true || continueOnError === 'true')
            ? 'success'
            : record.result;
        if (step.id) steps[step.id] = { outputs: record.outputs, outcome: record.result, conclusion };
        if (conclusion === 'failure') status = 'failure';
      }
      // GitHub runs post steps after every main step, in reverse order, each when its post-if (default
      // always()) holds against the job's status; a failing post step fails the job.
      for (const post of posts.reverse()) {
        if (!evaluateCondition(post.postIf ?? 'always()', stepCtx())) continue;
        const started = Date.now();
        const postCtx = stepCtx();
        const inputs = evaluateStrings(post.templates.with as Template, postCtx);
        const postEnv = { ...env, ...evaluateStrings(post.templates.env as Template, postCtx) };
        const detail = await this.runPhase(post.action, post.actionDir, inputs, postEnv, workspace, contexts, {
          phase: 'post',
          state: post.state,
        });
        const record: StepRecord = {
          job: name,
          step: `Post ${post.label}`,
          action: post.action,
          result: detail.exitCode === 0 ? 'success' : 'failure',
          outputs: {},
          summary: detail.summary,
          durationMs: Date.now() - started,
          detail,
        };
        run.steps.push(record);
        this.options.onEvent?.({ kind: 'step', job: name, record });
        if (record.result === 'failure') status = 'failure';
      }
      const ctx = stepCtx();
      const outputs = evaluateStrings(job.raw.outputs as Template, ctx);
      if (environment?.deployment) {
        report.deployments.push({
          environment: environment.name,
          job: name,
          url: stringify(evaluate(environment.url, ctx)),
        });
      }
      const result: JobResult = status === 'failure' ? 'failure' : 'success';
      this.options.onEvent?.({ kind: 'job-end', job: name, result });
      return { result, outputs };
    } finally {
      for (const stop of stops) await stop().catch(() => {});
      rmSync(root, { recursive: true, force: true });
    }
  }

  /** Resolves a step's `uses:` as the runner does and runs it. */
  private async runUses(
    job: string,
    label: string,
    uses: string,
    with_: Record<string, string>,
    env: Record<string, string>,
    workspace: string,
    location: WorkflowLocation,
    contexts: Record<string, Value>,
    onPost: (post: Omit<PostStep, 'templates'>) => void,
  ): Promise<StepRecord> {
    const failed = (error: string): StepRecord => ({
      job,
      step: label,
      result: 'failure',
      outputs: {},
      summary: '',
      durationMs: 0,
      error,
    });
    let actionDir: string;
    let action = uses;
    if (uses.startsWith('./')) {
      actionDir = resolve(workspace, uses);
      if (!actionFileIn(actionDir)) return failed(missingLocalAction(actionDir));
    } else if (uses.startsWith('$/')) {
      actionDir = resolve(location.repository.root, uses.slice(2));
      if (!actionFileIn(actionDir))
        return failed(`${location.repository.name}@${location.repository.sha}: no action at '${uses.slice(2)}'`);
    } else if (uses.startsWith('docker://')) {
      return failed(`${uses}: the rehearsal runs no containers`);
    } else {
      const m = /^([^/@]+\/[^/@]+)(\/[^@]*)?@(.+)$/.exec(uses);
      if (!m) return failed(`${uses}: expected owner/repo[/path]@ref`);
      const standIn = this.options.standIns?.[m[1]!] ?? (m[1] === 'actions/checkout' ? checkout : undefined);
      if (standIn) {
        const outputs = await standIn(with_, {
          name: job,
          workspace,
          repositories: this.repositories,
          github: contexts.github as Record<string, Value>,
        });
        return { job, step: label, action: m[1], result: 'success', outputs, summary: '', durationMs: 0 };
      }
      const repo = this.repositories.resolve(m[1]!, m[3]!);
      if (typeof repo === 'string') return failed(repo);
      actionDir = join(repo.root, m[2] ?? '');
      if (!actionFileIn(actionDir)) return failed(`${uses}: no action.yml at that path`);
    }
    const meta = parseActionMetadata(readFileSync(actionFileIn(actionDir)!, 'utf8'));
    if (!meta.using?.startsWith('node'))
      return failed(`${uses}: the rehearsal runs node actions only (runs.using ${meta.using})`);
    action = actionDir.split('/').at(-1)!;
    const detail = await this.runPhase(action, actionDir, with_, env, workspace, contexts);
    if (meta.post) onPost({ label, action, actionDir, state: detail.state, postIf: meta['post-if'] });
    return {
      job,
      step: label,
      action,
      result: detail.exitCode === 0 ? 'success' : 'failure',
      outputs: detail.outputs,
      summary: detail.summary,
      durationMs: 0,
      detail,
    };
  }

  /** One phase (main or post) of a node action, with the runner's default variables. */
  private runPhase(
    action: string,
    actionDir: string,
    inputs: Record<string, string>,
    env: Record<string, string>,
    workspace: string,
    contexts: Record<string, Value>,
    phase: { phase: 'post'; state: Record<string, string> } | Record<string, never> = {},
  ) {
    const github = contexts.github as Record<string, Value>;
    return runAction(action, {
      actionDir,
      cwd: workspace,
      inputs,
      // The runner's default variables mirror the github context (GITHUB_RUN_ID is github.run_id).
      env: {
        ...(this.options.env ?? {}),
        ...env,
        ...runnerVariables(github),
      },
      event: github.event as Record<string, unknown>,
      eventName: stringify(github.event_name ?? 'push'),
      githubToken: this.token,
      timeoutMs: 10 * 60_000,
      ...phase,
    });
  }

  private shell(
    script: string,
    env: Record<string, string>,
    workspace: string,
    cwd: string,
  ): Pick<StepRecord, 'result' | 'outputs' | 'summary'> {
    const dir = mkdtempSync(join(tmpdir(), 'wingman-run-'));
    const output = join(dir, 'output');
    const summary = join(dir, 'summary');
    writeFileSync(output, '');
    writeFileSync(summary, '');
    try {
      if (!existsSync(cwd))
        throw new WorkflowError(`working-directory ${relative(workspace, cwd)} does not exist in the workspace`);
      const r = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', script], {
        cwd,
        env: {
          // The runner's environment, not this process's package-manager settings.
          ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_|NODE_OPTIONS$)/i.test(k))),
          ...(this.options.env ?? {}),
          ...env,
          GITHUB_WORKSPACE: workspace,
          GITHUB_OUTPUT: output,
          GITHUB_STEP_SUMMARY: summary,
        },
        encoding: 'utf8',
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      return {
        result: r.status === 0 ? 'success' : 'failure',
        outputs: parseFileCommand(readFileSync(output, 'utf8')),
        summary: readFileSync(summary, 'utf8'),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/**
 * The runner's default variables that mirror the github context, for every event (a workflow_dispatch
 * payload names no commit); a step's env cannot change them. A re-run keeps its run id, with the next attempt.
 */
function runnerVariables(github: Record<string, Value>): Record<string, string> {
  const out: Record<string, string> = {};
  if (github.sha !== undefined) out.GITHUB_SHA = out.GITHUB_WORKFLOW_SHA = stringify(github.sha);
  if (github.run_id !== undefined) out.GITHUB_RUN_ID = stringify(github.run_id);
  if (github.run_attempt !== undefined) out.GITHUB_RUN_ATTEMPT = stringify(github.run_attempt);
  if (github.ref !== undefined) {
    const ref = stringify(github.ref);
    Object.assign(out, {
      GITHUB_REF: ref,
      // refs/pull/7/merge is 7/merge.
      GITHUB_REF_NAME: ref.replace(/^refs\/(heads|tags|pull)\//, ''),
      GITHUB_REF_TYPE: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    });
  }
  return out;
}

/** actions/checkout: the repository (default the caller's) at the ref (default github.sha) into the workspace. */
const checkout: StandIn = (with_, job) => {
  const name = with_.repository || stringify(job.github.repository ?? '');
  const ref = with_.ref || stringify(job.github.sha ?? '');
  const repo = job.repositories.resolve(name, ref);
  if (typeof repo === 'string') throw new WorkflowError(`actions/checkout: ${repo.replace('action', 'repository')}`);
  const target = resolve(job.workspace, with_.path || '.');
  if (relative(job.workspace, target).startsWith('..'))
    throw new WorkflowError(`actions/checkout: path '${with_.path}' is outside the workspace`);
  cpSync(repo.root, target, { recursive: true, filter: (src) => !SKIP.has(src.split('/').at(-1)!) });
  return { ref, commit: repo.sha };
};

/** hashFiles() for literal paths and globs with * and **, relative to the workspace. */
function hashFiles(workspace: string, patterns: string[]): string {
  const files: string[] = [];
  const walk = (dir: string, rel: string) => {
    for (const e of existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(dir, e.name), p);
      else files.push(p);
    }
  };
  walk(workspace, '');
  const regexes = patterns.map(
    (p) =>
      new RegExp(
        `^${p
          .split('**/')
          .map((s) => s.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'))
          .join('(?:.*/)?')}$`,
      ),
  );
  const matched = files.filter((f) => regexes.some((r) => r.test(f))).sort();
  if (!matched.length) return '';
  const all = createHash('sha256');
  for (const f of matched)
    all.update(
      createHash('sha256')
        .update(readFileSync(join(workspace, f)))
        .digest(),
    );
  return all.digest('hex');
}
