// The notify-slack bundle, run the way the runner runs it, against the Slack simulator.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { nodeRuntimes, runAction, SlackSimulator, validateBlocks, visible } from '@wingman/testkit';

const runtimes = nodeRuntimes().filter((r) => r.name === 'node20' || r.name === 'node24');
const node24 = runtimes.find((r) => r.name === 'node24')!;

let sim: SlackSimulator;

beforeEach(async () => {
  sim = new SlackSimulator();
  await sim.start();
  sim.addChannel({ id: 'C0DEPLOYS', name: 'deploys' });
});

afterEach(async () => {
  await sim.stop();
});

const botRun = (inputs: Record<string, string | undefined>, node = node24) =>
  runAction('notify-slack', {
    node,
    inputs: {
      'bot-token': sim.botToken,
      channel: '#deploys',
      'api-url': sim.apiUrl,
      environment: 'production',
      ...inputs,
    },
  });

it('runs on both Node 20 and Node 24', () => {
  expect(runtimes.map((r) => r.name)).toEqual(['node20', 'node24']);
});

describe.each(runtimes)('notify-slack bundle on $name', (node) => {
  it('started → succeeded updates one message in place (bot token), with outputs, summary and the token masked', async () => {
    const started = await botRun({ status: 'started' }, node);
    expect(started.stderr).toBe('');
    expect(started.exitCode).toBe(0);
    expect(started.outputs).toEqual({
      delivered: 'true',
      channel: 'C0DEPLOYS',
      ts: expect.stringMatching(/^\d+\.\d{6}$/),
    });
    expect(started.masks).toContain(sim.botToken);

    const done = await botRun(
      {
        status: 'succeeded',
        channel: started.outputs.channel,
        'message-ts': started.outputs.ts,
        details: 'applied-versions: \'["20250806090000"]\'\nfrontend-url: https://wingmanmatch.vercel.app\n',
        links: '# extra buttons\nSentry release = https://sentry.io/organizations/wm/releases/6113728/\n',
      },
      node,
    );
    expect(done.exitCode).toBe(0);
    expect(done.outputs).toEqual({ delivered: 'true', channel: 'C0DEPLOYS', ts: started.outputs.ts });
    const messages = sim.topLevel('deploys');
    expect(messages).toHaveLength(1);
    expect(messages[0]!.history).toHaveLength(1);
    expect(messages[0]!.text).toMatch(
      /^:white_check_mark: wingmanmatch → production: deploy succeeded — 6113728 Add match scoring migration/,
    );
    const blocks = JSON.stringify(messages[0]!.blocks);
    expect(blocks).toContain('*Applied versions*\\n20250806090000');
    expect(blocks).toContain('"url":"https://wingmanmatch.vercel.app"');
    expect(blocks).toContain(
      '"text":"Sentry release","emoji":true},"url":"https://sentry.io/organizations/wm/releases/6113728/"',
    );
    expect(blocks).toContain('https://github.com/wingman-org/wingmanmatch/actions/runs/11223344556');
    expect(done.summary).toMatch(/notify-slack: succeeded/);
    expect(done.summary).toMatch(/\| action \| updated \|/);
    expect(visible(done)).not.toContain(sim.botToken);
  });

  it('posts through an incoming webhook, masking the URL and its secret', async () => {
    const hook = sim.addWebhook('deploys');
    const result = await runAction('notify-slack', { node, inputs: { status: 'succeeded', 'webhook-url': hook.url } });
    expect(result.exitCode).toBe(0);
    expect(result.outputs).toEqual({ delivered: 'true', ts: '', channel: '' });
    expect(sim.messagesIn('deploys')).toHaveLength(1);
    expect(result.masks).toEqual(expect.arrayContaining([hook.url, hook.secret]));
    expect(visible(result)).not.toContain(hook.secret);
  });
});

describe('notify-slack bundle', () => {
  it('on failure updates the message, replies in its thread and mentions', async () => {
    const started = await botRun({ status: 'started' });
    const failed = await botRun({
      status: 'failed',
      channel: started.outputs.channel,
      'message-ts': started.outputs.ts,
      'mention-on-failure': '<!subteam^S0ONCALL1>',
      details: JSON.stringify({ report: { ok: false, checks: [{ name: 'web /', ok: false, status: 502 }] } }),
    });
    expect(failed.exitCode).toBe(0);
    expect(failed.summary).toMatch(/\| thread reply \| \d+\.\d+ \|/);
    const top = sim.topLevel('deploys');
    expect(top).toHaveLength(1);
    expect(top[0]!.text).toContain('<!subteam^S0ONCALL1>');
    expect(JSON.stringify(top[0]!.blocks)).toContain('❌ *web /* · status: 502');
    const replies = sim.replies('deploys', started.outputs.ts!);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toMatch(/^<!subteam\^S0ONCALL1> wingmanmatch → production: deploy failed/);
    expect(JSON.stringify(replies[0]!.blocks)).toContain('\\"status\\": 502');
  });

  it('oversized details are cut to fit and accepted by Slack', async () => {
    const details = Object.fromEntries(
      Array.from({ length: 80 }, (_, i) => [`check-${i}`, `${'detail '.repeat(i)}end`]),
    );
    // ~45 KB in all: over 50 blocks and Slack's cumulative size, under the 128 KB a single env var may hold.
    details.log = 'x'.repeat(20_000);
    const result = await botRun({ status: 'failed', details: JSON.stringify(details), title: 'T'.repeat(300) });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.delivered).toBe('true');
    expect(result.annotations).toEqual([]);
    const [top] = sim.topLevel('deploys');
    expect(validateBlocks(top!.blocks)).toEqual([]);
    expect(JSON.stringify(top!.blocks)).toMatch(/more details not shown: <https:\/\/github\.com\/[^|]+\|see run>/);
    expect(sim.replies('deploys', top!.ts)).toHaveLength(1);
  });

  it('a 429 is waited out (Retry-After) and the message delivered', async () => {
    const hook = sim.addWebhook('deploys');
    sim.inject('POST', `/services/${sim.teamId}/${hook.bot}/${hook.secret}`, {
      status: 429,
      body: 'rate_limited',
      headers: { 'retry-after': '1' },
    });
    const result = await runAction('notify-slack', {
      node: node24,
      inputs: { status: 'started', 'webhook-url': hook.url },
    });
    expect(result.exitCode).toBe(0);
    expect(result.outputs.delivered).toBe('true');
    expect(sim.requests).toHaveLength(2);
    expect(sim.requests[1]!.time - sim.requests[0]!.time).toBeGreaterThanOrEqual(950);
    expect(result.stdout).toMatch(/Slack webhook: 429, retry 1 in 1 s/);
    expect(visible(result)).not.toContain(hook.secret);
  });

  it('an invalid webhook is a loud warning by default and a failure with fail-on-error, never showing the secret', async () => {
    const hook = sim.addWebhook('deploys', { disabled: true });
    const warned = await runAction('notify-slack', {
      node: node24,
      inputs: { status: 'failed', 'webhook-url': hook.url },
    });
    expect(warned.exitCode).toBe(0);
    expect(warned.outputs.delivered).toBe('false');
    expect(warned.annotations).toEqual([
      {
        level: 'warning',
        title: 'Slack notification not delivered',
        message: expect.stringMatching(
          /^the Slack notification was NOT delivered: the incoming webhook does not exist \(no_service\): .*create a new webhook and update the webhook-url secret \(fail-on-error is false/,
        ),
      },
    ]);
    expect(warned.summary).toMatch(/⚠️ notify-slack: failed/);

    const failed = await runAction('notify-slack', {
      node: node24,
      inputs: { status: 'failed', 'webhook-url': hook.url, 'fail-on-error': 'true' },
    });
    expect(failed.exitCode).toBe(1);
    const errors = failed.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/^the Slack notification was NOT delivered: .*\(no_service\)/);
    for (const r of [warned, failed]) {
      expect(visible(r)).not.toContain(hook.secret);
      expect(visible(r)).not.toContain(hook.url);
    }
  });

  it('a bad token never appears, even in Slack’s refusal', async () => {
    const token = 'xoxb-9999999999-8888888888-NotTheRightTokenValue';
    const result = await botRun({ status: 'succeeded', 'bot-token': token, 'fail-on-error': 'true' });
    expect(result.exitCode).toBe(1);
    expect(result.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      expect.stringMatching(/refused bot-token \(invalid_auth\)/),
    ]);
    expect(result.masks).toContain(token);
    expect(visible(result)).not.toContain(token);
  });

  it('a bad input fails with one line before anything is sent', async () => {
    const result = await botRun({ status: 'done' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout.split('\n').filter((l) => l.startsWith('::error'))).toEqual([
      '::error::input \'status\' must be one of started, succeeded, failed, cancelled, rolled-back, success, failure, got "done"',
    ]);
    const both = await runAction('notify-slack', {
      node: node24,
      inputs: {
        status: 'started',
        'bot-token': sim.botToken,
        channel: 'deploys',
        'webhook-url': 'https://hooks.slack.com/services/T1/B1/abcdefghijklmnopqrstuvwx',
      },
    });
    expect(both.exitCode).toBe(1);
    expect(both.annotations[0]!.message).toMatch(/'webhook-url' and 'bot-token' are both set/);
    const badLink = await botRun({ status: 'started', links: 'just a label' });
    expect(badLink.exitCode).toBe(1);
    expect(badLink.annotations[0]!.message).toBe(
      `input 'links' line "just a label" must be label=https://…: one link per line`,
    );
    expect(sim.requests).toHaveLength(0);
  });
});
