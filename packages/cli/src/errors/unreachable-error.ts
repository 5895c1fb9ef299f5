/** A dependency outside gRPC (NATS) could not be reached; exit code 3 like an UNAVAILABLE service. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';

  constructor(message: string, readonly hint: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
