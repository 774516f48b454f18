import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startPostgres, type TestDatabase } from '@wingman/testkit';
import { WorkflowError, WorkflowRunner } from '../src/runner';

let db: TestDatabase;
beforeAll(async () => {
  db = await startPostgres();
});
afterAll(async () => {
  await db.stop();
});

const runner = (gates: string[] = []) =>
  new WorkflowRunner({
    environmentSecrets: { production: { TOKEN: 'from-the-environment' } },
    github: { sha: 'abc', event_name: 'push', event: { ref: 'refs/heads/main' } },
    vars: { DB: db.url },
    approve: (env) => {
      gates.push(env);
      return true;
    },
  });

describe('WorkflowRunner', () => {
  it('runs jobs in needs order, wires with: and outputs through a reusable workflow, and passes approval gates', async () => {
    const gates: string[] = [];
    const run = await runner(gates).run('packages/rehearsal/test/fixtures/outer.yml', {}, { TOKEN: 'passed' });
    expect(run.jobs.call!.result).toBe('success');
    expect(run.jobs.report!.outputs.line).toBe('applied 0 / success');
    expect(gates).toEqual(['production']);
    // A job under an environment reads that environment's secret over the one passed in.
    expect(run.jobs.report!.outputs.token).toBe('from-the-environment');
    const migrate = run.steps.find((s) => s.action === 'run-migrations')!;
    expect(migrate.result).toBe('success');
    expect(migrate.outputs.pending).toBe('8');
    expect(run.steps.map((s) => s.job)).toEqual(
      expect.arrayContaining(['call / migrate', 'call / maybe-fail', 'call / after-success', 'report']),
    );
    expect(run.steps.some((s) => s.job === 'call / after-failure')).toBe(false);
  });

  it('runs failure() jobs and skips success ones when a job fails, and reports the failure upwards', async () => {
    const run = await runner().run('packages/rehearsal/test/fixtures/outer.yml', { fail: true }, {});
    expect(run.jobs.call!.result).toBe('failure');
    expect(run.jobs.report!.outputs.line).toBe('applied 0 / failure');
    expect(run.steps.some((s) => s.job === 'call / after-failure')).toBe(true);
    expect(run.steps.some((s) => s.job === 'call / after-success')).toBe(false);
  });

  it('refuses inputs the workflow does not declare', async () => {
    await expect(runner().run('packages/rehearsal/test/fixtures/outer.yml', { nope: 1 }, {})).rejects.toThrow(
      WorkflowError,
    );
  });
});
