// The rehearsal's runner against GitHub's documented behaviour. The workflows of before the redesign
// (fixtures/before) must fail here the way they would fail on GitHub; the model's rules are each
// checked on small workflows. Actions are stand-ins that write fixed outputs, since what is tested is
// the runner, not the actions.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from '@wingman/testkit';
import { parseDocument } from 'yaml';
import { evaluate } from '../src/expressions';
import { ConcurrencyGroups } from '../src/github-model';
import { type RunnerOptions, WorkflowError, WorkflowRunner } from '../src/runner';
import { readWorkflow } from '../src/workflow-file';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const SUITE = 'wingman-deploy/wingman-deploy';
const CALLER = 'wingman-org/wingmanmatch';
const SUITE_SHA = 'a'.repeat(40);
const CALLER_SHA = 'c'.repeat(40);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const STUB_OUTPUTS = [
  'ts=1700000000.000100',
  'applied-versions=[]',
  'release-version=v9',
  'previous-release-version=v8',
  'app-url=https://app.test/',
  'url=https://frontend.test/',
  'deployment-id=dpl_stub',
  'healthy=true',
  'p95-ms=12',
];
const ACTION_NAMES = [
  'notify-slack',
  'run-migrations',
  'verify-schema',
  'deploy-heroku',
  'deploy-vercel',
  'smoke-health',
  'sentry-release',
];

/** A repository folder: workflow files, and stub node actions under actions/<name>. */
function repository(workflows: Record<string, string>, withActions: boolean): string {
  const root = mkdtempSync(join(tmpdir(), 'wingman-repo-'));
  dirs.push(root);
  for (const [file, text] of Object.entries(workflows)) {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  if (withActions)
    for (const name of ACTION_NAMES) {
      const dir = join(root, 'actions', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'action.yml'),
        `name: ${name}\ndescription: stub\nruns:\n  using: node24\n  main: index.mjs\n`,
      );
      writeFileSync(
        join(dir, 'index.mjs'),
        `import { appendFileSync } from 'node:fs';\nappendFileSync(process.env.GITHUB_OUTPUT, ${JSON.stringify(`${STUB_OUTPUTS.join('\n')}\n`)});\n`,
      );
    }
  return root;
}

const fixture = (name: string) => readFileSync(join(FIXTURES, 'before', name), 'utf8');

/** Adds actions/checkout as the first step of every job that has steps and none. */
function withCheckouts(text: string): string {
  const doc = parseDocument(text);
  const jobs = doc.get('jobs') as { items: { value: { get(k: string): unknown } }[] };
  for (const item of jobs.items) {
    const steps = item.value.get('steps') as { items: { get(k: string): unknown }[] } | undefined;
    if (!steps) continue;
    if (steps.items.some((s) => String(s.get('uses') ?? '').startsWith('actions/checkout'))) continue;
    (steps.items as unknown[]).unshift(
      doc.createNode({ uses: 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683' }),
    );
  }
  return doc.toString();
}

const VARS = {
  HEROKU_STAGING_APP: 'wm-staging',
  HEROKU_PRODUCTION_APP: 'wm-production',
  VERCEL_PROJECT_ID: 'prj_1',
  SENTRY_ORG: 'wm',
  SENTRY_PROJECTS: 'backend',
  SLACK_CHANNEL: 'C1',
};

function runner(suiteRoot: string, callerRoot: string, caller = CALLER, extra: Partial<RunnerOptions> = {}) {
  return new WorkflowRunner({
    repositories: [
      { name: SUITE, root: suiteRoot, sha: SUITE_SHA, refs: ['v1', 'main'] },
      { name: CALLER, root: callerRoot, sha: CALLER_SHA, refs: ['main'] },
    ],
    repository: caller,
    settings: {
      secrets: {},
      vars: VARS,
      environments: {
        staging: { branches: ['main'], secrets: { HEROKU_API_KEY: 'staging-key' } },
        production: {
          reviewers: ['release-managers'],
          branches: ['main'],
          secrets: { HEROKU_API_KEY: 'production-key' },
        },
      },
    },
    github: {
      event_name: 'push',
      sha: caller === SUITE ? SUITE_SHA : CALLER_SHA,
      ref: 'refs/heads/main',
      event: { ref: 'refs/heads/main' },
    },
    ...extra,
  });
}

/** The README's caller of that time, pointed at the suite from another repository. */
const remotePushMain = () =>
  fixture('push-main.yml').replaceAll(
    'uses: ./.github/workflows/deploy.yml',
    `uses: ${SUITE}/.github/workflows/deploy.yml@v1`,
  );

describe('the rehearsal runs workflows as GitHub does', () => {
  it("fails today's deploy.yml, called from another repository, at its first step with the runner's message", async () => {
    const suite = repository({ '.github/workflows/deploy.yml': fixture('deploy.yml') }, true);
    const caller = repository({ '.github/workflows/push-main.yml': remotePushMain() }, false);
    const run = await runner(suite, caller).run('.github/workflows/push-main.yml');
    expect(run.jobs.staging!.result).toBe('failure');
    expect(run.jobs.production!.result).toBe('skipped');
    const first = run.steps[0]!;
    expect(first.job).toBe('staging / notify-started');
    expect(first.error).toMatch(
      /^Can't find 'action\.yml', 'action\.yaml' or 'Dockerfile' under '.*\/actions\/notify-slack'\. Did you forget to run actions\/checkout before running your local action\?$/,
    );
    // Nothing but the always() job ran after it: migrate needs notify-started.
    expect(run.steps.map((s) => s.job)).toEqual(['staging / notify-started', 'staging / notify-result']);
    expect(run.report.approvals).toEqual([]);
  });

  it('with a checkout in every job (same repository), asks production reviewers once per job that references the environment', async () => {
    const suite = repository(
      {
        '.github/workflows/deploy.yml': withCheckouts(fixture('deploy.yml')),
        '.github/workflows/push-main.yml': fixture('push-main.yml'),
      },
      true,
    );
    const approvals: string[] = [];
    const run = await runner(suite, suite, SUITE, {
      approve: (env, job) => {
        approvals.push(`${env}: ${job}`);
        return true;
      },
    }).run('.github/workflows/push-main.yml');
    expect(run.jobs.production!.result).toBe('success');
    const production = run.report.approvals.filter((a) => a.environment === 'production');
    expect(production.length).toBeGreaterThanOrEqual(5);
    expect(approvals).toEqual(
      expect.arrayContaining(['production: production / migrate', 'production: production / deploy-backend']),
    );
    // Every job under the environment created its own deployment record, and each started a runner.
    expect(run.report.deployments.filter((d) => d.environment === 'production').length).toBe(production.length);
    expect(run.report.runnerStarts.filter((j) => j.startsWith('production /')).length).toBeGreaterThanOrEqual(8);
  });

  it('fails a job that uses ./ without a checkout, even in the same repository', async () => {
    const suite = repository(
      {
        '.github/workflows/w.yml': `on: push
jobs:
  notify:
    runs-on: ubuntu-latest
    steps:
      - uses: ./actions/notify-slack
`,
      },
      true,
    );
    const run = await runner(suite, suite, SUITE).run('.github/workflows/w.yml');
    expect(run.jobs.notify!.result).toBe('failure');
    expect(run.steps[0]!.error).toMatch(/Did you forget to run actions\/checkout/);
  });

  it('lists a skipped step in the steps context, outcome and conclusion skipped, as GitHub does', async () => {
    const suite = repository(
      {
        '.github/workflows/w.yml': `on: push
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      seen: \${{ steps.never.outcome }}/\${{ steps.never.conclusion }}/\${{ steps.absent.outcome }}
    steps:
      - id: never
        if: false
        run: echo never
      - run: echo ran
`,
      },
      true,
    );
    const run = await runner(suite, suite, SUITE).run('.github/workflows/w.yml');
    expect(run.jobs.build!.result).toBe('success');
    // A step the job does not have is not in the context at all.
    expect(run.jobs.build!.outputs.seen).toBe('skipped/skipped/');
  });

  it('runs post steps at the job end in reverse order, with the saved state, under post-if against the job status', async () => {
    const suite = repository(
      {
        '.github/workflows/w.yml': `on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - id: a
        uses: $/actions/paired
        with: { name: "first \${{ job.status }}" }
      - uses: $/actions/paired
        with: { name: second }
      - if: false
        uses: $/actions/paired
        with: { name: skipped }
      - uses: $/actions/on-success
      - run: exit 1
`,
      },
      false,
    );
    const paired = join(suite, 'actions', 'paired');
    mkdirSync(paired, { recursive: true });
    writeFileSync(
      join(paired, 'action.yml'),
      'name: paired\ndescription: stub\ninputs:\n  name:\n    required: true\nruns:\n  using: node24\n  main: index.mjs\n  post: index.mjs\n',
    );
    writeFileSync(
      join(paired, 'index.mjs'),
      `import { appendFileSync } from 'node:fs';
if (process.env.STATE_opened) appendFileSync(process.env.GITHUB_STEP_SUMMARY, 'closed ' + process.env.STATE_opened + (process.env.INPUT_NAME.endsWith('failure') ? ' (post saw failure)' : ''));
else appendFileSync(process.env.GITHUB_STATE, 'opened=' + process.env.INPUT_NAME + '\\n');
`,
    );
    const onSuccess = join(suite, 'actions', 'on-success');
    mkdirSync(onSuccess, { recursive: true });
    writeFileSync(
      join(onSuccess, 'action.yml'),
      'name: on-success\ndescription: stub\nruns:\n  using: node24\n  main: index.mjs\n  post: index.mjs\n  post-if: success()\n',
    );
    writeFileSync(join(onSuccess, 'index.mjs'), '');
    const run = await runner(suite, suite, SUITE).run('.github/workflows/w.yml');
    expect(run.jobs.build!.result).toBe('failure');
    // After the failing step: second's post, then first's; none for the skipped step, none where post-if
    // is success() and the job failed.
    expect(run.steps.filter((s) => s.step.startsWith('Post ')).map((s) => [s.step, s.summary])).toEqual([
      ['Post $/actions/paired', 'closed second'],
      ['Post $/actions/paired', 'closed first success (post saw failure)'],
    ]);
    expect(run.steps.at(-1)!.step).toBe('Post $/actions/paired');
  });

  it('refuses a job container: the rehearsal runs no containers', async () => {
    const suite = repository(
      {
        '.github/workflows/w.yml': `on: push
jobs:
  build:
    runs-on: ubuntu-latest
    container:
      image: postgres:17
    steps:
      - run: pg_dump --version
`,
      },
      false,
    );
    const run = await runner(suite, suite, SUITE).run('.github/workflows/w.yml');
    expect(run.jobs.build!.result).toBe('failure');
    expect(run.steps[0]!.error).toMatch(/job container postgres:17: the rehearsal runs no containers/);
  });

  it('fails a called workflow that uses ./actions when the caller is another repository, even after a checkout', async () => {
    const suite = repository({ '.github/workflows/deploy.yml': withCheckouts(fixture('deploy.yml')) }, true);
    const caller = repository({ '.github/workflows/push-main.yml': remotePushMain() }, false);
    const run = await runner(suite, caller).run('.github/workflows/push-main.yml');
    expect(run.jobs.staging!.result).toBe('failure');
    // The checkout filled the workspace with the caller's repository, which has no actions/.
    const first = run.steps.filter((s) => s.job === 'staging / notify-started');
    expect(first.map((s) => s.step)).toEqual([
      'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683',
      './actions/notify-slack',
    ]);
    expect(run.steps[1]!.error).toMatch(/Can't find 'action\.yml'/);
  });

  it('resolves $/ to the repository and commit of the workflow file that contains it', async () => {
    const suite = repository(
      {
        '.github/workflows/called.yml': `on:
  workflow_call:
    outputs:
      repo: { value: "\${{ jobs.j.outputs.repo }}" }
      sha: { value: "\${{ jobs.j.outputs.sha }}" }
      url: { value: "\${{ jobs.j.outputs.url }}" }
jobs:
  j:
    runs-on: ubuntu-latest
    outputs:
      repo: \${{ job.workflow_repository }}
      sha: \${{ job.workflow_sha }}
      url: \${{ steps.s.outputs.url }}
    steps:
      - id: s
        uses: $/actions/deploy-vercel
`,
      },
      true,
    );
    const caller = repository(
      {
        '.github/workflows/c.yml': `on: push
jobs:
  call:
    uses: ${SUITE}/.github/workflows/called.yml@v1
  show:
    needs: call
    runs-on: ubuntu-latest
    steps:
      - run: test "\${{ needs.call.outputs.url }}" = "https://frontend.test/"
`,
      },
      false,
    );
    const run = await runner(suite, caller).run('.github/workflows/c.yml');
    expect(run.jobs.call!.outputs).toEqual({ repo: SUITE, sha: SUITE_SHA, url: 'https://frontend.test/' });
    expect(run.jobs.show!.result).toBe('success');
    // An unknown tag is the runner's error, not a silent fallback.
    const pinned = repository(
      { '.github/workflows/c.yml': `on: push\njobs:\n  call:\n    uses: ${SUITE}/.github/workflows/called.yml@v2\n` },
      false,
    );
    await expect(runner(suite, pinned).run('.github/workflows/c.yml')).rejects.toThrow(/unable to find version `v2`/);
  });

  it('keeps repository and environment secrets apart; inherit passes all, a mapping only what it names', async () => {
    const echo = (names: string[]) =>
      names
        .map(
          (n) =>
            `      - run: echo "${n.toLowerCase()}=\${{ secrets.${n} }}" >> "$GITHUB_OUTPUT"\n        id: ${n.toLowerCase()}`,
        )
        .join('\n');
    const outputs = (names: string[]) =>
      names
        .map((n) => `      ${n.toLowerCase()}: \${{ steps.${n.toLowerCase()}.outputs.${n.toLowerCase()} }}`)
        .join('\n');
    const names = ['SHARED', 'ENV_ONLY', 'MAPPED'];
    const called = `on:
  workflow_call:
    secrets:
      MAPPED: { required: false }
    outputs:
      plain: { value: "\${{ toJSON(jobs.plain.outputs) }}" }
      env: { value: "\${{ toJSON(jobs.env.outputs) }}" }
jobs:
  plain:
    runs-on: ubuntu-latest
    outputs:
${outputs(names)}
    steps:
${echo(names)}
  env:
    runs-on: ubuntu-latest
    environment: staging
    outputs:
${outputs(names)}
    steps:
${echo(names)}
`;
    const caller = repository(
      {
        '.github/workflows/called.yml': called,
        '.github/workflows/c.yml': `on: push
jobs:
  inherit:
    uses: ./.github/workflows/called.yml
    secrets: inherit
  mapped:
    uses: ./.github/workflows/called.yml
    secrets:
      MAPPED: \${{ secrets.SHARED }}
`,
      },
      false,
    );
    const run = await new WorkflowRunner({
      repositories: [{ name: CALLER, root: caller, sha: CALLER_SHA, refs: ['main'] }],
      repository: CALLER,
      settings: {
        secrets: { SHARED: 'from-repository' },
        vars: {},
        environments: { staging: { secrets: { SHARED: 'from-environment', ENV_ONLY: 'env-only' } } },
      },
      github: { event_name: 'push', sha: CALLER_SHA, ref: 'refs/heads/main', event: {} },
    }).run('.github/workflows/c.yml');
    const get = (job: string, key: string) => JSON.parse(run.jobs[job]!.outputs[key]!);
    expect(get('inherit', 'plain')).toEqual({ shared: 'from-repository', env_only: '', mapped: '' });
    expect(get('inherit', 'env')).toEqual({ shared: 'from-environment', env_only: 'env-only', mapped: '' });
    expect(get('mapped', 'plain')).toEqual({ shared: '', env_only: '', mapped: 'from-repository' });
    expect(get('mapped', 'env')).toEqual({
      shared: 'from-environment',
      env_only: 'env-only',
      mapped: 'from-repository',
    });
  });

  it("refuses a branch the environment's deployment policy does not allow, and cancels a rejected approval", async () => {
    const suite = repository(
      {
        '.github/workflows/w.yml': `on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: echo deployed
`,
      },
      false,
    );
    const options = (ref: string, approve: boolean) =>
      ({
        repositories: [{ name: SUITE, root: suite, sha: SUITE_SHA, refs: ['main'] }],
        repository: SUITE,
        settings: {
          secrets: {},
          vars: {},
          environments: { production: { reviewers: ['r'], branches: ['main', 'release/*'] } },
        },
        github: { event_name: 'push', sha: SUITE_SHA, ref, event: {} },
        approve: () => approve,
      }) satisfies RunnerOptions;
    const feature = await new WorkflowRunner(options('refs/heads/feature/x', true)).run('.github/workflows/w.yml');
    expect(feature.jobs.deploy!.result).toBe('failure');
    expect(feature.steps[0]!.error).toBe(
      'Branch "feature/x" is not allowed to deploy to production due to environment protection rules.',
    );
    const release = await new WorkflowRunner(options('refs/heads/release/1.2', true)).run('.github/workflows/w.yml');
    expect(release.jobs.deploy!.result).toBe('success');
    const rejected = await new WorkflowRunner(options('refs/heads/main', false)).run('.github/workflows/w.yml');
    expect(rejected.jobs.deploy!.result).toBe('cancelled');
    expect(rejected.report.runnerStarts).toEqual([]);
  });

  it('refuses inputs the called workflow does not declare, and required ones left out', async () => {
    const suite = repository({ '.github/workflows/deploy.yml': fixture('deploy.yml') }, true);
    const bad = repository(
      {
        '.github/workflows/c.yml': `on: push\njobs:\n  call:\n    uses: ${SUITE}/.github/workflows/deploy.yml@v1\n    with: { environment: staging, heroku-app: a, vercel-project-id: p, nope: 1 }\n`,
      },
      false,
    );
    await expect(runner(suite, bad).run('.github/workflows/c.yml')).rejects.toThrow(WorkflowError);
    await expect(runner(suite, bad).run('.github/workflows/c.yml')).rejects.toThrow(/nope is not defined/);
    const missing = repository(
      {
        '.github/workflows/c.yml': `on: push\njobs:\n  call:\n    uses: ${SUITE}/.github/workflows/deploy.yml@v1\n    with: { environment: staging, vercel-project-id: p }\n`,
      },
      false,
    );
    await expect(runner(suite, missing).run('.github/workflows/c.yml')).rejects.toThrow(
      /input required and not supplied: heroku-app/,
    );
  });
});

describe('concurrency groups', () => {
  it('keep one running and one pending run; a newer pending run cancels the older one', () => {
    const g = new ConcurrencyGroups();
    expect(g.enter('push 1', { group: 'deploy-production' })).toBe('running');
    expect(g.enter('rollback', { group: 'deploy-production' })).toBe('pending');
    expect(g.enter('push 2', { group: 'deploy-production' })).toBe('pending');
    expect(g.cancelled).toEqual(['rollback']);
    expect(g.leave('deploy-production')).toBe('push 2');
  });

  it('queue in order with queue: max, and cancel the running one with cancel-in-progress', () => {
    const g = new ConcurrencyGroups();
    g.enter('push 1', { group: 'x', queue: 'max' });
    g.enter('rollback', { group: 'x', queue: 'max' });
    g.enter('push 2', { group: 'x', queue: 'max' });
    expect(g.cancelled).toEqual([]);
    expect(g.state('x')).toEqual({ running: 'push 1', pending: ['rollback', 'push 2'] });
    expect(g.leave('x')).toBe('rollback');
    g.enter('push 3', { group: 'x', cancelInProgress: true });
    expect(g.cancelled).toEqual(['rollback', 'push 2']);
  });

  const settingOf = async (file: string, environment: string) => {
    const doc = await readWorkflow(file, readFileSync(file, 'utf8'));
    const c = evaluate(doc.raw.concurrency, { contexts: { inputs: { environment } }, status: 'success' }) as Record<
      string,
      string
    >;
    return {
      group: c.group!,
      cancelInProgress: c['cancel-in-progress'] as unknown as boolean,
      queue: c.queue as 'max' | undefined,
    };
  };

  it('never let a push cancel a pending rollback with the workflows as they are (and did before the redesign)', async () => {
    const deploy = await settingOf(join(REPO_ROOT, '.github/workflows/deploy.yml'), 'production');
    const rollback = await settingOf(join(REPO_ROOT, '.github/workflows/rollback.yml'), 'production');
    expect(rollback.group).toBe(deploy.group);
    const now = new ConcurrencyGroups();
    now.enter('push 1', deploy);
    now.enter('rollback', rollback);
    now.enter('push 2', deploy);
    expect(now.cancelled).toEqual([]);
    expect(now.leave(deploy.group)).toBe('rollback');

    const before = new ConcurrencyGroups();
    const old = await settingOf(join(FIXTURES, 'before/rollback.yml'), 'production');
    const oldDeploy = await settingOf(join(FIXTURES, 'before/deploy.yml'), 'production');
    before.enter('push 1', oldDeploy);
    before.enter('rollback', old);
    before.enter('push 2', oldDeploy);
    expect(before.cancelled).toEqual(['rollback']);
  });
});

describe('workflow files', () => {
  it("are validated with GitHub's schema before anything runs", async () => {
    const doc = await readWorkflow('bad.yml', 'on: push\njobs:\n  a:\n    runs-on: x\n    stepz: []\n');
    expect(doc.errors.join('\n')).toMatch(/stepz/);
    const suite = repository(
      { '.github/workflows/bad.yml': 'on: push\njobs:\n  a:\n    runs-on: x\n    stepz: []\n' },
      false,
    );
    await expect(runner(suite, suite, SUITE).run('.github/workflows/bad.yml')).rejects.toThrow(/stepz/);
  });
});
