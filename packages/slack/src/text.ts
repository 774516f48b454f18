// mrkdwn helpers: escaping user text and cutting text to a limit without breaking a link, an entity,
// a code fence or a surrogate pair.

/** Slack's three control characters; everything else in mrkdwn is literal enough. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A link in mrkdwn: `<url|label>`; the label is escaped and may not contain `|` or `>`. */
export function link(url: string, label: string): string {
  return `<${url}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;
}

/** Drops a trailing lone high surrogate so a cut never leaves half an emoji. */
function cutAt(text: string, end: number): string {
  let out = text.slice(0, Math.max(0, end));
  const last = out.charCodeAt(out.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) out = out.slice(0, -1);
  return out;
}

export const ELLIPSIS = '…';

/**
 * Fits mrkdwn text into `max` characters: when it is longer, it is cut (never inside a `<…>` link or a
 * `&…;` entity), an open ``` fence is closed, and `…` plus `suffix` (a "see run" link) is appended.
 */
export function fitMrkdwn(text: string, max: number, suffix = ''): string {
  if (text.length <= max) return text;
  const tail = `${ELLIPSIS}${suffix}`;
  const cutSafely = (end: number): string => {
    let cut = cutAt(text, end);
    const open = cut.lastIndexOf('<');
    if (open > cut.lastIndexOf('>')) cut = cut.slice(0, open);
    const amp = cut.lastIndexOf('&');
    if (amp >= 0 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
    return cut;
  };
  let cut = cutSafely(max - tail.length);
  // An open ``` fence is closed, or the rest of the message would render as code.
  if ((cut.split('```').length - 1) % 2 === 1) cut = `${cutSafely(max - tail.length - 4).replace(/\n?$/, '\n')}\`\`\``;
  const out = `${cut}${tail}`;
  // The suffix alone can be longer than a tiny limit: then a plain cut.
  return out.length <= max ? out : `${cutAt(text, max - 1)}${ELLIPSIS}`;
}

/** Plain text (headers, button labels): cut with an ellipsis. */
export function fitPlain(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${cutAt(text, max - 1)}${ELLIPSIS}`;
}
