import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { durationSeconds } from './duration.js';

describe('durationSeconds', () => {
  it.each([
    ['30m', 1800],
    ['2h', 7200],
    ['1d12h', 129_600],
    ['900', 900],
  ])('reads %j as %i seconds, like policy files', (text, seconds) => {
    expect(durationSeconds(text)).toBe(seconds);
  });

  it.each(['soon', '0', '1.5h', 'PT1H', ''])('refuses %j as a usage error with the accepted forms', (text) => {
    expect(() => durationSeconds(text)).toThrow(InvalidArgumentError);
    expect(() => durationSeconds(text)).toThrow(/is not a duration; use e\.g\. 30m, 1h, 2h30m or a whole number of seconds/);
  });
});
