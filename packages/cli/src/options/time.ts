import { InvalidArgumentError } from 'commander';

/** Date, time and offset as RFC 3339 writes them; Date alone would also take "2026" or "Dec 1". */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** commander argParser for --effective-at and friends: an RFC 3339 time with its offset. */
export function rfc3339(value: string): Date {
  const m = RFC3339.exec(value.trim());
  const at = m ? new Date(value.trim()) : undefined;
  // Date rolls 2026-02-30 over to March; the day must survive the round trip.
  const [, year, month, day] = m ?? [];
  const local = at && new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (!at || Number.isNaN(at.getTime()) || local?.getUTCDate() !== Number(day) || local.getUTCMonth() !== Number(month) - 1) {
    throw new InvalidArgumentError(`"${value}" is not a time; use RFC 3339 with an offset, e.g. 2026-12-01T09:00:00Z`);
  }
  return at;
}
