// Slack simulator: incoming webhooks and the Web API's chat.postMessage / chat.update (with threads),
// modelled on Slack's documented contract rather than "accept everything":
//  - Web API errors are HTTP 200 {ok:false, error} (docs.slack.dev/apis/web-api#responses); the error
//    strings are the ones the method documents (slack-api-specs web-api/slack_web_openapi_v2.json).
//  - Incoming webhook errors are plain-text bodies with 400/403/404/410 (the 2016-05 webhook error
//    changelog and the webhook guide's "handling errors" table); success is 200 "ok".
//  - Rate limits answer 429 with Retry-After in whole seconds: about one message per second per webhook,
//    and chat.postMessage about one per second per channel, short bursts allowed.
//  - Blocks are checked against Block Kit's documented limits; a violation is invalid_blocks with the
//    detail lines Slack sends ("must be less than 3001 characters [json-pointer:/blocks/0/text/text]").
import { randomBytes } from 'node:crypto';
import { type SimRequest, type SimResponse, Simulator } from './simulator';

export interface SlackSimChannel {
  id: string;
  name: string;
  isPrivate?: boolean;
  archived?: boolean;
  /** The bot is a member (it was invited). Default true. */
  botMember?: boolean;
}

export interface SlackSimWebhook {
  team: string;
  bot: string;
  secret: string;
  channel: string;
  disabled?: boolean;
  url: string;
}

export interface SlackSimMessageVersion {
  text?: string;
  blocks?: unknown[];
}

export interface SlackSimMessage {
  channel: string;
  ts: string;
  text?: string;
  blocks?: unknown[];
  thread_ts?: string;
  /** 'bot' for chat.postMessage with the bot token, 'webhook:<B…>' for a webhook post. */
  author: string;
  /** Earlier versions, oldest first, kept by chat.update. */
  history: SlackSimMessageVersion[];
  edited?: { ts: string };
}

export interface RateLimit {
  /** One message per this many ms, sustained. */
  intervalMs: number;
  /** Messages allowed back to back before the limit applies. */
  burst: number;
}

export interface SlackSimOptions {
  teamId?: string;
  /** The bot token that is valid (xoxb-…). */
  botToken?: string;
  /** Scopes of the bot token. Default chat:write. */
  scopes?: string[];
  /** Tokens Slack knows but that were revoked (token_revoked). */
  revokedTokens?: string[];
  webhookRate?: RateLimit;
  /** chat.postMessage per channel. */
  postRate?: RateLimit;
  now?: () => number;
}

// Documented in the Block Kit reference: a message holds up to 50 blocks; header text 150; section text
// 3000, fields 10 of 2000 each; context 10 elements; actions 25 elements; button text 75, url 3000,
// value 2000, action_id 255; block_id 255; any text object at least 1 character.
const BLOCK_TYPES = new Set([
  'section',
  'header',
  'context',
  'actions',
  'divider',
  'image',
  'rich_text',
  'markdown',
  'input',
  'file',
  'video',
]);

/** Validates a blocks array; returns Slack's error lines (empty when valid). */
export function validateBlocks(blocks: unknown): string[] {
  const errors: string[] = [];
  const at = (pointer: string, message: string) => errors.push(`${message} [json-pointer:${pointer}]`);
  const maxLen = (value: unknown, max: number, pointer: string) => {
    if (typeof value !== 'string') {
      at(pointer, 'expected string');
      return;
    }
    if (value.length === 0) at(pointer, 'must be more than 0 characters');
    else if (value.length > max) at(pointer, `must be less than ${max + 1} characters`);
  };
  const textObject = (t: unknown, max: number, pointer: string, plainOnly = false) => {
    if (!t || typeof t !== 'object' || Array.isArray(t)) {
      at(pointer, 'expected object');
      return;
    }
    const o = t as Record<string, unknown>;
    if (o.type !== 'plain_text' && o.type !== 'mrkdwn')
      at(`${pointer}/type`, 'must be one of the provided enum values');
    else if (plainOnly && o.type !== 'plain_text') at(`${pointer}/type`, 'must be one of the provided enum values');
    if (o.emoji !== undefined && o.type === 'mrkdwn') at(`${pointer}/emoji`, 'additional property not allowed');
    maxLen(o.text, max, `${pointer}/text`);
  };

  if (!Array.isArray(blocks)) {
    at('/blocks', 'expected array');
    return errors;
  }
  if (blocks.length > 50) at('/blocks', 'no more than 50 items allowed');
  blocks.forEach((raw, i) => {
    const p = `/blocks/${i}`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      at(p, 'expected object');
      return;
    }
    const b = raw as Record<string, unknown>;
    if (typeof b.type !== 'string' || !BLOCK_TYPES.has(b.type)) {
      at(p, 'failed to match all allowed schemas');
      return;
    }
    if (b.block_id !== undefined) maxLen(b.block_id, 255, `${p}/block_id`);
    switch (b.type) {
      case 'header':
        textObject(b.text, 150, `${p}/text`, true);
        break;
      case 'section': {
        if (b.text === undefined && b.fields === undefined) at(p, 'must provide either text or fields');
        if (b.text !== undefined) textObject(b.text, 3000, `${p}/text`);
        if (b.fields !== undefined) {
          if (!Array.isArray(b.fields)) at(`${p}/fields`, 'expected array');
          else {
            if (b.fields.length > 10) at(`${p}/fields`, 'no more than 10 items allowed');
            b.fields.forEach((f, j) => {
              textObject(f, 2000, `${p}/fields/${j}`);
            });
          }
        }
        break;
      }
      case 'context': {
        if (!Array.isArray(b.elements) || b.elements.length === 0) at(`${p}/elements`, 'must provide at least 1 item');
        else {
          if (b.elements.length > 10) at(`${p}/elements`, 'no more than 10 items allowed');
          b.elements.forEach((e, j) => {
            const el = e as Record<string, unknown>;
            if (el?.type === 'image') return;
            textObject(e, 3000, `${p}/elements/${j}`);
          });
        }
        break;
      }
      case 'actions': {
        if (!Array.isArray(b.elements) || b.elements.length === 0) at(`${p}/elements`, 'must provide at least 1 item');
        else {
          if (b.elements.length > 25) at(`${p}/elements`, 'no more than 25 items allowed');
          const ids = new Set<string>();
          b.elements.forEach((e, j) => {
            const ep = `${p}/elements/${j}`;
            const el = (e ?? {}) as Record<string, unknown>;
            if (el.type !== 'button') return; // other interactive elements are not modelled
            textObject(el.text, 75, `${ep}/text`, true);
            if (el.url !== undefined) maxLen(el.url, 3000, `${ep}/url`);
            if (el.value !== undefined) maxLen(el.value, 2000, `${ep}/value`);
            if (el.action_id !== undefined) {
              maxLen(el.action_id, 255, `${ep}/action_id`);
              if (typeof el.action_id === 'string') {
                if (ids.has(el.action_id)) at(`${ep}/action_id`, 'must be unique within the block');
                ids.add(el.action_id);
              }
            }
            if (el.style !== undefined && el.style !== 'primary' && el.style !== 'danger')
              at(`${ep}/style`, 'must be one of the provided enum values');
          });
        }
        break;
      }
      case 'image':
        if (typeof b.alt_text !== 'string') at(`${p}/alt_text`, 'expected string');
        break;
      default:
        break;
    }
  });
  return errors;
}

class Bucket {
  private readonly hits = new Map<string, number[]>();
  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number,
  ) {}
  /** ms to wait before `key` may send again, or 0 (and the send is counted). */
  take(key: string): number {
    const t = this.now();
    const window = this.limit.intervalMs * this.limit.burst;
    const recent = (this.hits.get(key) ?? []).filter((h) => t - h < window);
    if (recent.length >= this.limit.burst) {
      this.hits.set(key, recent);
      return recent[0]! + window - t;
    }
    recent.push(t);
    this.hits.set(key, recent);
    return 0;
  }
}

type Fields = Record<string, unknown>;

export class SlackSimulator extends Simulator {
  readonly teamId: string;
  readonly botToken: string;
  readonly channels: SlackSimChannel[] = [];
  readonly webhooks: SlackSimWebhook[] = [];
  readonly messages: SlackSimMessage[] = [];
  scopes: string[];
  private readonly revoked: Set<string>;
  private readonly webhookBucket: Bucket;
  private readonly postBucket: Bucket;
  private readonly now: () => number;
  private tsCounter = 0;

  constructor(options: SlackSimOptions = {}) {
    super({ name: 'Slack' });
    this.requestIdHeader = 'x-slack-req-id';
    this.teamId = options.teamId ?? 'T0WINGMAN1';
    this.botToken = options.botToken ?? 'xoxb-1111111111-2222222222-SimulatedBotTokenValue';
    this.scopes = options.scopes ?? ['chat:write'];
    this.revoked = new Set(options.revokedTokens ?? []);
    this.now = options.now ?? Date.now;
    this.webhookBucket = new Bucket(options.webhookRate ?? { intervalMs: 1000, burst: 1 }, this.now);
    this.postBucket = new Bucket(options.postRate ?? { intervalMs: 1000, burst: 3 }, this.now);
    this.route('POST', '/services/:team/:bot/:secret', (req) => this.webhook(req), { auth: false });
    this.route('POST', '/api/chat.postMessage', (req) => this.api(req, (f) => this.postMessage(f)), { auth: false });
    this.route('POST', '/api/chat.update', (req) => this.api(req, (f) => this.update(f)), { auth: false });
  }

  /** The Web API base URL for clients (the api-url input). */
  get apiUrl(): string {
    return `${this.url}/api`;
  }

  addChannel(channel: Omit<SlackSimChannel, 'id'> & { id?: string }): SlackSimChannel {
    const c: SlackSimChannel = {
      botMember: true,
      ...channel,
      id: channel.id ?? `C${String(this.channels.length + 1).padStart(8, '0')}`,
    };
    this.channels.push(c);
    return c;
  }

  /** Creates an incoming webhook for a channel (by ID or name); start() the simulator first for its URL. */
  addWebhook(channel: string, options: { disabled?: boolean } = {}): SlackSimWebhook {
    const c = this.findChannel(channel);
    if (!c) throw new Error(`SlackSimulator: no channel ${channel}; addChannel first`);
    const n = this.webhooks.length + 1;
    const bot = `B${String(n).padStart(8, '0')}`;
    // 24 characters like Slack's, random so a test can prove it never leaks.
    const secret = randomBytes(18).toString('base64url').slice(0, 24);
    const hook: SlackSimWebhook = {
      team: this.teamId,
      bot,
      secret,
      channel: c.id,
      disabled: options.disabled,
      url: `${this.url}/services/${this.teamId}/${bot}/${secret}`,
    };
    this.webhooks.push(hook);
    return hook;
  }

  findChannel(idOrName: string): SlackSimChannel | undefined {
    const name = idOrName.replace(/^#/, '');
    return this.channels.find((c) => c.id === idOrName || c.name === name);
  }

  messagesIn(channel: string): SlackSimMessage[] {
    const c = this.findChannel(channel);
    return this.messages.filter((m) => m.channel === c?.id);
  }

  /** Top-level messages (not thread replies) of a channel. */
  topLevel(channel: string): SlackSimMessage[] {
    return this.messagesIn(channel).filter((m) => !m.thread_ts || m.thread_ts === m.ts);
  }

  replies(channel: string, threadTs: string): SlackSimMessage[] {
    return this.messagesIn(channel).filter((m) => m.thread_ts === threadTs && m.ts !== threadTs);
  }

  private nextTs(): string {
    this.tsCounter += 1;
    const seconds = Math.floor(this.now() / 1000);
    return `${seconds}.${String(this.tsCounter).padStart(6, '0')}`;
  }

  private static parseBlocks(value: unknown): { blocks?: unknown[]; bad?: boolean } {
    if (value === undefined || value === '') return {};
    let v = value;
    if (typeof v === 'string') {
      try {
        v = JSON.parse(v);
      } catch {
        return { bad: true };
      }
    }
    return Array.isArray(v) ? { blocks: v } : { bad: true };
  }

  // ---- incoming webhooks -------------------------------------------------------------------------

  private webhook(req: SimRequest): SimResponse {
    const text = (status: number, body: string, headers?: Record<string, string>): SimResponse => ({
      status,
      body,
      headers: { 'content-type': 'text/html', ...headers },
    });
    const { team, bot, secret } = req.params as { team: string; bot: string; secret: string };
    if (team !== this.teamId) return text(404, 'no_team');
    const hook = this.webhooks.find((h) => h.bot === bot);
    if (!hook || hook.disabled) return text(404, 'no_service');
    if (hook.secret !== secret) return text(403, 'invalid_token');
    const wait = this.webhookBucket.take(hook.bot);
    if (wait > 0) return text(429, 'rate_limited', { 'retry-after': String(Math.max(1, Math.ceil(wait / 1000))) });

    let payload: unknown = req.body;
    // The legacy form encoding: payload=<json>.
    if (payload && typeof payload === 'object' && !Buffer.isBuffer(payload) && 'payload' in payload) {
      try {
        payload = JSON.parse(String((payload as Fields).payload));
      } catch {
        return text(400, 'invalid_payload');
      }
    }
    if (!payload || typeof payload !== 'object' || Buffer.isBuffer(payload) || Array.isArray(payload))
      return text(400, 'invalid_payload');
    const p = payload as Fields;
    const channel = this.channels.find((c) => c.id === hook.channel);
    if (!channel) return text(404, 'channel_not_found');
    if (channel.archived) return text(410, 'channel_is_archived');
    const parsed = SlackSimulator.parseBlocks(p.blocks);
    if (parsed.bad) return text(400, 'invalid_blocks_format');
    const textValue = typeof p.text === 'string' ? p.text : undefined;
    if (!textValue && !parsed.blocks?.length && !p.attachments) return text(400, 'no_text');
    if (parsed.blocks && validateBlocks(parsed.blocks).length) return text(400, 'invalid_blocks');
    this.messages.push({
      channel: channel.id,
      ts: this.nextTs(),
      text: textValue,
      blocks: parsed.blocks,
      author: `webhook:${hook.bot}`,
      history: [],
    });
    return text(200, 'ok');
  }

  // ---- Web API -----------------------------------------------------------------------------------

  private api(req: SimRequest, handler: (fields: Fields) => SimResponse): SimResponse {
    const fail = (error: string, extra: Fields = {}): SimResponse => ({
      status: 200,
      body: { ok: false, error, ...extra },
    });
    const type = String(req.headers['content-type'] ?? '');
    const body = (req.body && typeof req.body === 'object' && !Buffer.isBuffer(req.body) ? req.body : {}) as Fields;
    if (req.rawBody.length && !type.includes('json') && !type.includes('x-www-form-urlencoded'))
      return fail('invalid_post_type');
    // JSON bodies must carry the token in the Authorization header; forms may carry it as a field.
    const header = String(req.headers.authorization ?? '');
    const token = header.startsWith('Bearer ')
      ? header.slice(7)
      : type.includes('x-www-form-urlencoded') && typeof body.token === 'string'
        ? body.token
        : undefined;
    if (!token) return fail('not_authed');
    if (this.revoked.has(token)) return fail('token_revoked');
    if (token !== this.botToken) return fail('invalid_auth');
    if (!this.scopes.includes('chat:write'))
      return fail('missing_scope', { needed: 'chat:write', provided: this.scopes.join(',') });
    return handler(body);
  }

  private checkMessage(f: Fields): { error?: SimResponse; text?: string; blocks?: unknown[] } {
    const fail = (error: string, extra: Fields = {}) => ({
      error: { status: 200, body: { ok: false, error, ...extra } },
    });
    const parsed = SlackSimulator.parseBlocks(f.blocks);
    if (parsed.bad) return fail('invalid_blocks_format');
    const text = typeof f.text === 'string' ? f.text : undefined;
    if (!text && !parsed.blocks?.length && !f.attachments) return fail('no_text');
    if (text && text.length > 40_000) return fail('msg_too_long');
    if (parsed.blocks) {
      const errors = validateBlocks(parsed.blocks);
      if (errors.length)
        return fail('invalid_blocks', {
          errors,
          response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) },
        });
    }
    return { text, blocks: parsed.blocks };
  }

  private channelFor(f: Fields, idOnly: boolean): { channel?: SlackSimChannel; error?: string; retryAfter?: number } {
    const ref = typeof f.channel === 'string' ? f.channel.trim() : '';
    if (!ref) return { error: 'channel_not_found' };
    // chat.postMessage takes an ID or a name; chat.update only the ID.
    const channel = idOnly ? this.channels.find((c) => c.id === ref) : this.findChannel(ref);
    if (!channel) return { error: 'channel_not_found' };
    // A private channel the bot is not in is invisible to it.
    if (channel.isPrivate && channel.botMember === false) return { error: 'channel_not_found' };
    return { channel };
  }

  private postMessage(f: Fields): SimResponse {
    const fail = (error: string) => ({ status: 200, body: { ok: false, error } });
    const { channel, error } = this.channelFor(f, false);
    if (!channel) return fail(error!);
    if (channel.archived) return fail('is_archived');
    if (channel.botMember === false && !this.scopes.includes('chat:write.public')) return fail('not_in_channel');
    const checked = this.checkMessage(f);
    if (checked.error) return checked.error;
    const wait = this.postBucket.take(channel.id);
    if (wait > 0)
      return {
        status: 429,
        headers: { 'retry-after': String(Math.max(1, Math.ceil(wait / 1000))) },
        body: { ok: false, error: 'ratelimited' },
      };
    let threadTs: string | undefined;
    if (typeof f.thread_ts === 'string' && f.thread_ts) {
      const parent = this.messages.find((m) => m.channel === channel.id && m.ts === f.thread_ts);
      // A reply to a reply joins the parent's thread.
      threadTs = parent?.thread_ts ?? f.thread_ts;
      if (parent && !parent.thread_ts) parent.thread_ts = parent.ts;
    }
    const ts = this.nextTs();
    const message: SlackSimMessage = {
      channel: channel.id,
      ts,
      text: checked.text,
      blocks: checked.blocks,
      thread_ts: threadTs,
      author: 'bot',
      history: [],
    };
    this.messages.push(message);
    return {
      status: 200,
      body: {
        ok: true,
        channel: channel.id,
        ts,
        message: {
          type: 'message',
          subtype: 'bot_message',
          text: checked.text ?? '',
          ts,
          ...(checked.blocks ? { blocks: checked.blocks } : {}),
          ...(threadTs ? { thread_ts: threadTs } : {}),
        },
      },
    };
  }

  private update(f: Fields): SimResponse {
    const fail = (error: string) => ({ status: 200, body: { ok: false, error } });
    const { channel, error } = this.channelFor(f, true);
    if (!channel) return fail(error!);
    const ts = typeof f.ts === 'string' ? f.ts : '';
    const message = this.messages.find((m) => m.channel === channel.id && m.ts === ts);
    if (!message) return fail('message_not_found');
    if (message.author !== 'bot') return fail('cant_update_message');
    const checked = this.checkMessage(f);
    if (checked.error) return checked.error;
    message.history.push({ text: message.text, blocks: message.blocks });
    message.text = checked.text;
    message.blocks = checked.blocks;
    message.edited = { ts: this.nextTs() };
    return {
      status: 200,
      body: {
        ok: true,
        channel: channel.id,
        ts,
        text: checked.text ?? '',
        message: { text: checked.text ?? '', ...(checked.blocks ? { blocks: checked.blocks } : {}) },
      },
    };
  }

  protected override notFound(req: SimRequest): SimResponse {
    // slack.com/api/<unknown method> answers unknown_method; anything else is a plain 404.
    if (req.path.startsWith('/api/')) return { status: 404, body: { ok: false, error: 'unknown_method' } };
    return { status: 404, body: 'Not Found', headers: { 'content-type': 'text/html' } };
  }
}
