/** Timestamps print as ISO 8601 in UTC so they sort and paste into other tools. */
export function iso(d: Date | undefined): string {
  return d ? d.toISOString() : '-';
}

/** "REQUEST_STATE_PENDING" with prefix "REQUEST_STATE_" → "pending". */
export function enumLabel(jsonName: string, prefix: string): string {
  return (jsonName.startsWith(prefix) ? jsonName.slice(prefix.length) : jsonName).toLowerCase();
}

export function list(values: string[]): string {
  return values.length ? values.join(', ') : '-';
}
