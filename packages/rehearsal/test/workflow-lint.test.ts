import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { type ActionMeta, lintWorkflow, type WorkflowSet } from '../src/workflow-lint';

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
      - id: m
        uses: ./actions/run-migrations
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
      - uses: ./actions/deploy-heroku
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
});
