import { describe, expect, it } from '@jest/globals';
import { type ExpressionContext, evaluateCondition, evaluateExpression, interpolate } from '../src/expressions';

const ctx = (status: ExpressionContext['status'] = 'success'): ExpressionContext => ({
  status,
  contexts: {
    inputs: { environment: 'production', 'heroku-app': 'wm-api', samples: 50 },
    steps: { migrate: { outputs: { 'applied-versions': '["1","2"]', applied: '2' } } },
    needs: {
      smoke: { result: 'failure', outputs: {} },
      deploy: { result: 'success', outputs: { url: 'https://x.test' } },
    },
    github: { event_name: 'push', sha: 'abc123', event: { pull_request: null, commits: [{ id: 'c1' }] } },
    secrets: { DATABASE_URL: 'postgres://x' },
  },
});

describe('expressions', () => {
  it('reads contexts with dots, hyphens, indexes and any case', () => {
    expect(evaluateExpression('steps.migrate.outputs.applied-versions', ctx())).toBe('["1","2"]');
    expect(evaluateExpression("inputs['heroku-app']", ctx())).toBe('wm-api');
    expect(evaluateExpression('github.event.commits[0].id', ctx())).toBe('c1');
    expect(evaluateExpression('INPUTS.Environment', ctx())).toBe('production');
    expect(evaluateExpression('needs.nope.outputs.url', ctx())).toBeNull();
  });

  it('compares the way the runner does: strings case-insensitively, otherwise as numbers', () => {
    expect(evaluateExpression("inputs.environment == 'PRODUCTION'", ctx())).toBe(true);
    expect(evaluateExpression('steps.migrate.outputs.applied == 2', ctx())).toBe(true);
    expect(evaluateExpression('inputs.samples > 49 && inputs.samples <= 50', ctx())).toBe(true);
    expect(evaluateExpression("needs.smoke.result != 'success'", ctx())).toBe(true);
  });

  it('returns operand values from && and ||, like the runner', () => {
    expect(evaluateExpression("inputs.missing || 'default'", ctx())).toBe('default');
    expect(evaluateExpression("inputs.environment && 'yes'", ctx())).toBe('yes');
  });

  it('calls the functions it models', () => {
    expect(evaluateExpression("contains(fromJSON(steps.migrate.outputs.applied-versions), '2')", ctx())).toBe(true);
    expect(evaluateExpression("startsWith(github.sha, 'ABC')", ctx())).toBe(true);
    expect(evaluateExpression("format('{0} → {1}', inputs.heroku-app, inputs.environment)", ctx())).toBe(
      'wm-api → production',
    );
    expect(evaluateExpression('toJSON(needs.deploy.outputs)', ctx())).toBe('{\n  "url": "https://x.test"\n}');
  });

  it('refuses what it does not model, naming the expression', () => {
    expect(() => evaluateExpression("hashFiles('**/x')", ctx())).toThrow(
      /does not model the function hashFiles\(\) in \$\{\{ hashFiles/,
    );
    expect(() => evaluateExpression('matrix.node', ctx())).toThrow(/unknown context 'matrix'/);
    expect(() => evaluateExpression("inputs.x == 'open", ctx())).toThrow(/unterminated string/);
  });
});

describe('conditions and templates', () => {
  it('adds success() unless a status function is used', () => {
    expect(evaluateCondition("inputs.environment == 'production'", ctx('failure'))).toBe(false);
    expect(evaluateCondition("${{ failure() && needs.deploy.result == 'success' }}", ctx('failure'))).toBe(true);
    expect(evaluateCondition('always()', ctx('failure'))).toBe(true);
    expect(evaluateCondition(undefined, ctx('failure'))).toBe(false);
    expect(evaluateCondition(undefined, ctx())).toBe(true);
  });

  it('keeps the type of a whole-string expression and joins mixed text', () => {
    expect(interpolate('${{ inputs.samples }}', ctx())).toBe(50);
    expect(interpolate('app ${{ inputs.heroku-app }} in ${{ inputs.environment }}', ctx())).toBe(
      'app wm-api in production',
    );
    expect(interpolate('no templates', ctx())).toBe('no templates');
  });
});
