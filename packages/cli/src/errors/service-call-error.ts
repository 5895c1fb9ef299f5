/**
 * A failed call to one of the services, remembering which service and address
 * it went to so the error message can say where to look.
 */
export class ServiceCallError extends Error {
  override readonly name = 'ServiceCallError';

  constructor(readonly service: string, readonly address: string, override readonly cause: unknown) {
    super(`call to ${service} at ${address} failed`, { cause });
  }
}
