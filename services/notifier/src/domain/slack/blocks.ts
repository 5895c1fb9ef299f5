/**
 * The subset of Slack Block Kit the notifier builds (https://api.slack.com/block-kit),
 * typed here so the domain needs no Slack SDK. Limits are Slack's.
 */
export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}

export interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}

export interface Button {
  type: 'button';
  action_id: string;
  text: PlainText;
  value?: string;
  /** A link button: Slack opens it in the browser (and still sends a block_actions, which is only acknowledged). */
  url?: string;
  style?: 'primary' | 'danger';
}

export type SlackBlock =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; text?: Mrkdwn; fields?: Mrkdwn[] }
  | { type: 'actions'; block_id: string; elements: Button[] }
  | { type: 'context'; elements: Mrkdwn[] };

export const limits = {
  header: 150,
  sectionText: 3000,
  field: 2000,
  fields: 10,
  buttonValue: 2000,
} as const;
