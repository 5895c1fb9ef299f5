/**
 * Slack reads `<...>` as links, user/channel mentions and `<!channel>` pings, and
 * `&` as the start of an entity; escaping these three makes user text inert.
 * Truncation happens on whole characters after escaping, so an entity is never cut.
 */
export function escapeMrkdwn(text: string, maxLength = Number.POSITIVE_INFINITY): string {
  const pieces = [...text].map((ch) => (ch === '&' ? '&amp;' : ch === '<' ? '&lt;' : ch === '>' ? '&gt;' : ch));
  const full = pieces.join('');
  if (full.length <= maxLength) return full;
  let out = '';
  for (const piece of pieces) {
    if (out.length + piece.length > maxLength - 1) break;
    out += piece;
  }
  return `${out}…`;
}

/** Single-line inline code: backticks would end the span and newlines break it. */
export function inlineCode(text: string, maxLength = 200): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ').replace(/`/g, 'ˋ');
  return `\`${escapeMrkdwn(flat, maxLength) || ' '}\``;
}

/** A block quote: every line starts with the quote marker (user `>` is escaped, so it cannot forge one). */
export function quote(text: string, maxLength: number): string {
  return escapeMrkdwn(text.trim(), maxLength)
    .split(/\r?\n/)
    .map((line) => `>${line}`)
    .join('\n');
}

/** Plain text (header, button labels) is not parsed by Slack; it only needs to fit. */
export function fitPlain(text: string, maxLength: number): string {
  const chars = [...text.replace(/[\r\n]+/g, ' ')];
  return chars.length <= maxLength ? chars.join('') : `${chars.slice(0, maxLength - 1).join('')}…`;
}
