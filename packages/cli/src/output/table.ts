/**
 * Column-aligned plain-text tables and key/value blocks for `-o table`. The last
 * column is not padded so lines carry no trailing spaces (friendlier to grep/diff).
 */
export function renderTable(headers: string[], rows: string[][]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '))
    .join('\n');
}

/** `key: value` lines with values aligned; empty values show as "-". */
export function renderFields(fields: [string, string | undefined][]): string {
  const width = Math.max(...fields.map(([k]) => k.length)) + 1;
  return fields.map(([k, v]) => `${`${k}:`.padEnd(width)} ${v === undefined || v === '' ? '-' : v}`).join('\n');
}

/** Every line two spaces in: a table or list under a "heading:" line. */
export function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}
