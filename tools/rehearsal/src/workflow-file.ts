// One workflow file read with GitHub's parser: schema errors as GitHub reports them, the document as
// a Template, and each job's and step's `if:` as the parser completes it (an `if` without a status
// function means `success() && (…)`).
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser';
import { type Template, toTemplate } from './expressions';

export type TemplateMap = { [key: string]: Template };

export interface StepDoc extends TemplateMap {}

export interface JobDoc {
  id: string;
  raw: TemplateMap;
  /** The job's condition as GitHub evaluates it. */
  if: string;
  needs: string[];
  /** `uses:` of a reusable-workflow job. */
  uses?: string;
  steps: { raw: TemplateMap; if: string; uses?: string; run?: Template; id?: string }[];
}

export interface WorkflowDoc {
  /** Path inside its repository: .github/workflows/deploy.yml */
  path: string;
  raw: TemplateMap;
  jobs: JobDoc[];
  /** Schema and conversion errors, as GitHub would show them before running anything. */
  errors: string[];
}

const asString = (t: Template | undefined): string | undefined => (typeof t === 'string' ? t : undefined);

export async function readWorkflow(path: string, content: string): Promise<WorkflowDoc> {
  const parsed = parseWorkflow({ name: path, content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (!parsed.value) return { path, raw: {}, jobs: [], errors: errors.length ? errors : [`${path}: empty workflow`] };
  const converted = await convertWorkflowTemplate(parsed.context, parsed.value);
  errors.push(...(converted.errors ?? []).map((e) => e.Message).filter((m) => !errors.includes(m)));
  if (errors.length || !converted.jobs) return { path, raw: {}, jobs: [], errors };
  const raw = toTemplate(parsed.value) as TemplateMap;
  const rawJobs = (raw.jobs ?? {}) as Record<string, TemplateMap>;
  const jobs: JobDoc[] = converted.jobs.map((job) => {
    const id = job.id.value;
    const rawJob = rawJobs[id] ?? {};
    const rawSteps = (rawJob.steps ?? []) as TemplateMap[];
    const steps =
      job.type === 'job'
        ? job.steps.map((s, i) => {
            const r = rawSteps[i] ?? {};
            return {
              raw: r,
              if: 'if' in s && s.if ? s.if.expression : 'success()',
              uses: asString(r.uses),
              run: r.run,
              id: asString(r.id),
            };
          })
        : [];
    return {
      id,
      raw: rawJob,
      if: job.if?.expression ?? 'success()',
      needs: (job.needs ?? []).map((n) => n.value),
      uses: job.type === 'reusableWorkflowJob' ? job.ref.value : undefined,
      steps,
    };
  });
  return { path, raw, jobs, errors };
}
