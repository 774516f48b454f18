// Every workflow and action.yml of the repository passes the workflow checks (tools/rehearsal).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { lintRepository, loadWorkflows, readWorkflow } from '@wingman/rehearsal';
import { REPO_ROOT } from '@wingman/testkit';
import { parse as parseYaml } from 'yaml';

describe('the repository workflows', () => {
  it('pass every check: inputs, outputs, environments, fork safety, permissions, concurrency, pins', () => {
    expect(lintRepository(REPO_ROOT).map((p) => `${p.file} ${p.at}: ${p.message}`)).toEqual([]);
  });

  it('are the reusable deploy, rollback, migration-repair and preview, plus ci and release; the callers live in the example app', () => {
    expect([...loadWorkflows(REPO_ROOT).docs.keys()].sort()).toEqual(
      [
        'backup-drill',
        'ci',
        'deploy',
        'feature-flag',
        'migration-repair',
        'preview-sweep',
        'preview',
        'release',
        'rollback',
      ].map((n) => `.github/workflows/${n}.yml`),
    );
    expect([...loadWorkflows(join(REPO_ROOT, 'examples/wingmanmatch')).docs.keys()].sort()).toEqual(
      [
        'backup-drill',
        'deploy-ref',
        'feature-flag',
        'migration-repair',
        'preview',
        'previews-sweep',
        'push-main',
        'rollback',
      ].map((n) => `.github/workflows/${n}.yml`),
    );
  });

  it("pass GitHub's own workflow schema (the parser GitHub's editor tooling validates with)", async () => {
    for (const root of [REPO_ROOT, join(REPO_ROOT, 'examples/wingmanmatch')])
      for (const [file, text] of loadWorkflows(root).texts)
        expect([file, (await readWorkflow(file, text)).errors]).toEqual([file, []]);
  });

  it('let the backend out of maintenance on always(): after a failed step and on cancellation too', () => {
    const deploy = parseYaml(readFileSync(join(REPO_ROOT, '.github/workflows/deploy.yml'), 'utf8')) as {
      jobs: { deploy: { steps: { id?: string; if?: string; with?: Record<string, string> }[] } };
    };
    const steps = deploy.jobs.deploy.steps;
    const at = (id: string) => steps.findIndex((s) => s.id === id);
    const off = steps[at('maintenance-off')]!;
    // GitHub runs a step whose condition has always() after failures and cancellation; success() (the
    // default) would skip it and leave every request on the maintenance page.
    expect(off.if).toBe('always() && inputs.maintenance-during-migrations');
    expect(off.with).toMatchObject({ mode: 'maintenance', maintenance: 'off' });
    expect(steps[at('maintenance-on')]!.with).toMatchObject({ mode: 'maintenance', maintenance: 'on' });
    expect(at('maintenance-on')).toBeLessThan(at('migrate'));
    expect([at('heroku') < at('maintenance-off'), at('maintenance-off') < at('smoke')]).toEqual([true, true]);
  });

  it('show in the README exactly the caller workflows the rehearsal runs', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    // Every caller workflow of the example, so a new one cannot go undocumented.
    const callers = readdirSync(join(REPO_ROOT, 'examples/wingmanmatch/.github/workflows'));
    expect(callers).toContain('push-main.yml');
    for (const name of callers.map((f) => f.replace(/\.yml$/, ''))) {
      const m = new RegExp(`\`\\.github/workflows/${name}\\.yml\`[^\\n]*:\\n\\n\`\`\`yaml\\n([\\s\\S]*?)\`\`\``).exec(
        readme,
      );
      expect(m?.[1]).toBe(
        readFileSync(join(REPO_ROOT, 'examples/wingmanmatch/.github/workflows', `${name}.yml`), 'utf8'),
      );
    }
  });
});
