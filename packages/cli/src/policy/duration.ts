const pattern = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/**
 * Parses a positive duration into whole seconds: "30m", "1h", "2h30m", "1d12h",
 * "90s", or a plain number of seconds ("3600" or 3600). Units go largest first, each
 * at most once, as Go's time.ParseDuration prints them.
 */
export function parseDuration(input: string | number): number {
  const fail = (): never => {
    throw new Error(`"${input}" is not a duration; use e.g. 30m, 1h, 2h30m or a whole number of seconds`);
  };
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input) || input <= 0) fail();
    return input;
  }
  const text = input.trim();
  if (/^\d+$/.test(text)) return parseDuration(Number(text));
  const m = pattern.exec(text);
  if (!text || !m) return fail();
  const [, d = '0', h = '0', min = '0', s = '0'] = m;
  const seconds = Number(d) * 86_400 + Number(h) * 3_600 + Number(min) * 60 + Number(s);
  if (!Number.isSafeInteger(seconds) || seconds <= 0) fail();
  return seconds;
}

/** 9000 → "2h30m"; the inverse of parseDuration for display. */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return '0s';
  const parts: string[] = [];
  let rest = seconds;
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join('');
}
