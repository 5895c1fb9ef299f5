import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { rfc3339 } from './time.js';

describe('rfc3339', () => {
  it.each([
    ['2026-12-01T09:00:00Z', '2026-12-01T09:00:00.000Z'],
    ['2026-12-01T10:00:00+01:00', '2026-12-01T09:00:00.000Z'],
    ['2026-12-01t09:00:00.250z', '2026-12-01T09:00:00.250Z'],
    ['2026-12-01 09:00:00-05:30', '2026-12-01T14:30:00.000Z'],
  ])('reads %j', (text, iso) => {
    expect(rfc3339(text).toISOString()).toBe(iso);
  });

  it.each(['tomorrow', '2026-12-01', '2026-12-01T09:00:00', '2026', 'Dec 1 2026 09:00 UTC', '2026-02-30T09:00:00Z', '2026-12-01T25:00:00Z', '1764579600'])(
    'refuses %j, naming the expected form',
    (text) => {
      expect(() => rfc3339(text)).toThrow(InvalidArgumentError);
      expect(() => rfc3339(text)).toThrow(`"${text}" is not a time; use RFC 3339 with an offset, e.g. 2026-12-01T09:00:00Z`);
    },
  );
});
