import { describe, expect, it } from '@jest/globals';
import { validateBlocks } from '@wingman/testkit';
import {
  type Block,
  buildDeployMessage,
  buildThreadReply,
  type DeployMessageInput,
  escapeMrkdwn,
  fitMrkdwn,
  LIMITS,
  parseMentions,
  renderDetails,
  runContextFrom,
  STATUSES,
} from '../src/index';

const SHA = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';
const context = runContextFrom(
  {
    GITHUB_REPOSITORY: 'wingman-org/wingmanmatch',
    GITHUB_RUN_ID: '99',
    GITHUB_RUN_NUMBER: '7',
    GITHUB_WORKFLOW: 'deploy',
    GITHUB_SHA: SHA,
    GITHUB_ACTOR: 'octocat',
  },
  { head_commit: { id: SHA, message: 'Fix <script> & "quotes"\n\nbody', author: { name: 'Mona' } } },
);
const RUN = 'https://github.com/wingman-org/wingmanmatch/actions/runs/99';

function allText(blocks: Block[]): string {
  return JSON.stringify(blocks);
}

describe('buildDeployMessage', () => {
  it('has a header with the status emoji and the derived title, the facts, and a fallback text, for every status', () => {
    for (const status of STATUSES) {
      const m = buildDeployMessage({ status, context, environment: 'production', durationMs: 252_000 });
      expect(m.blocks[0]).toEqual({
        type: 'header',
        text: { type: 'plain_text', text: expect.stringMatching(/^:[a-z_]+: wingmanmatch → production$/), emoji: true },
      });
      expect(m.text).toMatch(/wingmanmatch → production: deploy /);
      expect(m.text).toContain('6113728');
      expect(validateBlocks(m.blocks)).toEqual([]);
    }
    const ok = buildDeployMessage({ status: 'succeeded', context, environment: 'production', durationMs: 252_000 });
    const facts = ok.blocks[2] as { fields: { text: string }[] };
    expect(facts.fields.map((f) => f.text)).toEqual([
      '*Environment*\nproduction',
      '*Duration*\n4m 12s',
      `*Commit*\n<https://github.com/wingman-org/wingmanmatch/commit/${SHA}|6113728> Fix &lt;script&gt; &amp; "quotes"`,
      '*Author*\nMona',
      '*Triggered by*\noctocat',
      `*Run*\n<${RUN}|deploy #7>`,
    ]);
    const actions = ok.blocks.at(-1) as { type: string; elements: { url: string; text: { text: string } }[] };
    expect(actions.type).toBe('actions');
    expect(actions.elements.map((e) => [e.text.text, e.url])).toEqual([
      ['View run', RUN],
      ['Commit 6113728', `https://github.com/wingman-org/wingmanmatch/commit/${SHA}`],
    ]);
  });

  it('uses the given title and shows no environment or duration when not known', () => {
    const m = buildDeployMessage({ status: 'started', context, title: 'Release train' });
    expect((m.blocks[0] as { text: { text: string } }).text.text).toBe(':rocket: Release train');
    expect(allText(m.blocks)).not.toContain('Duration');
    expect(allText(m.blocks)).not.toContain('Environment');
  });

  it('says "Deploy …" under the default title only: a run with its own title (a backup drill) is no deploy', () => {
    const drill = buildDeployMessage({ status: 'failed', context, title: 'Backup drill FAILED' });
    expect(allText(drill.blocks)).toContain('*Failed*');
    expect(allText(drill.blocks)).not.toContain('Deploy failed');
    expect(drill.text).toMatch(/^:x: Backup drill FAILED: failed/);
    const rollback = buildThreadReply({ status: 'rolled-back', context, title: 'Rollback of production' });
    expect(allText(rollback.blocks)).toContain('*Rolled back*');
    expect(rollback.text).toMatch(/Rollback of production: rolled back, details in this thread/);
    const deploy = buildDeployMessage({ status: 'failed', context, environment: 'production' });
    expect(allText(deploy.blocks)).toContain('*Deploy failed*');
    expect(deploy.text).toMatch(/wingmanmatch → production: deploy failed/);
  });

  it('mentions only on failed and rolled-back, in the blocks and in the notification text', () => {
    for (const status of STATUSES) {
      const m = buildDeployMessage({ status, context, mention: '<!subteam^S0ONCALL1>' });
      const expected = status === 'failed' || status === 'rolled-back';
      expect(allText(m.blocks).includes('<!subteam^S0ONCALL1>')).toBe(expected);
      expect(m.text.includes('<!subteam^S0ONCALL1>')).toBe(expected);
    }
  });

  it('renders details: short values as fields, objects as sections with status marks, URLs as buttons', () => {
    const m = buildDeployMessage({
      status: 'failed',
      context,
      details: {
        'applied-versions': '["20250801120000","20250802090000"]',
        errors: 0,
        'dry-run': false,
        'frontend-url': 'https://wingmanmatch.vercel.app',
        report: {
          ok: false,
          checks: [
            { name: 'api', ok: true, ms: 84 },
            { name: 'web', status: 'failed', code: 502 },
          ],
        },
      },
      links: [{ label: 'Sentry release', url: 'https://sentry.io/releases/abc/' }],
    });
    const text = allText(m.blocks);
    expect(text).toContain('"*Applied versions*\\n20250801120000, 20250802090000"');
    expect(text).toContain('"*Errors*\\n0"');
    expect(text).toContain('"*Dry run*\\nno"');
    const report = m.blocks.find((b) => b.type === 'section' && b.text?.text.startsWith('*Report*')) as {
      text: { text: string };
    };
    expect(report.text.text).toBe('*Report*\n❌ *ok:* no\n*checks:*\n  • ✅ *api* · ms: 84\n  • ❌ *web* · code: 502');
    const buttons = (m.blocks.at(-1) as { elements: { text: { text: string }; url: string }[] }).elements;
    expect(buttons.map((b) => b.text.text)).toEqual(['View run', 'Commit 6113728', 'Frontend URL', 'Sentry release']);
    expect(validateBlocks(m.blocks)).toEqual([]);
  });

  it('keeps oversized content within every Block Kit limit, cut with an ellipsis and a see-run link', () => {
    const huge = 'x'.repeat(10_000);
    const details: Record<string, unknown> = { log: huge, list: Array.from({ length: 500 }, (_, i) => `item-${i}`) };
    for (let i = 0; i < 80; i++) details[`key-${i}`] = `value ${i} ${'y'.repeat(i % 3 === 0 ? 2500 : 10)}`;
    const input: DeployMessageInput = {
      status: 'failed',
      context,
      title: 'T'.repeat(400),
      environment: 'e'.repeat(3000),
      details,
      mention: '<!here>',
      links: [
        ...Array.from({ length: 40 }, (_, i) => ({
          label: `L${i} ${'l'.repeat(100)}`,
          url: `https://example.test/${i}`,
        })),
        { label: 'too long', url: `https://example.test/${'u'.repeat(3100)}` },
      ],
    };
    const m = buildDeployMessage(input);
    expect(validateBlocks(m.blocks)).toEqual([]);
    expect(m.blocks.length).toBeLessThanOrEqual(LIMITS.blocks);
    const chars = allText(m.blocks).length;
    expect(chars).toBeLessThan(LIMITS.totalBlockText + 10_000); // JSON overhead included
    expect((m.blocks[0] as { text: { text: string } }).text.text).toHaveLength(150);
    expect((m.blocks[0] as { text: { text: string } }).text.text.endsWith('…')).toBe(true);
    const log = m.blocks.find((b) => b.type === 'section' && b.text?.text.startsWith('*Log*')) as {
      text: { text: string };
    };
    expect(log.text.text.length).toBeLessThanOrEqual(3000);
    expect(log.text.text).toMatch(new RegExp(`… <${RUN.replace(/[/.]/g, '\\$&')}\\|see run>$`));
    expect(allText(m.blocks)).toMatch(/… \d+ more details not shown: <[^>]+\|see run>/);
    const actions = m.blocks.find((b) => b.type === 'actions') as { elements: unknown[] };
    expect(actions.elements).toHaveLength(25);
    expect(allText(m.blocks)).toContain('*More links*');
    expect(allText(m.blocks)).not.toContain('u'.repeat(3100));
    expect(m.text.length).toBeLessThanOrEqual(LIMITS.fallbackText);
  });

  it('fits details into the last blocks even with hundreds of short keys (50-block limit)', () => {
    const details = Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`k${i}`, i]));
    const m = buildDeployMessage({ status: 'succeeded', context, details });
    expect(validateBlocks(m.blocks)).toEqual([]);
    expect(m.blocks.length).toBeLessThanOrEqual(50);
    const more = allText(m.blocks).match(/… (\d+) more details not shown/);
    expect(more).not.toBeNull();
    const shown = m.blocks
      .filter((b) => b.type === 'section' && b.fields)
      .slice(1)
      .reduce((n, b) => n + (b as { fields: unknown[] }).fields.length, 0);
    expect(shown + Number(more![1])).toBe(600);
  });
});

describe('buildThreadReply', () => {
  it('carries the mention and the complete details as JSON code blocks', () => {
    const reply = buildThreadReply({
      status: 'rolled-back',
      context,
      environment: 'production',
      mention: '<!here>',
      details: { report: '{"ok":false,"failed":["web /"]}' },
    });
    expect(reply.text).toMatch(/^<!here> wingmanmatch → production: deploy rolled back/);
    expect(allText(reply.blocks)).toContain('<!here> *Deploy rolled back* in production');
    const code = reply.blocks.find((b) => b.type === 'section' && b.text?.text.startsWith('```')) as {
      text: { text: string };
    };
    expect(code.text.text).toBe(
      '```\n{\n  "report": {\n    "ok": false,\n    "failed": [\n      "web /"\n    ]\n  }\n}\n```',
    );
    expect(validateBlocks(reply.blocks)).toEqual([]);
  });

  it('splits huge details into code blocks within the limits and says when some did not fit', () => {
    const details = { lines: Array.from({ length: 3000 }, (_, i) => `line ${i} ${'z'.repeat(40)}`) };
    const reply = buildThreadReply({ status: 'failed', context, details });
    expect(validateBlocks(reply.blocks)).toEqual([]);
    expect(allText(reply.blocks)).toContain('the details are longer than one Slack message');
    for (const b of reply.blocks)
      if (b.type === 'section' && b.text?.text.startsWith('```')) expect(b.text.text.endsWith('\n```')).toBe(true);
  });
});

describe('fitMrkdwn', () => {
  it('never cuts inside a link or an entity and closes an open code fence', () => {
    const text = `${'a'.repeat(90)}<https://example.test/very/long/path|label> more`;
    expect(fitMrkdwn(text, 100)).toBe(`${'a'.repeat(90)}…`);
    expect(fitMrkdwn(text, 100, ' <https://r|see run>')).toBe(`${'a'.repeat(79)}… <https://r|see run>`);
    const entity = fitMrkdwn(`${'b'.repeat(60)}&amp;${'c'.repeat(60)}`, 64);
    expect(entity).toBe(`${'b'.repeat(60)}…`);
    const fenced = fitMrkdwn(`\`\`\`\n${'d'.repeat(200)}\n\`\`\``, 100);
    expect(fenced.split('```').length - 1).toBe(2);
    expect(fenced.length).toBeLessThanOrEqual(100);
    expect(fitMrkdwn('short', 100, ' <x|see run>')).toBe('short');
  });

  it('does not split a surrogate pair', () => {
    const cut = fitMrkdwn('🚀'.repeat(100), 51);
    expect(cut.length).toBeLessThanOrEqual(51);
    expect(/[\uD800-\uDBFF]…$/.test(cut)).toBe(false);
  });

  it('escapes Slack’s control characters', () => {
    expect(escapeMrkdwn('a < b && c > d')).toBe('a &lt; b &amp;&amp; c &gt; d');
  });
});

describe('renderDetails', () => {
  it('decodes JSON strings, humanizes keys, links URLs and keeps key order', () => {
    const r = renderDetails({
      'smoke-report': '{"status":"passed","checks":2}',
      'Sentry release': 'abc',
      preview: ['https://a.test', 'https://b.test'],
      note: '<b>bold</b>',
    });
    expect(r.items.map((i) => i.label)).toEqual(['Smoke report', 'Sentry release', 'Note']);
    expect(r.items[0]!.text).toBe('✅ *status:* passed\n*checks:* 2');
    expect(r.items[2]!.text).toBe('&lt;b&gt;bold&lt;/b&gt;');
    expect(r.links).toEqual([
      { label: 'Preview 1', url: 'https://a.test' },
      { label: 'Preview 2', url: 'https://b.test' },
    ]);
  });
});

describe('parseMentions', () => {
  it('normalizes special mentions and IDs and reports plain names that would not notify', () => {
    expect(parseMentions('@here, <!subteam^S0ONCALL1> U012ABCDEF S0TEAMABC <@W0123456> @alice')).toEqual({
      mrkdwn: '<!here> <!subteam^S0ONCALL1> <@U012ABCDEF> <!subteam^S0TEAMABC> <@W0123456>',
      invalid: ['@alice'],
    });
    expect(parseMentions(undefined)).toEqual({ mrkdwn: undefined, invalid: [] });
  });
});

describe('runContextFrom with the commit a step deploys', () => {
  const merge = 'e'.repeat(40);
  const head = 'f'.repeat(40);
  const prEnv = { GITHUB_REPOSITORY: 'o/r', GITHUB_EVENT_NAME: 'pull_request', GITHUB_SHA: merge };
  const prEvent = { pull_request: { number: 3, title: 'Add scoring', head: { sha: head }, user: { login: 'mona' } } };

  it("keeps a pull request's head and title when given the merge commit actions/checkout checked out", () => {
    expect(runContextFrom(prEnv, prEvent, merge)).toEqual(runContextFrom(prEnv, prEvent));
    expect(runContextFrom(prEnv, prEvent, merge)).toMatchObject({ sha: head, commitTitle: 'Add scoring' });
  });

  it("names another commit, with its link, and drops the push's title and author, which are the run's", () => {
    const other = 'b'.repeat(40);
    const c = runContextFrom(
      { ...prEnv, GITHUB_EVENT_NAME: 'push', GITHUB_SHA: SHA },
      { head_commit: { id: SHA, message: 'the run', author: { name: 'Mona' } } },
      other,
    );
    expect(c).toMatchObject({ sha: other, commitUrl: `https://github.com/o/r/commit/${other}` });
    expect([c.commitTitle, c.commitAuthor]).toEqual([undefined, undefined]);
  });
});
