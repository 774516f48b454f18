import { describe, expect, it } from '@jest/globals';
import { overallState, PREVIEW_COMMENT_MARKER, parsePreviewParts, renderPreviewComment } from '../src/preview-comment';

describe('the full-stack preview comment', () => {
  const at = new Date('2026-12-05T20:31:07.123Z');

  it('renders each part with its state, URL and one line; figures below; marker first', () => {
    const body = renderPreviewComment(
      { title: 'Full-stack preview', pr: 7, sha: 'abcdef0123', runUrl: 'https://github.com/o/r/actions/runs/1' },
      [
        { name: 'Database', state: 'ready', detail: 'wingman_pr_7' },
        { name: 'Backend', state: 'ready', url: 'https://api-pr-7.herokuapp.com/', detail: 'v5' },
        { name: 'Frontend', state: 'failed', detail: 'Vercel build failed: a | b\nsecond line' },
      ],
      [
        ['migrations applied', '20250810000000'],
        ['smoke P95 ms', ''],
      ],
      at,
    );
    expect(body.split('\n')).toEqual([
      PREVIEW_COMMENT_MARKER,
      '### ❌ Full-stack preview of #7 has a failed part',
      '',
      '| part | state | URL | |',
      '|---|---|---|---|',
      '| Database | ✅ ready |  | wingman_pr_7 |',
      '| Backend | ✅ ready | https://api-pr-7.herokuapp.com/ | v5 |',
      '| Frontend | ❌ failed |  | Vercel build failed: a \\| b second line |',
      '',
      '| | |',
      '|---|---|',
      '| migrations applied | 20250810000000 |',
      '',
      'Commit `abcdef0` · updated 2026-12-05 20:31:07 UTC · [run](https://github.com/o/r/actions/runs/1)',
      '',
    ]);
  });

  it('says building, ready or removed for the stack as a whole; skipped parts do not count', () => {
    expect(
      overallState([
        { name: 'a', state: 'ready' },
        { name: 'b', state: 'building' },
      ]),
    ).toBe('building');
    expect(
      overallState([
        { name: 'a', state: 'ready' },
        { name: 'b', state: 'skipped' },
      ]),
    ).toBe('ready');
    expect(
      overallState([
        { name: 'a', state: 'removed' },
        { name: 'b', state: 'skipped' },
      ]),
    ).toBe('removed');
    expect(
      overallState([
        { name: 'a', state: 'removed' },
        { name: 'b', state: 'failed' },
      ]),
    ).toBe('failed');
  });

  it('reads the parts a workflow writes, and says where they are wrong', () => {
    expect(parsePreviewParts([{ name: 'Backend', state: 'ready', url: '', detail: 5 }])).toEqual([
      { name: 'Backend', state: 'ready', url: undefined, detail: '5' },
    ]);
    expect(parsePreviewParts([{ name: 'Backend', state: 'done' }])).toEqual({
      error: expect.stringMatching(/^at 0\.state: /),
    });
    expect(parsePreviewParts('Backend: ready')).toEqual({ error: expect.stringMatching(/^at the top: /) });
  });
});
