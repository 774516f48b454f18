// One deploy notification: build (or take the payload), deliver by webhook or bot token, update in place
// with message-ts, reply in the thread on failure. Delivery failures are returned, not thrown, so the
// caller decides between a failed step and a loud warning; configuration errors are thrown.
import type { Log } from '@wingman/log';
import { formatDuration, parseInstant } from '@wingman/time';
import type { SlackMessage } from './blocks';
import { type HttpTuning, postWebhook, SlackWebApi } from './client';
import type { RunContext } from './context';
import type { DetailLink } from './details';
import { SlackError } from './errors';
import {
  buildDeployMessage,
  buildThreadReply,
  type DeployMessageInput,
  type DeployStatus,
  defaultTitle,
  isFailure,
  parseMentions,
  STATUS_EMOJI,
} from './message';
import { renderPayload } from './payload';

export const DEFAULT_API_URL = 'https://slack.com/api';

export class NotifyConfigError extends Error {
  override name = 'NotifyConfigError';
}

export interface NotifyOptions {
  status: DeployStatus;
  context: RunContext;
  environment?: string;
  title?: string;
  details?: Record<string, unknown>;
  links?: DetailLink[];
  /** Raw mention-on-failure input. */
  mentionOnFailure?: string;
  /** On failure with a bot token, reply in the thread with the details. Default true. */
  threadDetails?: boolean;
  /** Raw payload template (JSON or YAML) sent instead of the built message. */
  payload?: string;
  webhookUrl?: string;
  botToken?: string;
  channel?: string;
  /** With a bot token: update this message instead of posting. */
  messageTs?: string;
  apiUrl?: string;
  /** When the run started; default the message-ts of the message being updated. */
  startedAt?: Date;
  now?: () => number;
  log?: Log;
  http?: HttpTuning;
}

export interface NotifyResult {
  delivered: boolean;
  via: 'webhook' | 'api';
  /** posted: a new message; updated: message-ts edited in place. */
  action?: 'posted' | 'updated';
  channel?: string;
  ts?: string;
  /** The failure reply in the thread, when one was posted. */
  replyTs?: string;
  /** What was sent (or would have been). */
  message: Record<string, unknown>;
  /** The delivery failure, when there was one (main message or thread reply). */
  error?: SlackError;
  warnings: string[];
}

/** "1714650000.123456" → epoch ms; undefined when it is not a Slack ts. */
export function tsToMs(ts: string | undefined): number | undefined {
  if (!ts || !/^\d{9,}\.\d+$/.test(ts)) return undefined;
  return Math.round(Number(ts) * 1000);
}

/** An ISO 8601 time or epoch seconds / milliseconds (@wingman/time reads it for every action). */
export const parseStartedAt = parseInstant;

function payloadVars(o: NotifyOptions, durationMs: number | undefined, mention: string | undefined) {
  const c = o.context;
  const builtins: Record<string, unknown> = {
    status: o.status,
    status_emoji: STATUS_EMOJI[o.status],
    environment: o.environment ?? '',
    title: o.title ?? defaultTitle(c, o.environment),
    repository: c.repository ?? '',
    run_url: c.runUrl ?? '',
    commit_url: c.commitUrl ?? '',
    sha: c.sha ?? '',
    short_sha: c.sha?.slice(0, 7) ?? '',
    commit_message: c.commitTitle ?? '',
    author: c.commitAuthor ?? '',
    actor: c.actor ?? '',
    duration: durationMs === undefined ? '' : formatDuration(durationMs, 'compact'),
    mention: mention && isFailure(o.status) ? mention : '',
  };
  // Details win: they are what the user passed on purpose.
  return { ...builtins, ...(o.details ?? {}) };
}

export async function notify(o: NotifyOptions): Promise<NotifyResult> {
  const log = o.log;
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    log?.warning(m);
  };
  if (o.webhookUrl && o.botToken)
    throw new NotifyConfigError(
      `inputs 'webhook-url' and 'bot-token' are both set: use webhook-url to post only, or bot-token with channel to post, update and reply in threads`,
    );
  if (!o.webhookUrl && !o.botToken)
    throw new NotifyConfigError(`set input 'webhook-url' (incoming webhook), or 'bot-token' and 'channel' (Web API)`);
  if (o.botToken && !o.channel)
    throw new NotifyConfigError(
      `input 'channel' is required with 'bot-token': the channel ID (C…) or #name to post to`,
    );

  const mentions = parseMentions(o.mentionOnFailure);
  if (mentions.invalid.length)
    warn(
      `mention-on-failure: ${mentions.invalid.join(', ')} would not notify anyone; use @here, @channel, a user ID (U…) or a user group ID (S…)`,
    );
  const startedMs = o.startedAt?.getTime() ?? (o.botToken ? tsToMs(o.messageTs) : undefined);
  const now = (o.now ?? Date.now)();
  const durationMs = startedMs !== undefined && now >= startedMs ? now - startedMs : undefined;

  const input: DeployMessageInput = {
    status: o.status,
    context: o.context,
    environment: o.environment,
    title: o.title,
    details: o.details,
    links: o.links,
    mention: mentions.mrkdwn,
    durationMs,
  };
  const fromPayload = o.payload !== undefined;
  const built: SlackMessage = buildDeployMessage(input);
  let message: Record<string, unknown>;
  if (o.payload !== undefined) {
    try {
      message = renderPayload(o.payload, payloadVars(o, durationMs, mentions.mrkdwn));
    } catch (err) {
      throw new NotifyConfigError(err instanceof Error ? err.message : String(err));
    }
    // A payload of blocks alone would leave notifications blank: the fallback text is always set.
    if (message.text === undefined || message.text === '') message.text = built.text;
  } else message = { ...built };

  if (o.webhookUrl) {
    if (o.messageTs) warn(`message-ts needs bot-token: an incoming webhook can only post, so a new message is posted`);
    const result: NotifyResult = { delivered: false, via: 'webhook', message, warnings };
    try {
      await postWebhook(message, { url: o.webhookUrl, log, http: o.http }, fromPayload);
      result.delivered = true;
      result.action = 'posted';
    } catch (err) {
      result.error = asSlackError(err, 'webhook');
    }
    return result;
  }

  const api = new SlackWebApi({ apiUrl: o.apiUrl ?? DEFAULT_API_URL, token: o.botToken!, log, http: o.http });
  const result: NotifyResult = { delivered: false, via: 'api', message, warnings };
  try {
    const channel = typeof message.channel === 'string' && message.channel ? message.channel : o.channel!;
    const args = { ...message, channel };
    let posted: { channel: string; ts: string } | undefined;
    if (o.messageTs) {
      try {
        posted = await api.update({ ...args, ts: o.messageTs }, fromPayload);
        result.action = 'updated';
      } catch (err) {
        const e = asSlackError(err, 'api');
        if (!['message_not_found', 'cant_update_message', 'edit_window_closed'].includes(e.code)) throw e;
        // The notification matters more than editing in place: post a new one and say why.
        warn(`${e.message}; posted a new message instead`);
      }
    }
    if (!posted) {
      posted = await api.postMessage(args, fromPayload);
      result.action = 'posted';
    }
    result.delivered = true;
    result.channel = posted.channel;
    result.ts = posted.ts;

    const failure = isFailure(o.status) && !fromPayload;
    const threadDetails = o.threadDetails ?? true;
    // A mention added by editing a message notifies nobody; a new reply does.
    const mentionOnly = !threadDetails && mentions.mrkdwn !== undefined && result.action === 'updated';
    if (failure && (threadDetails || mentionOnly)) {
      const reply = buildThreadReply(mentionOnly ? { ...input, details: undefined } : input);
      try {
        const r = await api.postMessage({ ...reply, channel: posted.channel, thread_ts: posted.ts });
        result.replyTs = r.ts;
      } catch (err) {
        result.error = asSlackError(err, 'api');
      }
    }
  } catch (err) {
    result.error = asSlackError(err, 'api');
  } finally {
    await api.close();
  }
  return result;
}

function asSlackError(err: unknown, via: 'webhook' | 'api'): SlackError {
  if (err instanceof SlackError) return err;
  return new SlackError(err instanceof Error ? err.message : String(err), 'unknown', via);
}
