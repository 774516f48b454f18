import { describe, expect, it } from '@jest/globals';
import { PayloadError, parseStartedAt, renderPayload, runContextFrom, tsToMs } from '../src/index';

describe('renderPayload', () => {
  it('fills placeholders inside parsed strings, so quotes and newlines in values cannot break the JSON', () => {
    const out = renderPayload(
      '{"text": "{status}: {title} {report.ok} {count}", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "{note}"}}]}',
      {
        status: 'failed',
        title: 'app → prod',
        report: { ok: false },
        count: 3,
        note: 'he said "hi"\nand <left>',
      },
    );
    expect(out).toEqual({
      text: 'failed: app → prod false 3',
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'he said "hi"\nand <left>' } }],
    });
  });

  it('takes YAML, and objects are inserted as JSON text', () => {
    expect(renderPayload('text: "versions {v}"\n', { v: ['1', '2'] })).toEqual({ text: 'versions ["1","2"]' });
  });

  it('refuses unknown placeholders, non-objects, broken syntax and messages without text or blocks', () => {
    expect(() => renderPayload('{"text": "{nope}"}', { status: 'x' })).toThrow(
      /input 'payload' uses \{nope\}, which is not in details or the run values; available: status/,
    );
    expect(() => renderPayload('[1, 2]', {})).toThrow(/must be a JSON or YAML object .* got an array/);
    expect(() => renderPayload('{"text": ', {})).toThrow(PayloadError);
    expect(() => renderPayload('{"username": "bot"}', {})).toThrow(
      /neither text nor blocks, so Slack would refuse it \(no_text\)/,
    );
    expect(() => renderPayload('{"text": "x", "blocks": {"a": 1}}', {})).toThrow(/blocks must be an array/);
  });
});

describe('times', () => {
  it('reads a Slack ts and started-at values', () => {
    expect(tsToMs('1714650000.123456')).toBe(1714650000123);
    expect(tsToMs('nope')).toBeUndefined();
    expect(parseStartedAt('2026-11-02T10:15:30Z')?.toISOString()).toBe('2026-11-02T10:15:30.000Z');
    expect(parseStartedAt('1714650000')?.getTime()).toBe(1714650000000);
    expect(parseStartedAt('1714650000123')?.getTime()).toBe(1714650000123);
    expect(parseStartedAt('yesterday')).toBeUndefined();
  });
});

describe('runContextFrom', () => {
  const env = {
    GITHUB_SERVER_URL: 'https://github.example.com/',
    GITHUB_REPOSITORY: 'org/app',
    GITHUB_RUN_ID: '5',
    GITHUB_RUN_ATTEMPT: '2',
    GITHUB_SHA: 'a'.repeat(40),
    GITHUB_ACTOR: 'alice',
    GITHUB_TRIGGERING_ACTOR: 'bob',
  };

  it('reads a push: head_commit first line and author, run and commit URLs (with the attempt)', () => {
    const c = runContextFrom(env, {
      head_commit: { id: 'a'.repeat(40), message: 'Title\n\nBody', author: { name: 'Alice A' } },
    });
    expect(c).toMatchObject({
      repositoryName: 'app',
      runUrl: 'https://github.example.com/org/app/actions/runs/5/attempts/2',
      commitUrl: `https://github.example.com/org/app/commit/${'a'.repeat(40)}`,
      commitTitle: 'Title',
      commitAuthor: 'Alice A',
      actor: 'alice',
      triggeringActor: 'bob',
    });
  });

  it('reads a pull request: the head SHA (not the merge commit), title and author', () => {
    const c = runContextFrom(env, {
      number: 12,
      pull_request: {
        number: 12,
        title: 'Add scores',
        user: { login: 'carol' },
        head: { sha: 'b'.repeat(40) },
        html_url: 'https://github.example.com/org/app/pull/12',
      },
    });
    expect(c).toMatchObject({
      sha: 'b'.repeat(40),
      commitTitle: 'Add scores',
      commitAuthor: 'carol',
      pullRequest: { number: 12, url: 'https://github.example.com/org/app/pull/12' },
    });
  });
});
