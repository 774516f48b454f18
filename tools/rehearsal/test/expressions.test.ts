// Our layer over GitHub's expression engine: the runner's status functions and hashFiles, and block
// scalars with ${{ }} read as GitHub reads them (the editor library keeps their source indentation).
import { describe, expect, it } from '@jest/globals';
import {
  blockScalarValue,
  evaluate,
  evaluateCondition,
  evaluateExpression,
  formatExpression,
} from '../src/expressions';
import { readWorkflow } from '../src/workflow-file';

const ctx = (status: 'success' | 'failure' | 'cancelled' = 'success') => ({
  status,
  contexts: {
    inputs: { environment: 'production', 'heroku-app': 'wm-api' },
    steps: { migrate: { outputs: { 'applied-versions': '["1","2"]' }, outcome: 'success' } },
    secrets: {},
  },
});

describe('expressions', () => {
  it('evaluate with the runner semantics GitHub documents (case-insensitive compare, operand values)', () => {
    expect(evaluateExpression("inputs.environment == 'PRODUCTION' && 'yes'", ctx())).toBe('yes');
    expect(evaluateExpression("secrets.SLACK_BOT_TOKEN || 'none'", ctx())).toBe('none');
    expect(evaluateExpression("contains(fromJSON(steps.migrate.outputs.applied-versions), '2')", ctx())).toBe(true);
  });

  it('model the status functions from the job status', () => {
    expect(evaluateCondition('success()', ctx())).toBe(true);
    expect(evaluateCondition('failure()', ctx())).toBe(false);
    expect(evaluateCondition("failure() && steps.migrate.outcome == 'success'", ctx('failure'))).toBe(true);
    expect(evaluateCondition('always()', ctx('cancelled'))).toBe(true);
    expect(evaluateCondition('!cancelled()', ctx('cancelled'))).toBe(false);
  });

  it('call hashFiles in the workspace, and refuse it outside steps', () => {
    expect(
      evaluateExpression("hashFiles('a.sarif') != ''", {
        ...ctx(),
        hashFiles: (p) => (p[0] === 'a.sarif' ? 'abc' : ''),
      }),
    ).toBe(true);
    expect(() => evaluateExpression("hashFiles('a')", ctx())).toThrow(/only available in steps/);
  });

  it('read a block scalar holding ${{ }} without its source indentation, like GitHub', async () => {
    const doc = await readWorkflow(
      'w.yml',
      `on: push
jobs:
  a:
    runs-on: x
    steps:
      - uses: ./x
        with:
          targets: |
            - url: \${{ inputs.environment }}/health
              expect-json:
                - $.status == "ok"
`,
    );
    const w = evaluate(doc.jobs[0]!.steps[0]!.raw.with, ctx()) as Record<string, string>;
    expect(w.targets).toBe('- url: production/health\n  expect-json:\n    - $.status == "ok"\n');
    expect(blockScalarValue('  a ${{ x }}\n  b\n', '>-')).toBe('a ${{ x }} b');
    expect(blockScalarValue('  a\n\n  b\n\n\n', '|+')).toBe('a\n\nb\n\n\n');
  });

  it("turn interpolated text into GitHub's format() call, escaping braces and quotes", () => {
    expect(formatExpression("it's {x} ${{ inputs.a }}!")).toBe("format('it''s {{x}} {0}!', inputs.a)");
    expect(formatExpression('${{ inputs.a }}')).toBe('inputs.a');
    expect(evaluateExpression(formatExpression("{${{ inputs.environment }}}'"), ctx())).toBe("{production}'");
  });
});
