import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { RecordingLog } from '@wingman/log';
import type { VercelSimulator } from '@wingman/testkit';
import { pullRequestOfAlias, sweepPreviewAliases, type VercelApi } from '../src';
import { startVercelFixture } from './helpers';

const TOKEN = 'vercel_sim_token_sweep_0123456789ab';

describe('pullRequestOfAlias', () => {
  it('reads the number where {pr} stands, other placeholders matching any DNS-safe text', () => {
    expect(pullRequestOfAlias('wingmanmatch-pr-{pr}.vercel.app', 'wingmanmatch-pr-12.vercel.app')).toBe(12);
    expect(pullRequestOfAlias('https://pr-{pr}-{branch}.preview.example.app/', 'pr-3-feat-x.preview.example.app')).toBe(
      3,
    );
    // Not of the template: another project's alias, a dot that is not any character, no {pr} at all.
    expect(pullRequestOfAlias('wingmanmatch-pr-{pr}.vercel.app', 'other-pr-12.vercel.app')).toBeUndefined();
    expect(pullRequestOfAlias('wingmanmatch-pr-{pr}.vercel.app', 'wingmanmatch-pr-12xvercel.app')).toBeUndefined();
    expect(pullRequestOfAlias('{branch}.preview.example.app', 'main.preview.example.app')).toBeUndefined();
  });
});

describe('sweepPreviewAliases', () => {
  let sim: VercelSimulator;
  let api: VercelApi;
  let project: { id: string; name: string };
  let log: RecordingLog;
  let fixture: Awaited<ReturnType<typeof startVercelFixture>>;
  beforeEach(async () => {
    fixture = await startVercelFixture(TOKEN, 10);
    ({ sim, project, api, log } = fixture);
  });
  afterEach(() => fixture.stop());

  const deployWith: typeof fixture.deployWith = (...args) => fixture.deployWith(...args);

  it("removes the aliases of closed pull requests only: open ones, unreadable ones and others' aliases stay", async () => {
    await deployWith('preview', ['web-pr-3.vercel.app', 'web-pr-3-api.vercel.app']);
    await deployWith('preview', ['web-pr-4.vercel.app']);
    await deployWith('preview', ['web-pr-5.vercel.app']);
    await deployWith('preview', ['staging-web.vercel.app']);
    await deployWith('production', ['web-prod.vercel.app']);
    const state: Record<number, 'open' | 'closed'> = { 3: 'closed', 4: 'open' };
    const result = await sweepPreviewAliases({
      api,
      projectId: project.id,
      templates: ['web-pr-{pr}.vercel.app', 'web-pr-{pr}-api.vercel.app', '{branch}-web.vercel.app'],
      isOpen: async (pr) => {
        if (!state[pr]) throw new Error('GitHub said 502');
        return state[pr] === 'open';
      },
      log,
    });
    expect(result).toEqual({
      removed: [3],
      kept: [4],
      unknown: [5],
      aliases: { 3: expect.arrayContaining(['web-pr-3.vercel.app', 'web-pr-3-api.vercel.app']) },
    });
    expect(sim.aliasTarget('web-pr-3.vercel.app')).toBeUndefined();
    expect(sim.aliasTarget('web-pr-3-api.vercel.app')).toBeUndefined();
    for (const kept of ['web-pr-4.vercel.app', 'web-pr-5.vercel.app', 'staging-web.vercel.app', 'web-prod.vercel.app'])
      expect([kept, sim.aliasTarget(kept)]).toEqual([kept, expect.any(String)]);
    expect(log.messages('warning')).toEqual([
      expect.stringMatching(/could not read pull request #5, its preview aliases are kept/),
    ]);
    expect(log.messages('notice')).toContainEqual(
      expect.stringMatching(/alias '\{branch\}-web\.vercel\.app' has no \{pr\}/),
    );
  });

  it('reads every page of the project aliases, also where a page ends among aliases made together', async () => {
    // 130 aliases, made three at a time (one creation time each): Vercel's pages hold 100 at most, and
    // the first page ends inside a three (the 100th is the first of aliases 99-101).
    const id = await deployWith('preview', []);
    const base = Date.now() - 3_600_000;
    const many = Array.from({ length: 130 }, (_, i) => `web-pr-${1000 + i}.vercel.app`);
    for (const [i, a] of many.entries()) sim.seedAlias(a, id, base - Math.floor(i / 3));
    const result = await sweepPreviewAliases({
      api,
      projectId: project.id,
      templates: ['web-pr-{pr}.vercel.app'],
      isOpen: async (pr) => pr % 2 === 0,
      log,
    });
    expect(result.removed).toHaveLength(65);
    expect(result.kept).toHaveLength(65);
    expect(many.filter((a) => sim.aliasTarget(a))).toHaveLength(65);
  });

  it('refuses templates that cannot tell pull requests apart', async () => {
    await expect(
      sweepPreviewAliases({
        api,
        projectId: project.id,
        templates: ['{branch}.example.app'],
        isOpen: async () => false,
        log,
      }),
    ).rejects.toThrow(/input 'aliases' has no template with \{pr\}/);
  });
});
