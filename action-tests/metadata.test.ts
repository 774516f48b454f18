// action.yml, the zod input spec and the README say the same thing, for every action.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { actionNames, expectedReadme, inputsYaml, ROOT } from '../scripts/action-docs';

describe.each(actionNames())('actions/%s', (name) => {
  const yml = parse(readFileSync(join(ROOT, 'actions', name, 'action.yml'), 'utf8'));

  it('declares every input exactly as its zod spec does (description, default, required)', async () => {
    expect(yml.inputs).toEqual(parse(await inputsYaml(name)).inputs);
  });

  it('runs on node24 from its committed bundle (a post step from the same bundle, and always)', () => {
    const { post, 'post-if': postIf, ...runs } = yml.runs;
    expect(runs).toEqual({ using: 'node24', main: `../../dist/${name}/index.js` });
    // A post step cleans up after main (resumes what it paused): it must run when the job failed too.
    if (post !== undefined || postIf !== undefined)
      expect({ post, postIf }).toEqual({ post: runs.main, postIf: 'always()' });
    expect(existsSync(join(ROOT, 'dist', name, 'index.js'))).toBe(true);
  });

  it("has a README whose inputs and outputs tables match action.yml (run 'pnpm action-docs' to refresh)", () => {
    const { current, expected } = expectedReadme(name);
    expect(current).toBe(expected);
  });
});
