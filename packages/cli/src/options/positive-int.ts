import { InvalidArgumentError } from 'commander';

/** commander argParser for --limit and friends: a whole number of at least 1. */
export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('must be a whole number of at least 1');
  }
  return Number(value);
}
