// Block Kit's documented limits for messages (docs.slack.dev/reference/block-kit). A message past any of
// them is refused whole with invalid_blocks, so the builder fits content under them instead.

export const LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonUrl: 3000,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  /**
   * Slack refuses a message whose blocks hold more text in total (msg_blocks_too_long) well below
   * 50 × 3000; the markdown block documents 12 000 and reports put the cut near 13 000. Stay under it.
   */
  totalBlockText: 12_000,
  /** chat.postMessage: Slack truncates `text` past 40 000; notifications show far less. */
  fallbackText: 3000,
} as const;
