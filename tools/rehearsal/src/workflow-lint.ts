// Checks of our workflows and action.yml files on their parsed YAML: what a typo or a missing guard
// would otherwise only show on GitHub, after a push (or, for fork secrets, never).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';

export interface LintProblem {
  file: string;
  /** Where in the file: "jobs.migrate.steps[2].with.dry-run". */
  at: string;
  message: string;
}

export interface ActionMeta {
  inputs: Record<string, { required?: boolean; default?: unknown; description?: string }>;
  outputs: Record<string, unknown>;
}

type Doc = Record<string, unknown>;
type Job = Doc & {
  'runs-on'?: unknown;
  uses?: string;
  with?: Record<string, unknown>;
  secrets?: Record<string, unknown> | 'inherit';
  needs?: string | string[];
  steps?: Step[];
  outputs?: Record<string, string>;
  environment?: unknown;
  permissions?: unknown;
  concurrency?: unknown;
  if?: unknown;
};
type Step = Doc & { id?: string; uses?: string; run?: string; with?: Record<string, unknown> };

/** The name of one of this suite's actions a `uses:` points at (./actions/x, $/actions/x, …/actions/x@v1). */
export const suiteAction = (uses: string | undefined): string | undefined =>
  /^(?:\.\/|\$\/|wingman-deploy\/wingman-deploy\/)actions\/([\w-]+)(?:@.*)?$/.exec(uses ?? '')?.[1];
/** The path of one of this suite's reusable workflows a job's `uses:` points at. */
const suiteWorkflow = (uses: string): string | undefined => {
  const m = /^(\.\/|\$\/|wingman-deploy\/wingman-deploy\/)(\.github\/workflows\/[\w.-]+)(?:@.*)?$/.exec(uses);
  return m ? (m[1] === 'wingman-deploy/wingman-deploy/' ? `${SUITE_PREFIX}${m[2]}` : m[2]) : undefined;
};
/** Where a caller's lint finds the suite's reusable workflows. */
const SUITE_PREFIX = 'wingman-deploy/wingman-deploy/';
const SHA_PIN = /^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/;
const DEPLOYING_ACTIONS = ['deploy-heroku', 'deploy-vercel', 'sentry-release'];
/** Credentials that only post notifications: they need no approval gate (the fork guard still applies). */
const NOTIFICATION_SECRETS = ['GITHUB_TOKEN', 'SLACK_BOT_TOKEN', 'SLACK_WEBHOOK_URL'];
const FORK_GUARD =
  /github\.event\.pull_request\.head\.repo\.full_name\s*==\s*github\.repository|!\s*github\.event\.pull_request\.head\.repo\.fork/;

const asArray = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
const triggers = (doc: Doc): string[] => {
  const on = doc.on ?? doc.true; // YAML 1.1 reads a bare `on:` key as true
  return typeof on === 'string' ? [on] : Array.isArray(on) ? on.map(String) : Object.keys((on as Doc) ?? {});
};

/** Every string in a value, with its path. */
function* strings(value: unknown, at: string): Generator<[string, string]> {
  if (typeof value === 'string') yield [value, at];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, `${at}[${i}]`);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) yield* strings(v, at ? `${at}.${k}` : k);
}

/** The text of every ${{ }} expression and every if: in a value. */
function* expressions(value: unknown, at: string): Generator<[string, string]> {
  for (const [text, where] of strings(value, at)) {
    if (/\.if$/.test(where) || where === 'if') yield [text, where];
    else for (const m of text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)) yield [m[1]!, where];
  }
}

export function loadActions(root: string): Map<string, ActionMeta> {
  const actions = new Map<string, ActionMeta>();
  const dir = join(root, 'actions');
  if (!existsSync(dir)) return actions;
  for (const name of readdirSync(dir)) {
    const file = join(dir, name, 'action.yml');
    if (!existsSync(file)) continue;
    const doc = parse(readFileSync(file, 'utf8')) as Doc;
    actions.set(name, { inputs: (doc.inputs as ActionMeta['inputs']) ?? {}, outputs: (doc.outputs as Doc) ?? {} });
  }
  return actions;
}

export function lintAction(file: string, text: string, root: string): LintProblem[] {
  const problems: LintProblem[] = [];
  const p = (at: string, message: string) => problems.push({ file, at, message });
  const doc = parse(text) as Doc;
  for (const key of ['name', 'description', 'runs']) if (!doc[key]) p(key, `action.yml needs '${key}'`);
  const runs = (doc.runs ?? {}) as Doc;
  if (runs.using !== 'node24')
    p('runs.using', `runs.using must be node24 (node20 is gone from runners), got ${String(runs.using)}`);
  const main = typeof runs.main === 'string' ? join(root, dirname(file), runs.main) : undefined;
  if (!main || !existsSync(main)) p('runs.main', `runs.main ${String(runs.main)} does not exist: run 'pnpm build'`);
  for (const [name, input] of Object.entries((doc.inputs as Doc) ?? {}))
    if (!(input as Doc)?.description) p(`inputs.${name}`, `input '${name}' has no description`);
  for (const [name, output] of Object.entries((doc.outputs as Doc) ?? {}))
    if (!(output as Doc)?.description) p(`outputs.${name}`, `output '${name}' has no description`);
  return problems;
}

export interface WorkflowSet {
  /** Path relative to the repository root → parsed workflow. */
  docs: Map<string, Doc>;
  texts: Map<string, string>;
  actions: Map<string, ActionMeta>;
}

export function loadWorkflows(root: string, dir = '.github/workflows'): WorkflowSet {
  const docs = new Map<string, Doc>();
  const texts = new Map<string, string>();
  for (const f of readdirSync(join(root, dir)).filter((f) => /\.ya?ml$/.test(f))) {
    const text = readFileSync(join(root, dir, f), 'utf8');
    texts.set(`${dir}/${f}`, text);
    docs.set(`${dir}/${f}`, parse(text) as Doc);
  }
  return { docs, texts, actions: loadActions(root) };
}

const PERMISSION_RANK: Record<string, number> = { none: 0, read: 1, write: 2 };
const PERMISSION_SCOPES = [
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'models',
  'packages',
  'pages',
  'pull-requests',
  'security-events',
  'statuses',
];

/** A permissions value (a map, read-all, write-all or {}) as scope → level; what it leaves out is none. */
function permissionLevels(value: unknown): Record<string, string> {
  if (value === 'read-all' || value === 'write-all')
    return Object.fromEntries(PERMISSION_SCOPES.map((scope) => [scope, value.slice(0, -4)]));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
  return {};
}

function callInterface(doc: Doc | undefined) {
  const on = (doc?.on ?? {}) as Doc;
  const call = (on.workflow_call ?? {}) as Doc;
  return {
    inputs: (call.inputs ?? {}) as Record<string, { required?: boolean; default?: unknown }>,
    secrets: (call.secrets ?? {}) as Record<string, { required?: boolean }>,
    outputs: (call.outputs ?? {}) as Record<string, { value?: string }>,
  };
}

export function lintWorkflow(file: string, set: WorkflowSet): LintProblem[] {
  const doc = set.docs.get(file)!;
  const text = set.texts.get(file) ?? '';
  const problems: LintProblem[] = [];
  const p = (at: string, message: string) => problems.push({ file, at, message });
  const on = triggers(doc);
  if (!on.length) p('on', 'the workflow has no triggers');
  if (on.includes('pull_request_target'))
    p('on.pull_request_target', 'pull_request_target runs with secrets on code a fork controls: use pull_request');
  const jobs = (doc.jobs ?? {}) as Record<string, Job>;
  if (!Object.keys(jobs).length) p('jobs', 'the workflow has no jobs');
  const onPullRequest = on.includes('pull_request');
  const called = callInterface(doc);

  const reusable = on.includes('workflow_call');
  const environmentJobs = new Map<string, string[]>();
  for (const [jobId, job] of Object.entries(jobs)) {
    const at = `jobs.${jobId}`;
    const envName =
      job.environment && typeof job.environment === 'object' ? (job.environment as Doc).name : job.environment;
    if (envName !== undefined)
      environmentJobs.set(String(envName), [...(environmentJobs.get(String(envName)) ?? []), jobId]);
    const steps = job.steps ?? [];
    for (const [i, step] of steps.entries()) {
      const sat = `${at}.steps[${i}]`;
      const uses = String(step.uses ?? '');
      // (1) A called workflow runs in the caller's workspace: ./ finds the caller's files, not ours.
      if (reusable && uses.startsWith('./'))
        p(
          `${sat}.uses`,
          `${uses} in a reusable workflow resolves in the caller's checkout: use $/${uses.slice(2)} (this repository at the running commit)`,
        );
      // (2) ./ needs a checkout earlier in the same job: each job starts with an empty workspace.
      else if (
        uses.startsWith('./') &&
        !steps.slice(0, i).some((s) => String(s.uses ?? '').startsWith('actions/checkout@'))
      )
        p(
          `${sat}.uses`,
          `${uses} runs in a job with no actions/checkout before it: the workspace is empty, the runner will not find action.yml`,
        );
      // (4) notify-slack refuses both credentials: pass the webhook only when there is no bot token.
      if (
        /(^|\/)actions\/notify-slack(@|$)/.test(uses) &&
        step.with?.['bot-token'] &&
        step.with?.['webhook-url'] &&
        !/SLACK_BOT_TOKEN/.test(String(step.with['webhook-url']))
      )
        p(
          `${sat}.with.webhook-url`,
          `notify-slack gets both bot-token and webhook-url and refuses that: pass webhook-url only when there is no bot token (\${{ !secrets.SLACK_BOT_TOKEN && secrets.SLACK_WEBHOOK_URL || '' }})`,
        );
      // (5) Build output is not in git: a deploy of a built output-dir needs a build step before it in the
      // job. Without output-dir, Vercel builds the source itself.
      const mode = String(step.with?.mode ?? 'deploy');
      if (
        /(^|\/)actions\/deploy-vercel(@|$)/.test(uses) &&
        mode === 'deploy' &&
        step.with?.['output-dir'] &&
        !steps.slice(0, i).some((s) => s.run)
      )
        p(
          sat,
          `deploy-vercel deploys ${String(step.with?.['output-dir'])} but nothing in job '${jobId}' builds it (build output is not in git): add a build step before it, or leave output-dir out and let Vercel build the source`,
        );
    }
    // (8) Write access only where the write happens, and no credentials left where no push follows.
    const perms = (job.permissions ?? doc.permissions) as Doc | string | undefined;
    const writesContents = perms === 'write-all' || (typeof perms === 'object' && perms?.contents === 'write');
    const runs = steps.map((s) => String(s.run ?? '')).join('\n');
    if (writesContents && /(\.ci\/run|\b(pnpm|npm|npx|yarn)\b)/.test(runs))
      p(
        `${at}.permissions`,
        `job '${jobId}' has contents: write and also runs the build and tests: verify in a read-only job, publish in a minimal one`,
      );
    for (const [i, step] of steps.entries())
      if (
        String(step.uses ?? '').startsWith('actions/checkout@') &&
        (step.with as Doc | undefined)?.['persist-credentials'] !== false &&
        !/\bgit push\b/.test(runs)
      )
        p(
          `${at}.steps[${i}].with`,
          `actions/checkout leaves the token in .git/config but no step of job '${jobId}' pushes: set persist-credentials: false`,
        );
    if (!job.permissions)
      p(`${at}.permissions`, `job '${jobId}' has no explicit permissions: declare the least it needs`);
    const needs = asArray(job.needs);
    for (const n of needs)
      if (!jobs[n]) p(`${at}.needs`, `job '${jobId}' needs '${n}', which is not a job of this workflow`);

    // Job outputs and expressions.
    const stepIds = new Map<string, Step>();
    for (const s of job.steps ?? []) if (s.id) stepIds.set(s.id, s);
    for (const [expr, where] of expressions(job, at)) {
      for (const m of expr.matchAll(/\bsteps\.([\w-]+)\.outputs\.([\w-]+)/g)) {
        const step = stepIds.get(m[1]!);
        if (!step) p(where, `'steps.${m[1]}' is not a step id in job '${jobId}'`);
        else if (suiteAction(step.uses)) {
          const action = set.actions.get(suiteAction(step.uses)!);
          if (action && !(m[2]! in action.outputs))
            p(
              where,
              `step '${m[1]}' (${step.uses}) has no output '${m[2]}'; it has: ${Object.keys(action.outputs).join(', ')}`,
            );
        }
      }
      for (const m of expr.matchAll(/\bneeds\.([\w-]+)\.(outputs\.([\w-]+)|result)/g)) {
        const other = jobs[m[1]!];
        if (!needs.includes(m[1]!)) p(where, `'needs.${m[1]}' is used but job '${jobId}' does not need '${m[1]}'`);
        else if (other && m[3]) {
          const outputs = other.uses
            ? callInterface(set.docs.get(suiteWorkflow(other.uses) ?? '')).outputs
            : (other.outputs ?? {});
          if (!(m[3] in outputs)) p(where, `job '${m[1]}' has no output '${m[3]}'`);
        }
      }
    }

    const secrets = [...expressions(job, at)].flatMap(([e]) =>
      [...e.matchAll(/\bsecrets\.([\w-]+)/g)].map((m) => m[1]!),
    );
    const usesSecrets = secrets.some((s) => s !== 'GITHUB_TOKEN');
    const usesDeploySecrets = secrets.some((s) => !NOTIFICATION_SECRETS.includes(s));
    const deploys = (job.steps ?? []).some((s) => DEPLOYING_ACTIONS.includes(suiteAction(s.uses) ?? ''));
    if ((usesDeploySecrets || deploys) && !job.uses && !job.environment)
      p(
        `${at}.environment`,
        `job '${jobId}' ${deploys ? 'deploys' : 'reads secrets'} but runs under no environment: add 'environment:' so approvals and environment secrets apply`,
      );
    // A call passes secrets on; the called workflow's jobs must guard them (checked where it is linted).
    const callee = job.uses ? set.docs.get(suiteWorkflow(job.uses) ?? '') : undefined;
    const calleeGuards =
      callee !== undefined &&
      Object.values((callee.jobs ?? {}) as Record<string, Job>).every(
        (j) => !/secrets\./.test(JSON.stringify(j)) || FORK_GUARD.test(String(j.if ?? '')),
      );
    if (
      onPullRequest &&
      (usesSecrets || job.secrets !== undefined) &&
      !calleeGuards &&
      !FORK_GUARD.test(String(job.if ?? ''))
    )
      p(
        `${at}.if`,
        `job '${jobId}' reads secrets on pull_request without skipping forks: add if: github.event.pull_request.head.repo.full_name == github.repository`,
      );

    if (job.uses) {
      // A reusable workflow: its interface.
      if (suiteWorkflow(job.uses)) {
        const target = set.docs.get(suiteWorkflow(job.uses)!);
        if (!target) p(`${at}.uses`, `${job.uses} is not a workflow in this repository`);
        else {
          const iface = callInterface(target);
          for (const k of Object.keys(job.with ?? {}))
            if (!(k in iface.inputs)) p(`${at}.with.${k}`, `${job.uses} has no input '${k}'`);
          for (const [k, v] of Object.entries(iface.inputs))
            if (v.required && v.default === undefined && !(k in (job.with ?? {})))
              p(`${at}.with`, `${job.uses} requires input '${k}'`);
          if (job.secrets !== 'inherit') {
            for (const k of Object.keys(job.secrets ?? {}))
              if (!(k in iface.secrets)) p(`${at}.secrets.${k}`, `${job.uses} declares no secret '${k}'`);
            for (const [k, v] of Object.entries(iface.secrets))
              if (v?.required && !(k in ((job.secrets as Doc) ?? {})))
                p(`${at}.secrets`, `${job.uses} requires secret '${k}'`);
          }
          // The called workflow's token can only keep or lower what the calling job grants: asking for
          // more fails the whole run before any job starts.
          const grantedValue = job.permissions ?? doc.permissions;
          const granted = permissionLevels(grantedValue);
          if (grantedValue !== undefined)
            for (const [calledId, calledJob] of Object.entries((target.jobs ?? {}) as Record<string, Job>))
              for (const [scope, level] of Object.entries(
                permissionLevels(calledJob.permissions ?? target.permissions),
              ))
                if ((PERMISSION_RANK[level] ?? 0) > (PERMISSION_RANK[granted[scope] ?? 'none'] ?? 0))
                  p(
                    `${at}.permissions`,
                    `The nested job '${calledId}' is requesting '${scope}: ${level}', but is only allowed '${scope}: ${granted[scope] ?? 'none'}': grant it here, or lower it in ${job.uses}`,
                  );
          if (
            job.concurrency &&
            (target.concurrency || Object.values((target.jobs ?? {}) as Record<string, Job>).some((j) => j.concurrency))
          )
            p(
              `${at}.concurrency`,
              `concurrency is declared both here and in ${job.uses}: GitHub deadlocks when caller and called workflow share a group; keep one side`,
            );
        }
      }
      continue;
    }
    if (!job['runs-on']) p(`${at}.runs-on`, `job '${jobId}' has no runs-on`);
    for (const [i, step] of (job.steps ?? []).entries()) {
      const sat = `${at}.steps[${i}]`;
      if (!step.uses && !step.run) p(sat, 'a step needs uses or run');
      if (!step.uses) continue;
      if (suiteAction(step.uses)) {
        const name = suiteAction(step.uses)!;
        const action = set.actions.get(name);
        if (!action) {
          p(`${sat}.uses`, `${step.uses} is not an action of this repository`);
          continue;
        }
        for (const k of Object.keys(step.with ?? {}))
          if (!(k in action.inputs)) p(`${sat}.with.${k}`, `${step.uses} has no input '${k}'`);
        for (const [k, v] of Object.entries(action.inputs))
          if (v.required && v.default === undefined && !(k in (step.with ?? {})))
            p(`${sat}.with`, `${step.uses} requires input '${k}'`);
      } else if (!step.uses.startsWith('./') && !step.uses.startsWith('$/') && !SHA_PIN.test(step.uses)) {
        p(`${sat}.uses`, `${step.uses} is not pinned to a full commit SHA: pin it (owner/repo@<40 hex> # vX.Y.Z)`);
      }
    }
  }
  // (3) GitHub asks an environment's reviewers once per job that references it.
  // Jobs gated on opposite `github.event.action` tests never run in the same run (preview vs cleanup).
  const action = (id: string) => /github\.event\.action\s*(==|!=)\s*'(\w+)'/.exec(String(jobs[id]?.if ?? ''));
  const exclusive = (a: string, b: string) => {
    const [x, y] = [action(a), action(b)];
    return !!x && !!y && x[2] === y[2] && x[1] !== y[1];
  };
  for (const [env, ids] of environmentJobs)
    if (ids.some((a, i) => ids.slice(i + 1).some((b) => !exclusive(a, b))))
      p(
        'jobs',
        `jobs ${ids.join(', ')} all reference environment ${env}: each waits for its own approval and creates its own deployment; deploy in one job`,
      );
  // Pins carry their version as a comment, so a reader knows what the SHA is.
  for (const [i, line] of text.split('\n').entries()) {
    const m = /uses:\s*([^\s#]+@[0-9a-f]{40})\s*(#.*)?$/.exec(line);
    if (m && !m[2])
      problems.push({ file, at: `line ${i + 1}`, message: `${m[1]} has no version comment: add '# vX.Y.Z'` });
  }
  // Workflow outputs name real job outputs.
  for (const [name, out] of Object.entries(called.outputs))
    for (const m of String(out.value ?? '').matchAll(/\bjobs\.([\w-]+)\.outputs\.([\w-]+)/g))
      if (!jobs[m[1]!]?.outputs || !(m[2]! in jobs[m[1]!]!.outputs!))
        p(`on.workflow_call.outputs.${name}`, `jobs.${m[1]}.outputs.${m[2]} is not an output of job '${m[1]}'`);
  // Deploys are serialised per environment and never cancelled half-way.
  for (const [where, c] of [
    ['concurrency', doc.concurrency],
    ...Object.entries(jobs).map(([id, j]) => [`jobs.${id}.concurrency`, j.concurrency]),
  ] as [string, unknown][])
    if (c && typeof c === 'object' && (c as Doc)['cancel-in-progress'] === true)
      p(where, 'cancel-in-progress: true would stop a deploy half-way: use false');
  return problems;
}

/** (7) Workflows that share a concurrency group must queue, or a newer pending run cancels the older one. */
export function lintConcurrency(set: WorkflowSet): LintProblem[] {
  const byGroup = new Map<string, { file: string; queue: boolean }[]>();
  for (const [file, doc] of set.docs) {
    const c = doc.concurrency;
    if (!c) continue;
    const group = String(typeof c === 'object' ? (c as Doc).group : c);
    byGroup.set(group, [
      ...(byGroup.get(group) ?? []),
      { file, queue: typeof c === 'object' && (c as Doc).queue === 'max' },
    ]);
  }
  const problems: LintProblem[] = [];
  for (const [group, users] of byGroup)
    if (users.length > 1)
      for (const u of users.filter((x) => !x.queue))
        problems.push({
          file: u.file,
          at: 'concurrency',
          message: `concurrency group '${group}' is shared with ${users
            .filter((x) => x !== u)
            .map((x) => x.file)
            .join(
              ', ',
            )}: without queue: max a newer pending run cancels the older one (a push would cancel a pending rollback)`,
        });
  return problems;
}

/** (6) The README must not tell teams to keep deploy credentials as repository secrets. */
export function lintReadme(file: string, text: string): LintProblem[] {
  const problems: LintProblem[] = [];
  for (const paragraph of text.split(/\n\s*\n/))
    if (/repository secrets?/i.test(paragraph))
      for (const name of ['DATABASE_URL', 'HEROKU_API_KEY', 'VERCEL_TOKEN', 'SENTRY_AUTH_TOKEN'])
        if (new RegExp(`repository secrets?[^.]*\\b${name}\\b`, 'i').test(paragraph.replace(/\n/g, ' ')))
          problems.push({
            file,
            at: paragraph.split('\n')[0]!.slice(0, 60),
            message: `${name} is a deploy credential: keep it as an environment secret, where reviewers and branch policies guard it`,
          });
  return problems;
}

export function lintRepository(root: string): LintProblem[] {
  const set = loadWorkflows(root);
  const problems = [...set.docs.keys()].flatMap((f) => lintWorkflow(f, set));
  problems.push(...lintConcurrency(set));
  problems.push(...lintReadme('README.md', readFileSync(join(root, 'README.md'), 'utf8')));
  const callers = join(root, 'examples/wingmanmatch');
  if (existsSync(join(callers, '.github/workflows'))) {
    // The caller's thin workflows, checked against this repository's reusable ones and actions.
    const callerSet = loadWorkflows(callers);
    const own = [...callerSet.docs.keys()];
    for (const [k, v] of set.docs) callerSet.docs.set(`${SUITE_PREFIX}${k}`, v);
    callerSet.actions = set.actions;
    problems.push(
      ...own.flatMap((f) => lintWorkflow(f, callerSet)).map((x) => ({ ...x, file: `examples/wingmanmatch/${x.file}` })),
    );
  }
  for (const name of set.actions.keys()) {
    const file = join('actions', name, 'action.yml');
    problems.push(...lintAction(file, readFileSync(join(root, file), 'utf8'), root));
  }
  return problems;
}
