// Every workflow and action.yml of the repository passes the workflow checks (packages/rehearsal).
import { describe, expect, it } from '@jest/globals';
import { lintRepository, loadWorkflows } from '@wingman/rehearsal';
import { REPO_ROOT } from '@wingman/testkit';

describe('the repository workflows', () => {
  it('pass every check: inputs, outputs, environments, fork safety, permissions, concurrency, pins', () => {
    expect(lintRepository(REPO_ROOT).map((p) => `${p.file} ${p.at}: ${p.message}`)).toEqual([]);
  });

  it('include the deploy, push-main, rollback, preview, ci and release workflows', () => {
    expect([...loadWorkflows(REPO_ROOT).docs.keys()].sort()).toEqual(
      ['ci', 'deploy', 'preview', 'push-main', 'release', 'rollback'].map((n) => `.github/workflows/${n}.yml`),
    );
  });
});
