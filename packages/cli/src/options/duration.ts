import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../policy/duration.js';

/**
 * commander argParser for --grant-duration and friends: the duration syntax of policy
 * files (30m, 1h, 2h30m, 1d or whole seconds) as whole seconds.
 */
export function durationSeconds(value: string): number {
  try {
    return parseDuration(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}
