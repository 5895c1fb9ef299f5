import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['30m', 1800],
    ['1h', 3600],
    ['2h30m', 9000],
    ['1d12h', 129_600],
    ['90s', 90],
    ['1h0m30s', 3630],
    ['3600', 3600],
    [' 45m ', 2700],
  ])('parses %j as %i seconds', (input, seconds) => {
    expect(parseDuration(input)).toBe(seconds);
  });

  it('accepts a YAML number as seconds', () => {
    expect(parseDuration(3600)).toBe(3600);
  });

  it.each(['', '0', '0h', '1.5h', '-5m', '30x', '30m1h', '1h1h', 'h', '1 h', 'PT1H'])('rejects %j with a message showing the accepted forms', (input) => {
    expect(() => parseDuration(input)).toThrow(/is not a duration; use e\.g\. 30m, 1h, 2h30m/);
  });

  it('rejects non-positive and fractional numbers', () => {
    expect(() => parseDuration(0)).toThrow(/not a duration/);
    expect(() => parseDuration(-60)).toThrow(/not a duration/);
    expect(() => parseDuration(1.5)).toThrow(/not a duration/);
  });

  it('round-trips through formatDuration', () => {
    for (const s of [60, 3600, 9000, 129_600, 3630]) expect(parseDuration(formatDuration(s))).toBe(s);
    expect(formatDuration(9000)).toBe('2h30m');
  });
});
