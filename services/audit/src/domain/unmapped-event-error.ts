import { InvalidArgumentError } from '@assent/platform/domain';

/**
 * An event type record-mappings.ts has no entry for. Never recorded half-mapped:
 * the consumer parks the event (DLQ) and reports the type, and once a mapping is
 * added the parked event can be replayed.
 */
export class UnmappedEventError extends InvalidArgumentError {
  constructor(readonly eventType: string) {
    super([{ field: 'type', description: `"${eventType}" has no audit mapping` }], `no audit mapping for event type "${eventType}"`);
    this.name = 'UnmappedEventError';
  }
}
