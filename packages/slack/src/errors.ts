// Slack's error strings turned into one line that says what to fix. Web API errors come as HTTP 200
// {ok:false, error}; incoming-webhook errors as a plain-text body with a 4xx status
// (docs.slack.dev/messaging/sending-messages-using-incoming-webhooks#handling_errors).

export type SlackVia = 'webhook' | 'api';

export class SlackError extends Error {
  override name = 'SlackError';
  constructor(
    message: string,
    /** Slack's error string (invalid_auth, no_service, …) or an HTTP-level code. */
    readonly code: string,
    readonly via: SlackVia,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface ErrorContext {
  via: SlackVia;
  /** chat.postMessage / chat.update. */
  method?: string;
  channel?: string;
  messageTs?: string;
  /** The message came from the payload input (so invalid blocks are the user's to fix). */
  fromPayload?: boolean;
  /** Slack's detail lines (response_metadata.messages / errors). */
  detail?: string[];
  /** Scopes Slack says are needed (missing_scope). */
  needed?: string;
}

const q = (s: string | undefined) => (s ? `'${s}'` : 'the channel');

/** A one-line, actionable message for a Slack error string. */
export function describeSlackError(code: string, c: ErrorContext): string {
  const where = c.via === 'webhook' ? 'the incoming webhook' : `Slack ${c.method ?? 'Web API'}`;
  const detail = c.detail?.length ? ` (${c.detail.slice(0, 3).join('; ')})` : '';
  const blocksFix = c.fromPayload
    ? 'fix the blocks in the payload input (Block Kit Builder shows the problem)'
    : 'this message was built by notify-slack, so please report it with the run link';
  switch (code) {
    case 'not_authed':
      return `${where} got no token (not_authed): set bot-token to the app's Bot User OAuth Token (xoxb-…)`;
    case 'invalid_auth':
      return `${where} refused bot-token (invalid_auth): the token is wrong, revoked or from another workspace; set bot-token to the app's Bot User OAuth Token (xoxb-…)`;
    case 'account_inactive':
    case 'token_revoked':
      return `${where} refused bot-token (${code}): the app was uninstalled or its token revoked; reinstall the app and update the bot-token secret`;
    case 'missing_scope':
      return `${where}: the bot token lacks the ${c.needed ?? 'chat:write'} scope (missing_scope); add it under OAuth & Permissions and reinstall the app`;
    case 'channel_not_found':
      return c.via === 'webhook'
        ? `the incoming webhook's channel no longer exists (channel_not_found): create a new webhook for an existing channel and update the webhook-url secret`
        : c.method === 'chat.update' && c.channel && !/^[CDG][A-Z0-9]+$/.test(c.channel)
          ? `${where} found no channel ${q(c.channel)} (channel_not_found): chat.update needs the channel ID; pass the channel output of the step that posted the message as channel`
          : `${where} found no channel ${q(c.channel)} (channel_not_found): use the channel ID (C…, in the channel's details) and invite the app to private channels`;
    case 'not_in_channel':
      return `the Slack app is not a member of ${q(c.channel)} (not_in_channel): invite it with /invite @<app name> in the channel, or add the chat:write.public scope`;
    case 'is_archived':
    case 'channel_is_archived':
      return `${c.channel ? `channel ${q(c.channel)}` : "the webhook's channel"} is archived (${code}): unarchive it or send to another channel${c.via === 'webhook' ? ' with a new webhook' : ''}`;
    case 'invalid_blocks':
    case 'invalid_blocks_format':
      return `Slack refused the message blocks (${code})${detail}: ${blocksFix}`;
    case 'msg_blocks_too_long':
    case 'msg_too_long':
      return `Slack refused the message as too long (${code}): ${c.fromPayload ? 'shorten the payload input' : blocksFix}`;
    case 'no_text':
      return `Slack refused a message without text (no_text): ${c.fromPayload ? 'add a text key to the payload input' : blocksFix}`;
    case 'invalid_payload':
      return `the incoming webhook could not read the message (invalid_payload): ${c.fromPayload ? 'the payload input must be a JSON object with text or blocks' : blocksFix}`;
    case 'no_service':
      return `the incoming webhook does not exist (no_service): it was disabled or removed, or the URL is wrong; create a new webhook and update the webhook-url secret`;
    case 'no_service_id':
    case 'no_team':
    case 'team_disabled':
      return `the incoming webhook URL is not valid (${code}): copy the URL again from the app's Incoming Webhooks page into the webhook-url secret`;
    case 'invalid_token':
      return `the incoming webhook URL's secret is wrong (invalid_token): copy the URL again from the app's Incoming Webhooks page into the webhook-url secret`;
    case 'action_prohibited':
      return `the workspace forbids this webhook from posting here (action_prohibited): ask a Slack admin to allow the app`;
    case 'posting_to_general_channel_denied':
      return `only admins may post in this channel (posting_to_general_channel_denied): send to another channel`;
    case 'message_not_found':
      return `${where} found no message ${c.messageTs ?? ''} in ${q(c.channel)} (message_not_found): pass the ts and channel outputs of the step that posted it as message-ts and channel`;
    case 'cant_update_message':
    case 'edit_window_closed':
      return `${where} may not edit message ${c.messageTs ?? ''} (${code}): only messages this app posted can be updated; pass the ts output of this app's own earlier step`;
    case 'restricted_action':
    case 'restricted_action_read_only_channel':
      return `the workspace does not let the app post in ${q(c.channel)} (${code}): ask a Slack admin or use another channel`;
    case 'too_many_attachments':
      return `Slack refused the message (too_many_attachments): use at most 100 attachments in the payload input`;
    case 'rate_limited':
    case 'ratelimited':
      return `${where} is rate limited (${code}): this workflow posts too often; post fewer messages`;
    default:
      return `${where} failed: ${code}${detail}`;
  }
}
