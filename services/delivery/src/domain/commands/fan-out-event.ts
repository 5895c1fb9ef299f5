import type { DeliveryDeps } from '../ports.js';
import { endpointWants } from '../event-types.js';

export interface PublishedEvent {
  id: string;
  type: string;
  tenant: string;
  /** The CloudEvent JSON exactly as published; delivered unchanged. */
  payload: string;
}

/**
 * Whether any endpoint of the tenant wants events of this type: most events interest
 * none, and the fan-out consumer then acknowledges them without reading the payload.
 */
export async function anyEndpointWants(deps: Pick<DeliveryDeps, 'endpoints'>, tenant: string, type: string): Promise<boolean> {
  return (await deps.endpoints.list(tenant)).some((e) => endpointWants(e, type));
}

/**
 * One delivery task per endpoint of the event's tenant that wants its type, enqueued
 * together (one round trip, not one per endpoint). Safe to repeat, also after a
 * partial failure: the queue stores a task once per (event, endpoint).
 */
export async function fanOutEvent(deps: DeliveryDeps, event: PublishedEvent): Promise<{ tasks: number }> {
  const endpoints = (await deps.endpoints.list(event.tenant)).filter((e) => endpointWants(e, event.type));
  await Promise.all(
    endpoints.map((endpoint) => deps.tasks.enqueue({ tenant: event.tenant, endpointId: endpoint.id, eventId: event.id, eventType: event.type, payload: event.payload })),
  );
  return { tasks: endpoints.length };
}
