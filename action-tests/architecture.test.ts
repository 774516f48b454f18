// The README's architecture picture is what biome.json enforces and what the workspace declares.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from '@wingman/testkit';
import {
  allowed,
  expectedReadmeArchitecture,
  layersFromBiome,
  violations,
  workspaceUnits,
} from '../scripts/architecture';

describe('architecture', () => {
  const layers = layersFromBiome(REPO_ROOT);

  it("shows in the README the layers biome.json enforces (run 'pnpm action-docs' to refresh)", () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).toBe(expectedReadmeArchitecture(readme, REPO_ROOT));
    expect(readme).toContain('```mermaid');
  });

  it('every declared dependency and every import of the workspace keeps to the layers', () => {
    const units = workspaceUnits(REPO_ROOT);
    expect(units.map((u) => u.folder)).toEqual(expect.arrayContaining(['packages/log', 'actions/run-migrations']));
    expect(violations(layers, units)).toEqual([]);
  });

  it('reads the rules the way Biome applies them: a domain package may not reach the runner or dev tools', () => {
    expect(allowed(layers, 'packages/heroku', '@wingman/http')).toBe(true);
    expect(allowed(layers, 'packages/heroku', '@wingman/action-kit')).toBe(false);
    expect(allowed(layers, 'packages/heroku', '@actions/core')).toBe(false);
    expect(allowed(layers, 'packages/http', '@wingman/time')).toBe(true);
    expect(allowed(layers, 'packages/http', '@wingman/heroku')).toBe(false);
    expect(allowed(layers, 'packages/log', 'zod')).toBe(false);
    expect(allowed(layers, 'actions/deploy-heroku', '@wingman/testkit')).toBe(false);
    const breach = [{ folder: 'packages/slack', name: '@wingman/slack', deps: ['@wingman/action-kit'], imports: [] }];
    expect(violations(layers, breach)).toEqual(['packages/slack → @wingman/action-kit']);
    const undeclared = [{ folder: 'packages/slack', name: '@wingman/slack', deps: [], imports: ['@wingman/time'] }];
    expect(violations(layers, undeclared)).toEqual(['packages/slack imports @wingman/time without declaring it']);
  });
});
