/** A Slack message is addressed by channel id and ts; stored together as `<channel>:<ts>`. */
export const slackRef = (m: { channel: string; ts: string }): string => `${m.channel}:${m.ts}`;

export function parseSlackRef(ref: string): { channel: string; ts: string } | undefined {
  const i = ref.indexOf(':');
  if (i <= 0 || i === ref.length - 1) return undefined;
  return { channel: ref.slice(0, i), ts: ref.slice(i + 1) };
}
