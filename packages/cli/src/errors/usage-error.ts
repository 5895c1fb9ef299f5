/** The command line itself is wrong (exit code 2); nothing was sent to a service. */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  constructor(message: string, readonly details: string[] = []) {
    super(message);
  }
}
