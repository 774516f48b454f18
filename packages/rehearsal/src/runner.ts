// A local runner for our own workflows: jobs in `needs` order, `if:` conditions, `with:` wiring and
// outputs evaluated from the YAML, each `./actions/<name>` step run from its committed bundle with the
// runner's protocol. A wiring mistake in the YAML fails here the way it would fail on GitHub.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ActionResult, parseFileCommand, REPO_ROOT, runAction } from '@wingman/testkit';
import { parse } from 'yaml';
import { type ExpressionContext, evaluateCondition, interpolate, stringify, type Value } from './expressions';

type Doc = Record<string, unknown>;
interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, Value>;
  env?: Record<string, Value>;
  if?: string | boolean;
  'continue-on-error'?: boolean;
}
interface Job {
  name?: string;
  needs?: string | string[];
  if?: string | boolean;
  uses?: string;
  with?: Record<string, Value>;
  secrets?: Record<string, Value> | 'inherit';
  environment?: Value;
  outputs?: Record<string, string>;
  steps?: Step[];
  env?: Record<string, Value>;
}

export type JobResult = 'success' | 'failure' | 'skipped' | 'cancelled';

export interface StepRecord {
  job: string;
  step: string;
  action?: string;
  result: JobResult;
  outputs: Record<string, string>;
  summary: string;
  durationMs: number;
  detail?: ActionResult;
}

export interface WorkflowRun {
  jobs: Record<string, { result: JobResult; outputs: Record<string, string> }>;
  outputs: Record<string, string>;
  steps: StepRecord[];
}

export interface RunnerOptions {
  /** GitHub contexts the workflow reads: github (sha, ref, event_name, event, actor, repository …), vars. */
  github: Record<string, Value>;
  vars?: Record<string, Value>;
  /** Extra environment for every action (tool caches, simulator URLs the actions do not take as inputs). */
  env?: Record<string, string>;
  /** Third-party `uses:` the rehearsal stands in for (checkout: the repository is the workspace). */
  standIns?: Record<string, (step: Step, with_: Record<string, string>) => Record<string, string>>;
  /** Called as each step starts and ends, for progress lines. */
  onStep?: (event: { phase: 'start' | 'end'; job: string; step: string; record?: StepRecord; gate?: string }) => void;
  /**
   * Secrets of GitHub environments: a job under `environment: X` reads X's secrets over the ones the
   * workflow was given, as GitHub resolves them (an environment secret wins over a passed one).
   */
  environmentSecrets?: Record<string, Record<string, string>>;
  /** Approval gates (environment:) are approved by this callback; default: approve. */
  approve?: (environment: string, job: string) => boolean;
}

export class WorkflowError extends Error {
  override name = 'WorkflowError';
}

const DEFAULT_STAND_INS: NonNullable<RunnerOptions['standIns']> = {
  'actions/checkout': () => ({}),
  'actions/setup-node': () => ({}),
  'github/codeql-action/upload-sarif': () => ({}),
  'actions/upload-artifact': () => ({}),
};

const asList = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

function order(jobs: Record<string, Job>): string[] {
  const done: string[] = [];
  const visit = (id: string, path: string[]) => {
    if (done.includes(id)) return;
    if (path.includes(id)) throw new WorkflowError(`jobs ${[...path, id].join(' → ')} need each other in a cycle`);
    if (!jobs[id]) throw new WorkflowError(`job '${path.at(-1)}' needs '${id}', which does not exist`);
    for (const n of asList(jobs[id]!.needs)) visit(n, [...path, id]);
    done.push(id);
  };
  for (const id of Object.keys(jobs)) visit(id, []);
  return done;
}

const toStrings = (o: Record<string, Value> | undefined, ctx: ExpressionContext): Record<string, string> =>
  Object.fromEntries(Object.entries(o ?? {}).map(([k, v]) => [k, stringify(interpolate(v, ctx))]));

export class WorkflowRunner {
  constructor(private readonly options: RunnerOptions) {}

  /** Runs `file` (relative to the repository root) as a workflow_call with these inputs and secrets. */
  async run(
    file: string,
    inputs: Record<string, Value>,
    secrets: Record<string, string>,
    /** Names jobs of a called workflow after the calling job: "production / migrate". */
    prefix = '',
  ): Promise<WorkflowRun> {
    const doc = parse(readFileSync(join(REPO_ROOT, file), 'utf8')) as Doc;
    const on = (doc.on ?? {}) as Doc;
    const call = (on.workflow_call ?? on.workflow_dispatch ?? {}) as Doc;
    const declared = (call.inputs ?? {}) as Record<string, { default?: Value; required?: boolean; type?: string }>;
    const resolvedInputs: Record<string, Value> = {};
    for (const [name, spec] of Object.entries(declared)) {
      const value = inputs[name] ?? spec.default;
      if (value === undefined && spec.required) throw new WorkflowError(`${file} requires input '${name}'`);
      resolvedInputs[name] = value ?? (spec.type === 'boolean' ? false : spec.type === 'number' ? 0 : '');
    }
    for (const name of Object.keys(inputs))
      if (!(name in declared)) throw new WorkflowError(`${file} has no input '${name}'`);

    const jobs = (doc.jobs ?? {}) as Record<string, Job>;
    const run: WorkflowRun = { jobs: {}, outputs: {}, steps: [] };
    const workflowEnv = (doc.env ?? {}) as Record<string, Value>;
    for (const id of order(jobs)) {
      const job = jobs[id]!;
      const needs = asList(job.needs);
      const needsCtx = Object.fromEntries(needs.map((n) => [n, run.jobs[n]!])) as unknown as Value;
      const ancestors = new Set<string>();
      const collect = (j: string) => {
        for (const n of asList(jobs[j]!.needs)) {
          if (ancestors.has(n)) continue;
          ancestors.add(n);
          collect(n);
        }
      };
      collect(id);
      const results = [...ancestors].map((a) => run.jobs[a]!.result);
      const status: ExpressionContext['status'] = results.includes('failure')
        ? 'failure'
        : results.includes('cancelled')
          ? 'cancelled'
          : needs.some((n) => run.jobs[n]!.result === 'skipped')
            ? 'skipped'
            : 'success';
      const base: Record<string, Value> = {
        inputs: resolvedInputs,
        secrets,
        github: this.options.github,
        vars: this.options.vars ?? {},
        needs: needsCtx,
        env: {},
        runner: { os: 'Linux', temp: tmpdir() },
      };
      const ctx: ExpressionContext = { contexts: base, status };
      if (!evaluateCondition(job.if, ctx)) {
        run.jobs[id] = { result: 'skipped', outputs: {} };
        this.options.onStep?.({ phase: 'end', job: `${prefix}${id}`, step: '(skipped: if)' });
        continue;
      }
      if (job.environment !== undefined) {
        const envName = stringify(
          interpolate(
            typeof job.environment === 'object' && job.environment
              ? ((job.environment as Doc).name as Value)
              : job.environment,
            ctx,
          ),
        );
        const approved = (this.options.approve ?? (() => true))(envName, id);
        this.options.onStep?.({
          phase: 'start',
          job: `${prefix}${id}`,
          step: `approval gate: ${envName}`,
          gate: approved ? 'approved' : 'rejected',
        });
        if (!approved) {
          run.jobs[id] = { result: 'cancelled', outputs: {} };
          continue;
        }
        base.secrets = { ...secrets, ...(this.options.environmentSecrets?.[envName] ?? {}) };
      }
      if (job.uses) {
        const withValues = Object.fromEntries(Object.entries(job.with ?? {}).map(([k, v]) => [k, interpolate(v, ctx)]));
        const passed =
          job.secrets === 'inherit' ? secrets : toStrings(job.secrets as Record<string, Value> | undefined, ctx);
        const inner = await this.run(job.uses.replace(/^\.\//, ''), withValues, passed, `${prefix}${id} / `);
        run.steps.push(...inner.steps);
        const failed = Object.values(inner.jobs).some((j) => j.result === 'failure');
        run.jobs[id] = { result: failed ? 'failure' : 'success', outputs: inner.outputs };
        continue;
      }
      run.jobs[id] = await this.runJob(`${prefix}${id}`, job, base, { ...toStrings(workflowEnv, ctx) }, run);
    }
    const outputs = (call.outputs ?? {}) as Record<string, { value: string }>;
    const jobsCtx = Object.fromEntries(Object.entries(run.jobs).map(([k, v]) => [k, v])) as unknown as Value;
    for (const [name, out] of Object.entries(outputs))
      run.outputs[name] = stringify(interpolate(out.value, { contexts: { jobs: jobsCtx }, status: 'success' }));
    return run;
  }

  private async runJob(
    id: string,
    job: Job,
    base: Record<string, Value>,
    workflowEnv: Record<string, string>,
    run: WorkflowRun,
  ): Promise<{ result: JobResult; outputs: Record<string, string> }> {
    const steps: Record<string, { outputs: Record<string, string>; outcome: JobResult; conclusion: JobResult }> = {};
    // Steps start from the job's own status, whatever its needs did (a notify job under always() runs its steps).
    let status: ExpressionContext['status'] = 'success';
    const jobEnv = { ...workflowEnv, ...toStrings(job.env, { contexts: { ...base, steps: {} }, status }) };
    for (const [i, step] of (job.steps ?? []).entries()) {
      const label = step.name ?? step.uses ?? (step.run ? step.run.split('\n')[0]! : `step ${i + 1}`);
      const ctx: ExpressionContext = {
        contexts: { ...base, env: jobEnv, steps: steps as unknown as Value },
        status,
      };
      if (!evaluateCondition(step.if, ctx)) continue;
      this.options.onStep?.({ phase: 'start', job: id, step: label });
      const started = Date.now();
      const with_ = toStrings(step.with, ctx);
      const env = { ...jobEnv, ...toStrings(step.env, ctx) };
      let record: StepRecord;
      if (step.uses?.startsWith('./actions/')) {
        const action = step.uses.slice('./actions/'.length);
        const detail = await runAction(action, {
          cwd: REPO_ROOT,
          inputs: with_,
          env: { ...(this.options.env ?? {}), ...env },
          event: this.options.github.event as Record<string, unknown>,
          eventName: stringify(this.options.github.event_name ?? 'push'),
          timeoutMs: 10 * 60_000,
        });
        record = {
          job: id,
          step: label,
          action,
          result: detail.exitCode === 0 ? 'success' : 'failure',
          outputs: detail.outputs,
          summary: detail.summary,
          durationMs: Date.now() - started,
          detail,
        };
      } else if (step.uses) {
        const key = step.uses.replace(/@.*$/, '');
        const standIn = { ...DEFAULT_STAND_INS, ...(this.options.standIns ?? {}) }[key];
        if (!standIn) throw new WorkflowError(`job '${id}' uses ${step.uses}, which the rehearsal has no stand-in for`);
        record = { job: id, step: label, result: 'success', outputs: standIn(step, with_), summary: '', durationMs: 0 };
      } else {
        record = {
          job: id,
          step: label,
          ...this.shell(interpolate(step.run ?? '', ctx), env),
          durationMs: Date.now() - started,
        };
      }
      run.steps.push(record);
      this.options.onStep?.({ phase: 'end', job: id, step: label, record });
      const conclusion = record.result === 'failure' && step['continue-on-error'] ? 'success' : record.result;
      if (step.id) steps[step.id] = { outputs: record.outputs, outcome: record.result, conclusion };
      if (conclusion === 'failure') status = 'failure';
    }
    const ctx: ExpressionContext = { contexts: { ...base, env: jobEnv, steps: steps as unknown as Value }, status };
    const outputs = Object.fromEntries(
      Object.entries(job.outputs ?? {}).map(([k, v]) => [k, stringify(interpolate(v, ctx))]),
    );
    return { result: status === 'failure' ? 'failure' : 'success', outputs };
  }

  private shell(script: Value, env: Record<string, string>): Pick<StepRecord, 'result' | 'outputs' | 'summary'> {
    const dir = mkdtempSync(join(tmpdir(), 'wingman-run-'));
    const output = join(dir, 'output');
    const summary = join(dir, 'summary');
    writeFileSync(output, '');
    writeFileSync(summary, '');
    try {
      const r = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', stringify(script)], {
        cwd: REPO_ROOT,
        env: {
          ...process.env,
          ...(this.options.env ?? {}),
          ...env,
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
