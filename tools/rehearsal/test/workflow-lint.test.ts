import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from '@wingman/testkit';
import { parse } from 'yaml';
import {
  type ActionMeta,
  lintConcurrency,
  lintReadme,
  lintRepository,
  lintWorkflow,
  loadWorkflows,
  type WorkflowSet,
} from '../src/workflow-lint';

const actions = new Map<string, ActionMeta>([
  [
    'run-migrations',
    {
      inputs: { 'database-url': { required: true }, 'dry-run': { default: 'false' } },
      outputs: { applied: {}, pending: {} },
    },
  ],
  [
    'deploy-heroku',
    { inputs: { 'api-key': { required: true }, app: { required: true } }, outputs: { 'release-version': {} } },
  ],
]);

const GOOD = `
name: good
on:
  workflow_call:
    inputs:
      env: { type: string, required: true }
    secrets:
      DATABASE_URL: { required: true }
    outputs:
      applied: { value: "\${{ jobs.migrate.outputs.applied }}" }
concurrency:
  group: deploy-\${{ inputs.env }}
  cancel-in-progress: false
jobs:
  migrate:
    runs-on: ubuntu-latest
    environment: \${{ inputs.env }}
    permissions: { contents: read }
    outputs:
      applied: \${{ steps.m.outputs.applied }}
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with: { persist-credentials: false }
      - id: m
        uses: $/actions/run-migrations
        with:
          database-url: \${{ secrets.DATABASE_URL }}
  report:
    needs: migrate
    runs-on: ubuntu-latest
    permissions: {}
    steps:
      - run: echo "\${{ needs.migrate.outputs.applied }}"
`;

function lint(text: string, extra: Record<string, string> = {}) {
  const docs = new Map<string, Record<string, unknown>>();
  const texts = new Map<string, string>();
  for (const [file, t] of Object.entries({ '.github/workflows/w.yml': text, ...extra })) {
    docs.set(file, parse(t));
    texts.set(file, t);
  }
  const set: WorkflowSet = { docs, texts, actions };
  return lintWorkflow('.github/workflows/w.yml', set).map((p) => `${p.at}: ${p.message}`);
}

describe('workflow checks', () => {
  it('pass a correct workflow', () => {
    expect(lint(GOOD)).toEqual([]);
  });

  it.each([
    [
      'an unknown with: key',
      GOOD.replace('database-url: ${{ secrets', 'databse-url: ${{ secrets'),
      /has no input 'databse-url'/,
    ],
    [
      'a missing required input',
      GOOD.replace(/\s+with:\n\s+database-url: \$\{\{ secrets.DATABASE_URL \}\}/, ''),
      /requires input 'database-url'/,
    ],
    [
      'a step output that does not exist',
      GOOD.replace('steps.m.outputs.applied', 'steps.m.outputs.aplied'),
      /has no output 'aplied'/,
    ],
    [
      'a step id that does not exist',
      GOOD.replace('steps.m.outputs.applied', 'steps.x.outputs.applied'),
      /'steps.x' is not a step id/,
    ],
    [
      'a needs output that does not exist',
      GOOD.replace('needs.migrate.outputs.applied', 'needs.migrate.outputs.nope'),
      /job 'migrate' has no output 'nope'/,
    ],
    ['needs.* of a job not needed', GOOD.replace('    needs: migrate\n', ''), /does not need 'migrate'/],
    [
      'secrets without an environment',
      GOOD.replace('    environment: ${{ inputs.env }}\n', ''),
      /reads secrets but runs under no environment/,
    ],
    [
      'a job without permissions',
      GOOD.replace('    permissions: {}\n', ''),
      /job 'report' has no explicit permissions/,
    ],
    [
      'a tag instead of a SHA',
      GOOD.replace('actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2', 'actions/checkout@v4'),
      /not pinned to a full commit SHA/,
    ],
    ['a SHA without its version comment', GOOD.replace(' # v4.2.2', ''), /has no version comment/],
    [
      'cancel-in-progress: true',
      GOOD.replace('cancel-in-progress: false', 'cancel-in-progress: true'),
      /would stop a deploy half-way/,
    ],
    [
      'a workflow output naming no job output',
      GOOD.replace('jobs.migrate.outputs.applied }}" }', 'jobs.migrate.outputs.nope }}" }'),
      /jobs\.migrate\.outputs\.nope is not an output/,
    ],
  ])('catch %s', (_name, broken, message) => {
    const problems = lint(broken);
    expect(problems.join('\n')).toMatch(message);
  });

  it('refuses pull_request_target and secrets that fork pull requests could read', () => {
    const pr = `
on: [pull_request_target]
jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: preview
    permissions: { contents: read }
    steps:
      - uses: wingman-deploy/wingman-deploy/actions/deploy-heroku@0123456789abcdef0123456789abcdef01234567 # v1.0.0
        with: { api-key: "\${{ secrets.HEROKU_API_KEY }}", app: x }
`;
    expect(lint(pr).join('\n')).toMatch(/pull_request_target runs with secrets/);
    const forkOpen = pr.replace('[pull_request_target]', '[pull_request]');
    expect(lint(forkOpen).join('\n')).toMatch(/reads secrets on pull_request without skipping forks/);
    const guarded = forkOpen.replace(
      '    environment: preview\n',
      '    environment: preview\n    if: github.event.pull_request.head.repo.full_name == github.repository\n',
    );
    expect(lint(guarded)).toEqual([]);
  });

  it('check calls of reusable workflows: inputs, secrets, and concurrency on one side only', () => {
    const caller = `
on: push
jobs:
  staging:
    uses: ./.github/workflows/inner.yml
    permissions: { contents: read }
    concurrency: { group: x }
    with: { env: staging, extra: 1 }
    secrets: { DATABASE_URL: "\${{ secrets.STAGING_DB }}", OTHER: x }
`;
    const problems = lint(caller, { '.github/workflows/inner.yml': GOOD }).join('\n');
    expect(problems).toMatch(/has no input 'extra'/);
    expect(problems).toMatch(/declares no secret 'OTHER'/);
    expect(problems).toMatch(/concurrency is declared both here and in/);
  });

  it('refuse a call whose workflow asks for more token permissions than the calling job grants, as GitHub does', () => {
    const inner = GOOD.replace('permissions: { contents: read }', 'permissions: { contents: read, actions: read }');
    expect(inner).not.toBe(GOOD);
    const caller = (perms: string) => `
on: push
permissions: {}
jobs:
  staging:
    uses: ./.github/workflows/inner.yml
    permissions: ${perms}
    with: { env: staging }
    secrets: inherit
`;
    expect(lint(caller('{ contents: read }'), { '.github/workflows/inner.yml': inner })).toEqual([
      expect.stringMatching(
        /The nested job 'migrate' is requesting 'actions: read', but is only allowed 'actions: none'/,
      ),
    ]);
    expect(lint(caller('{ contents: read, actions: read }'), { '.github/workflows/inner.yml': inner })).toEqual([]);
    expect(lint(caller('read-all'), { '.github/workflows/inner.yml': inner })).toEqual([]);
  });

  it('catch each of the eight defects of the workflows before the redesign, and pass them after it', () => {
    const before = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/before');
    const set = loadWorkflows(before, '.');
    const found = [...[...set.docs.keys()].flatMap((f) => lintWorkflow(f, set)), ...lintConcurrency(set)].map(
      (x) => `${x.file} ${x.at}: ${x.message}`,
    );
    const expectOne = (re: RegExp) => expect(found.filter((f) => re.test(f)).length).toBeGreaterThan(0);
    // 1. ./actions in a called workflow; 2. ./ without a checkout in the job.
    expectOne(
      /deploy\.yml jobs\.migrate\.steps\[1\]\.uses: \.\/actions\/run-migrations in a reusable workflow resolves in the caller's checkout/,
    );
    expectOne(
      /rollback\.yml jobs\.smoke\.steps\[0\]\.uses: \.\/actions\/smoke-health runs in a job with no actions\/checkout/,
    );
    // 3. several jobs under one environment: one approval each.
    expectOne(
      /deploy\.yml jobs: jobs migrate, verify-schema, deploy-backend, deploy-frontend, promote-frontend, sentry, rollback all reference environment/,
    );
    // 4. both Slack credentials.
    expectOne(/deploy\.yml jobs\.notify-started\.steps\[0\]\.with\.webhook-url: notify-slack gets both/);
    // 5. a frontend deploy with nothing that builds it.
    expectOne(
      /deploy\.yml jobs\.deploy-frontend\.steps\[1\]: deploy-vercel deploys .* nothing in job 'deploy-frontend' builds it/,
    );
    // 7. a shared concurrency group without queue: max.
    expectOne(/rollback\.yml concurrency: concurrency group 'deploy-\$\{\{ inputs\.environment \}\}' is shared/);
    // 8. contents: write for the whole CI run, and a persisted token where nothing pushes.
    expectOne(
      /release\.yml jobs\.release\.permissions: job 'release' has contents: write and also runs the build and tests/,
    );
    const persisted = lint(GOOD.replace('        with: { persist-credentials: false }\n', ''));
    expect(persisted.join('\n')).toMatch(
      /actions\/checkout leaves the token in \.git\/config but no step of job 'migrate' pushes/,
    );
    // 6. deploy credentials as repository secrets in the README's instructions.
    const readme = lintReadme('README.md', readFileSync(join(before, 'README.md'), 'utf8')).map((x) => x.message);
    expect(readme).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^HEROKU_API_KEY is a deploy credential/),
        expect.stringMatching(/^VERCEL_TOKEN/),
      ]),
    );
    // After the redesign: the repository, the README and the example's callers pass every check.
    expect(lintRepository(REPO_ROOT)).toEqual([]);
  });
});
