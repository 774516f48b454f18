import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { SlackSimulator, validateBlocks } from '../src/slack-sim';

interface ApiBody {
  ok: boolean;
  error?: string;
  ts: string;
  message: { thread_ts?: string; [key: string]: unknown };
  [key: string]: unknown;
}

const json = (body: unknown, token?: string) => ({
  method: 'POST',
  headers: {
    'content-type': 'application/json; charset=utf-8',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  },
  body: JSON.stringify(body),
});

describe('validateBlocks (Block Kit limits)', () => {
  it('accepts a message at every limit exactly', () => {
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(150), emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: 's'.repeat(3000) } },
      { type: 'section', fields: Array.from({ length: 10 }, () => ({ type: 'mrkdwn', text: 'f'.repeat(2000) })) },
      {
        type: 'actions',
        elements: Array.from({ length: 25 }, (_, i) => ({
          type: 'button',
          text: { type: 'plain_text', text: 'b'.repeat(75) },
          url: `https://x.test/${'u'.repeat(2984)}`.slice(0, 3000),
          action_id: `a${i}`,
        })),
      },
      ...Array.from({ length: 46 }, () => ({ type: 'divider' })),
    ];
    expect(blocks).toHaveLength(50);
    expect(validateBlocks(blocks)).toEqual([]);
  });

  it('reports each limit one past it, with Slack’s message and JSON pointer', () => {
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } },
      { type: 'section', text: { type: 'mrkdwn', text: 's'.repeat(3001) } },
      { type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) },
      { type: 'section', fields: [{ type: 'mrkdwn', text: 'f'.repeat(2001) }] },
      {
        type: 'actions',
        elements: [
          { type: 'button', text: { type: 'plain_text', text: 'b'.repeat(76) }, url: 'u'.repeat(3001), action_id: 'x' },
          { type: 'button', text: { type: 'plain_text', text: 'ok' }, action_id: 'x' },
        ],
      },
      { type: 'header', text: { type: 'mrkdwn', text: 'not plain' } },
      { type: 'section', text: { type: 'mrkdwn', text: '' } },
      { type: 'section' },
      { type: 'bogus' },
    ];
    expect(validateBlocks(blocks)).toEqual([
      'must be less than 151 characters [json-pointer:/blocks/0/text/text]',
      'must be less than 3001 characters [json-pointer:/blocks/1/text/text]',
      'no more than 10 items allowed [json-pointer:/blocks/2/fields]',
      'must be less than 2001 characters [json-pointer:/blocks/3/fields/0/text]',
      'must be less than 76 characters [json-pointer:/blocks/4/elements/0/text/text]',
      'must be less than 3001 characters [json-pointer:/blocks/4/elements/0/url]',
      'must be unique within the block [json-pointer:/blocks/4/elements/1/action_id]',
      'must be one of the provided enum values [json-pointer:/blocks/5/text/type]',
      'must be more than 0 characters [json-pointer:/blocks/6/text/text]',
      'must provide either text or fields [json-pointer:/blocks/7]',
      'failed to match all allowed schemas [json-pointer:/blocks/8]',
    ]);
    expect(validateBlocks(Array.from({ length: 51 }, () => ({ type: 'divider' })))).toEqual([
      'no more than 50 items allowed [json-pointer:/blocks]',
    ]);
    expect(
      validateBlocks([
        {
          type: 'actions',
          elements: Array.from({ length: 26 }, (_, i) => ({
            type: 'button',
            text: { type: 'plain_text', text: 'b' },
            action_id: `a${i}`,
          })),
        },
      ]),
    ).toEqual(['no more than 25 items allowed [json-pointer:/blocks/0/elements]']);
  });
});

describe('SlackSimulator', () => {
  let sim: SlackSimulator;
  let clock: number;

  beforeEach(async () => {
    clock = 1_800_000_000_000;
    sim = new SlackSimulator({ now: () => clock });
    await sim.start();
    sim.addChannel({ id: 'C0DEPLOYS', name: 'deploys' });
    sim.addChannel({ id: 'C0ARCHIVE', name: 'old', archived: true });
    sim.addChannel({ id: 'C0NOTBOT1', name: 'quiet', botMember: false });
    sim.addChannel({ id: 'G0PRIVATE', name: 'secret', isPrivate: true, botMember: false });
  });

  afterEach(async () => {
    await sim.stop();
  });

  describe('incoming webhooks', () => {
    it('posts a message: 200 "ok" text body, recorded in the webhook’s channel', async () => {
      const hook = sim.addWebhook('#deploys');
      expect(hook.url).toMatch(/\/services\/T0WINGMAN1\/B0+1\/[\w-]{24}$/);
      const res = await fetch(hook.url, json({ text: 'hello', blocks: [{ type: 'divider' }] }));
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('ok');
      expect(sim.messagesIn('C0DEPLOYS')).toEqual([
        expect.objectContaining({ text: 'hello', blocks: [{ type: 'divider' }], author: `webhook:${hook.bot}` }),
      ]);
    });

    it('answers errors as text bodies with Slack’s statuses', async () => {
      const hook = sim.addWebhook('deploys');
      const base = `${sim.url}/services`;
      const cases: [string, unknown, number, string][] = [
        [`${base}/T0OTHER/${hook.bot}/${hook.secret}`, { text: 'x' }, 404, 'no_team'],
        [`${base}/${sim.teamId}/B0NOPE/${hook.secret}`, { text: 'x' }, 404, 'no_service'],
        [`${base}/${sim.teamId}/${hook.bot}/wrongsecretwrongsecret00`, { text: 'x' }, 403, 'invalid_token'],
      ];
      for (const [url, body, status, error] of cases) {
        const res = await fetch(url, json(body));
        expect([res.status, await res.text()]).toEqual([status, error]);
      }
      // Each of these is a new webhook so the per-webhook rate limit does not interfere.
      const payloadCases: [unknown, number, string][] = [
        [['not', 'an', 'object'], 400, 'invalid_payload'],
        [{ username: 'no text' }, 400, 'no_text'],
        [
          { text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] },
          400,
          'invalid_blocks',
        ],
        [{ text: 'x', blocks: 'nope' }, 400, 'invalid_blocks_format'],
      ];
      for (const [body, status, error] of payloadCases) {
        const res = await fetch(sim.addWebhook('deploys').url, json(body));
        expect([res.status, await res.text()]).toEqual([status, error]);
      }
      const archived = await fetch(sim.addWebhook('old').url, json({ text: 'x' }));
      expect([archived.status, await archived.text()]).toEqual([410, 'channel_is_archived']);
      const disabled = await fetch(sim.addWebhook('deploys', { disabled: true }).url, json({ text: 'x' }));
      expect([disabled.status, await disabled.text()]).toEqual([404, 'no_service']);
      expect(sim.messages).toHaveLength(0);
    });

    it('rate limits to about one message per second per webhook with a Retry-After', async () => {
      const hook = sim.addWebhook('deploys');
      const other = sim.addWebhook('deploys');
      expect((await fetch(hook.url, json({ text: '1' }))).status).toBe(200);
      clock += 300;
      const limited = await fetch(hook.url, json({ text: '2' }));
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('1');
      expect(await limited.text()).toBe('rate_limited');
      // Another webhook has its own budget.
      expect((await fetch(other.url, json({ text: 'other' }))).status).toBe(200);
      clock += 700;
      expect((await fetch(hook.url, json({ text: '3' }))).status).toBe(200);
      expect(sim.messages.map((m) => m.text)).toEqual(['1', 'other', '3']);
    });
  });

  describe('Web API', () => {
    const api = (method: string, body: unknown, token?: string) =>
      fetch(`${sim.apiUrl}/${method}`, json(body, token)).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as ApiBody,
        headers: r.headers,
      }));

    it('chat.postMessage posts by name or ID and answers with the channel ID and ts', async () => {
      const res = await api('chat.postMessage', { channel: '#deploys', text: 'hi' }, sim.botToken);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        ok: true,
        channel: 'C0DEPLOYS',
        ts: expect.stringMatching(/^1800000000\.\d{6}$/),
      });
      expect(res.body.message).toMatchObject({ type: 'message', text: 'hi', ts: res.body.ts });
      const byId = await api('chat.postMessage', { channel: 'C0DEPLOYS', text: 'again' }, sim.botToken);
      expect(byId.body.ts > res.body.ts).toBe(true);
    });

    it('authenticates: no token, a wrong one, a revoked one, a missing scope; form bodies may carry the token', async () => {
      expect((await api('chat.postMessage', { channel: 'deploys', text: 'x' })).body).toEqual({
        ok: false,
        error: 'not_authed',
      });
      expect((await api('chat.postMessage', { channel: 'deploys', text: 'x' }, 'xoxb-wrong')).body).toEqual({
        ok: false,
        error: 'invalid_auth',
      });
      // A JSON body's token field is ignored, as Slack does.
      expect((await api('chat.postMessage', { channel: 'deploys', text: 'x', token: sim.botToken })).body.error).toBe(
        'not_authed',
      );
      const form = await fetch(`${sim.apiUrl}/chat.postMessage`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: sim.botToken, channel: 'deploys', text: 'form' }).toString(),
      });
      expect((await form.json()) as ApiBody).toMatchObject({ ok: true });
      sim.scopes = ['channels:read'];
      expect((await api('chat.postMessage', { channel: 'deploys', text: 'x' }, sim.botToken)).body).toEqual({
        ok: false,
        error: 'missing_scope',
        needed: 'chat:write',
        provided: 'channels:read',
      });
      const revoked = new SlackSimulator({ revokedTokens: ['xoxb-old'] });
      await revoked.start();
      try {
        const r = await fetch(`${revoked.apiUrl}/chat.postMessage`, json({ channel: 'x', text: 'x' }, 'xoxb-old'));
        expect(await r.json()).toEqual({ ok: false, error: 'token_revoked' });
      } finally {
        await revoked.stop();
      }
    });

    it('answers channel errors with HTTP 200 ok:false', async () => {
      const post = (channel: string) => api('chat.postMessage', { channel, text: 'x' }, sim.botToken);
      expect(await post('nowhere')).toMatchObject({ status: 200, body: { ok: false, error: 'channel_not_found' } });
      expect((await post('old')).body.error).toBe('is_archived');
      expect((await post('quiet')).body.error).toBe('not_in_channel');
      // A private channel the bot is not in does not exist for it.
      expect((await post('secret')).body.error).toBe('channel_not_found');
      sim.scopes = ['chat:write', 'chat:write.public'];
      expect((await post('quiet')).body.ok).toBe(true);
    });

    it('refuses invalid messages: no_text, invalid_blocks with the detail lines, invalid_blocks_format, msg_too_long', async () => {
      const post = (body: object) => api('chat.postMessage', { channel: 'deploys', ...body }, sim.botToken);
      expect((await post({})).body).toEqual({ ok: false, error: 'no_text' });
      expect((await post({ blocks: '[not json' })).body.error).toBe('invalid_blocks_format');
      expect((await post({ text: 'x'.repeat(40_001) })).body.error).toBe('msg_too_long');
      const bad = await post({
        text: 'x',
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 's'.repeat(3001) } }],
      });
      expect(bad.body).toEqual({
        ok: false,
        error: 'invalid_blocks',
        errors: ['must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
        response_metadata: {
          messages: ['[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
        },
      });
      expect(sim.messages).toHaveLength(0);
    });

    it('chat.update edits the bot’s own message in place (by channel ID only) and keeps its history', async () => {
      const first = await api('chat.postMessage', { channel: 'deploys', text: 'started' }, sim.botToken);
      const ts = first.body.ts as string;
      const updated = await api('chat.update', { channel: 'C0DEPLOYS', ts, text: 'succeeded' }, sim.botToken);
      expect(updated.body).toEqual({
        ok: true,
        channel: 'C0DEPLOYS',
        ts,
        text: 'succeeded',
        message: { text: 'succeeded' },
      });
      expect(sim.topLevel('deploys')).toHaveLength(1);
      expect(sim.topLevel('deploys')[0]).toMatchObject({ text: 'succeeded', history: [{ text: 'started' }] });
      expect((await api('chat.update', { channel: 'deploys', ts, text: 'x' }, sim.botToken)).body.error).toBe(
        'channel_not_found',
      );
      expect(
        (await api('chat.update', { channel: 'C0DEPLOYS', ts: '1.000001', text: 'x' }, sim.botToken)).body.error,
      ).toBe('message_not_found');
      const hook = sim.addWebhook('deploys');
      await fetch(hook.url, json({ text: 'from a webhook' }));
      const webhookTs = sim.messagesIn('deploys').at(-1)!.ts;
      expect(
        (await api('chat.update', { channel: 'C0DEPLOYS', ts: webhookTs, text: 'x' }, sim.botToken)).body.error,
      ).toBe('cant_update_message');
    });

    it('thread_ts posts a reply into the parent’s thread', async () => {
      const parent = await api('chat.postMessage', { channel: 'deploys', text: 'parent' }, sim.botToken);
      const reply = await api(
        'chat.postMessage',
        { channel: 'deploys', text: 'reply', thread_ts: parent.body.ts },
        sim.botToken,
      );
      expect(reply.body.message.thread_ts).toBe(parent.body.ts);
      const nested = await api(
        'chat.postMessage',
        { channel: 'deploys', text: 'nested', thread_ts: reply.body.ts },
        sim.botToken,
      );
      expect(nested.body.message.thread_ts).toBe(parent.body.ts);
      expect(sim.topLevel('deploys').map((m) => m.text)).toEqual(['parent']);
      expect(sim.replies('deploys', parent.body.ts).map((m) => m.text)).toEqual(['reply', 'nested']);
    });

    it('rate limits chat.postMessage per channel after a short burst: 429, Retry-After, ratelimited', async () => {
      for (const n of [1, 2, 3])
        expect((await api('chat.postMessage', { channel: 'deploys', text: `${n}` }, sim.botToken)).status).toBe(200);
      const limited = await api('chat.postMessage', { channel: 'deploys', text: '4' }, sim.botToken);
      expect(limited.status).toBe(429);
      expect(limited.body).toEqual({ ok: false, error: 'ratelimited' });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      sim.scopes = ['chat:write', 'chat:write.public'];
      expect((await api('chat.postMessage', { channel: 'quiet', text: 'other channel' }, sim.botToken)).status).toBe(
        200,
      );
      clock += 3000;
      expect((await api('chat.postMessage', { channel: 'deploys', text: '5' }, sim.botToken)).status).toBe(200);
    });

    it('unknown methods answer unknown_method', async () => {
      const res = await api('chat.nope', {}, sim.botToken);
      expect(res).toMatchObject({ status: 404, body: { ok: false, error: 'unknown_method' } });
    });
  });
});
