// notify() against the Slack simulator: real HTTP on 127.0.0.1, Slack's documented answers.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { RecordingLog } from '@wingman/log';
import { SlackSimulator, validateBlocks } from '@wingman/testkit';
import { type NotifyOptions, notify, runContextFrom } from '../src/index';

const SHA = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';
const context = runContextFrom(
  { GITHUB_REPOSITORY: 'wingman-org/wingmanmatch', GITHUB_RUN_ID: '77', GITHUB_SHA: SHA, GITHUB_ACTOR: 'octocat' },
  { head_commit: { id: SHA, message: 'Add scores', author: { name: 'Mona' } } },
);

let sim: SlackSimulator;
let clock: number;
let slept: number[];
let log: RecordingLog;

beforeEach(async () => {
  clock = 1_800_000_000_000;
  slept = [];
  log = new RecordingLog();
  sim = new SlackSimulator({ now: () => clock });
  await sim.start();
  sim.addChannel({ id: 'C0DEPLOYS', name: 'deploys' });
  sim.addChannel({ id: 'C0QUIET00', name: 'quiet', botMember: false });
});

afterEach(async () => {
  await sim.stop();
});

/** Waits advance the simulator's clock instead of the test's. */
const http = {
  sleep: async (ms: number) => {
    slept.push(ms);
    clock += ms;
  },
  minDelayMs: 10,
};

const bot = (o: Partial<NotifyOptions>): NotifyOptions => ({
  status: 'started',
  context,
  environment: 'production',
  botToken: sim.botToken,
  channel: '#deploys',
  apiUrl: sim.apiUrl,
  now: () => clock,
  log,
  http,
  ...o,
});

describe('notify with a bot token', () => {
  it('posts started, then updates the same message to succeeded with the duration since it was posted', async () => {
    const started = await notify(bot({ status: 'started' }));
    expect(started).toMatchObject({ delivered: true, via: 'api', action: 'posted', channel: 'C0DEPLOYS' });
    expect(started.error).toBeUndefined();
    clock += 252_000;
    const done = await notify(bot({ status: 'succeeded', channel: started.channel, messageTs: started.ts }));
    expect(done).toMatchObject({ delivered: true, action: 'updated', ts: started.ts, channel: 'C0DEPLOYS' });
    const messages = sim.topLevel('deploys');
    expect(messages).toHaveLength(1);
    expect(messages[0]!.history).toHaveLength(1);
    expect(messages[0]!.text).toMatch(/^:white_check_mark: wingmanmatch → production: deploy succeeded/);
    expect(JSON.stringify(messages[0]!.blocks)).toContain('*Duration*\\n4m 12s');
    expect(sim.replies('deploys', started.ts!)).toHaveLength(0);
  });

  it('on failure updates the message and replies in its thread with the mention and the details', async () => {
    const started = await notify(bot({}));
    const failed = await notify(
      bot({
        status: 'failed',
        channel: started.channel,
        messageTs: started.ts,
        mentionOnFailure: '@here S0ONCALL1',
        details: { report: { ok: false, failed: ['web /'] } },
      }),
    );
    expect(failed).toMatchObject({ delivered: true, action: 'updated' });
    expect(failed.replyTs).toBeDefined();
    const [reply] = sim.replies('deploys', started.ts!);
    expect(reply!.text).toMatch(/^<!here> <!subteam\^S0ONCALL1> wingmanmatch → production: deploy failed/);
    expect(JSON.stringify(reply!.blocks)).toContain('\\"failed\\": [');
    expect(sim.topLevel('deploys')[0]!.text).toContain('<!here>');
  });

  it('without thread-details, an updated failure still gets a short reply so the mention notifies', async () => {
    const started = await notify(bot({}));
    await notify(
      bot({
        status: 'rolled-back',
        channel: 'C0DEPLOYS',
        messageTs: started.ts,
        threadDetails: false,
        mentionOnFailure: '@channel',
        details: { a: 1 },
      }),
    );
    const replies = sim.replies('deploys', started.ts!);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toContain('<!channel>');
    expect(JSON.stringify(replies[0]!.blocks)).not.toContain('```');
    // Nothing to escalate: no reply.
    const other = await notify(bot({ status: 'rolled-back', threadDetails: false }));
    expect(sim.replies('deploys', other.ts!)).toHaveLength(0);
  });

  it('waits for Retry-After on 429 and delivers', async () => {
    for (const n of [1, 2, 3]) await notify(bot({ title: `burst ${n}` }));
    const result = await notify(bot({ title: 'after the burst' }));
    expect(result.delivered).toBe(true);
    expect(slept.length).toBeGreaterThanOrEqual(1);
    expect(slept[0]! % 1000).toBe(0); // Retry-After seconds, not a backoff guess
    expect(log.messages('info').some((m) => /Slack Web API: 429, retry 1/.test(m))).toBe(true);
    expect(sim.topLevel('deploys')).toHaveLength(4);
  });

  it('retries a 5xx and a dropped connection', async () => {
    sim.inject('POST', '/api/chat.postMessage', { status: 503, body: 'upstream' });
    sim.inject('POST', '/api/chat.postMessage', { reset: true });
    const result = await notify(bot({}));
    expect(result.delivered).toBe(true);
    expect(sim.requestsTo('POST', '/api/chat.postMessage')).toHaveLength(3);
  });

  it('maps Slack errors to one line saying what to fix, with no token in it', async () => {
    const cases: [Partial<NotifyOptions>, RegExp][] = [
      [{ botToken: 'xoxb-0000-bogus-token-value' }, /refused bot-token \(invalid_auth\).*Bot User OAuth Token/],
      [{ channel: '#nowhere' }, /found no channel '#nowhere' \(channel_not_found\): use the channel ID/],
      [{ channel: 'quiet' }, /not a member of 'quiet' \(not_in_channel\): invite it with \/invite/],
      [{ messageTs: '1700000000.000001', channel: 'C0DEPLOYS', status: 'succeeded' }, /message_not_found/],
      [
        { messageTs: '1700000000.000001', channel: '#deploys', status: 'succeeded' },
        /chat.update needs the channel ID/,
      ],
    ];
    for (const [o, pattern] of cases) {
      const result = await notify(bot(o));
      const text = result.error?.message ?? result.warnings.join(' ');
      expect(text).toMatch(pattern);
      expect(text).not.toContain(sim.botToken);
      expect(text).not.toContain('xoxb-0000-bogus-token-value');
      expect(text.split('\n')).toHaveLength(1);
    }
  });

  it('posts a new message (with a warning) when the message to update is gone', async () => {
    const result = await notify(bot({ status: 'succeeded', channel: 'C0DEPLOYS', messageTs: '1700000000.000001' }));
    expect(result).toMatchObject({ delivered: true, action: 'posted' });
    expect(result.warnings[0]).toMatch(/message_not_found.*posted a new message instead/);
  });

  it('sends a payload with placeholders instead of the built message, keeping a fallback text', async () => {
    const result = await notify(
      bot({
        status: 'succeeded',
        details: { version: 'v142' },
        payload: 'blocks:\n  - type: section\n    text: {type: mrkdwn, text: "{status} {version} on {environment}"}\n',
      }),
    );
    expect(result.delivered).toBe(true);
    const [m] = sim.topLevel('deploys');
    expect(m!.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: 'succeeded v142 on production' } }]);
    expect(m!.text).toMatch(/deploy succeeded/);
  });

  it('a payload with invalid blocks is refused by Slack and the detail names the block', async () => {
    const result = await notify(
      bot({
        payload: `{"text": "x", "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "${'h'.repeat(151)}"}}]}`,
      }),
    );
    expect(result.delivered).toBe(false);
    expect(result.error?.message).toMatch(
      /invalid_blocks\) \(must be less than 151 characters \[json-pointer:\/blocks\/0\/text\/text\]\): fix the blocks in the payload input/,
    );
  });

  it('the built message is never refused, whatever the details hold', async () => {
    const details = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`key-${i}`, 'v'.repeat(i * 37)]));
    const result = await notify(bot({ status: 'failed', details, title: 't'.repeat(500), mentionOnFailure: '@here' }));
    expect(result.error).toBeUndefined();
    expect(result.delivered).toBe(true);
    const top = sim.topLevel('deploys')[0]!;
    expect(validateBlocks(top.blocks)).toEqual([]);
    expect(sim.replies('deploys', top.ts)).toHaveLength(1);
  });

  it('refuses a configuration that cannot work', async () => {
    await expect(notify(bot({ webhookUrl: 'https://hooks.slack.com/services/T/B/x' }))).rejects.toThrow(/both set/);
    await expect(notify(bot({ botToken: undefined }))).rejects.toThrow(/set input 'webhook-url'/);
    await expect(notify(bot({ channel: undefined }))).rejects.toThrow(/input 'channel' is required/);
    await expect(notify(bot({ payload: '{"text": "{missing}"}' }))).rejects.toThrow(/\{missing\}/);
  });
});

describe('notify with an incoming webhook', () => {
  const hookOptions = (url: string, o: Partial<NotifyOptions> = {}): NotifyOptions => ({
    status: 'succeeded',
    context,
    webhookUrl: url,
    now: () => clock,
    log,
    http,
    ...o,
  });

  it('posts the message', async () => {
    const hook = sim.addWebhook('deploys');
    const result = await notify(hookOptions(hook.url, { environment: 'staging' }));
    expect(result).toMatchObject({ delivered: true, via: 'webhook', action: 'posted' });
    expect(result.ts).toBeUndefined();
    expect(sim.messagesIn('deploys')[0]!.text).toMatch(/wingmanmatch → staging: deploy succeeded/);
  });

  it('waits out the per-webhook rate limit', async () => {
    const hook = sim.addWebhook('deploys');
    await notify(hookOptions(hook.url));
    const second = await notify(hookOptions(hook.url, { status: 'failed' }));
    expect(second.delivered).toBe(true);
    expect(slept).toEqual([1000]);
    expect(sim.messagesIn('deploys')).toHaveLength(2);
  });

  it('turns webhook errors into one line without the URL or its secret', async () => {
    const hook = sim.addWebhook('deploys');
    const cases: [string, RegExp][] = [
      [
        `${sim.url}/services/${sim.teamId}/B0GONE000/${hook.secret}`,
        /does not exist \(no_service\).*create a new webhook/,
      ],
      [`${sim.url}/services/${sim.teamId}/${hook.bot}/${'w'.repeat(24)}`, /secret is wrong \(invalid_token\)/],
    ];
    for (const [url, pattern] of cases) {
      const result = await notify(hookOptions(url));
      expect(result.delivered).toBe(false);
      expect(result.error!.message).toMatch(pattern);
      expect(result.error!.message).not.toContain(hook.secret);
      expect(result.error!.message).not.toContain('w'.repeat(24));
      expect(result.error!.message).not.toContain(url);
    }
    sim.addChannel({ id: 'C0ARCHIVED', name: 'old', archived: true });
    const archived = await notify(hookOptions(sim.addWebhook('old').url));
    expect(archived.error!.message).toMatch(
      /^the webhook's channel is archived \(channel_is_archived\): unarchive it or send to another channel with a new webhook$/,
    );
  });

  it('says that message-ts needs a bot token, and posts', async () => {
    const hook = sim.addWebhook('deploys');
    const result = await notify(hookOptions(hook.url, { messageTs: '1800000000.000001' }));
    expect(result.delivered).toBe(true);
    expect(result.warnings).toEqual([expect.stringMatching(/message-ts needs bot-token/)]);
  });
});
