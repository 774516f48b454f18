// The subset of Block Kit this package writes (docs.slack.dev/reference/block-kit/blocks).

export interface TextObject {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}

export interface ButtonElement {
  type: 'button';
  text: TextObject;
  url: string;
  action_id: string;
  style?: 'primary' | 'danger';
}

export type Block =
  | { type: 'header'; text: TextObject }
  | { type: 'section'; text: TextObject; fields?: undefined }
  | { type: 'section'; fields: TextObject[]; text?: undefined }
  | { type: 'context'; elements: TextObject[] }
  | { type: 'divider' }
  | { type: 'actions'; elements: ButtonElement[] };

export interface SlackMessage {
  /** Fallback for notifications, screen readers and clients without Block Kit: always set. */
  text: string;
  blocks: Block[];
}

export const mrkdwn = (text: string): TextObject => ({ type: 'mrkdwn', text });
export const plain = (text: string): TextObject => ({ type: 'plain_text', text, emoji: true });

/** Characters of text a block carries (Slack's cumulative limit counts these). */
export function blockTextLength(block: Block): number {
  switch (block.type) {
    case 'header':
      return block.text.text.length;
    case 'section':
      return (block.text?.text.length ?? 0) + (block.fields ?? []).reduce((n, f) => n + f.text.length, 0);
    case 'context':
      return block.elements.reduce((n, e) => n + e.text.length, 0);
    case 'actions':
      return block.elements.reduce((n, e) => n + e.text.text.length + e.url.length, 0);
    default:
      return 0;
  }
}
