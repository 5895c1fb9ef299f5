import { payloadHashOf } from './record-hash.js';
import { recordMappings } from './record-mappings.js';
import type { CanonicalFields, SourceEvent } from './types.js';
import { UnmappedEventError } from './unmapped-event-error.js';

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The trace id of a W3C traceparent; "" when absent or malformed (all zeros is invalid). */
export function traceIdOf(traceparent: string | undefined): string {
  const id = TRACEPARENT.exec(traceparent ?? '')?.[1] ?? '';
  return /^0+$/.test(id) ? '' : id;
}

/** Whether record-mappings.ts maps this event type. */
export const isMapped = (type: string): boolean => Object.hasOwn(recordMappings, type);

/** The canonical fields of the record an event becomes; UnmappedEventError for a type with no mapping. */
export function canonicalFieldsOf(event: SourceEvent): CanonicalFields {
  // hasOwn: a type such as "constructor" must not find Object.prototype's members.
  const mapping = isMapped(event.type) ? recordMappings[event.type] : undefined;
  if (!mapping) throw new UnmappedEventError(event.type);
  return {
    ...mapping(event),
    payloadHash: payloadHashOf(event.data),
    traceId: traceIdOf(event.traceparent),
  };
}
