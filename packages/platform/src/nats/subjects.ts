/**
 * Subject and stream names. `root` is "assent" in production; tests use a unique
 * root per run so streams and subjects never collide.
 */
export interface Names {
  root: string;
  eventsStream: string;
  dlqStream: string;
  /** assent.evt.<tenant>.<domain>.<event> */
  event(tenant: string, domain: string, event: string): string;
  /** All events of all tenants. */
  allEvents(): string;
  dlq(consumer: string): string;
  stateStream(entity: string): string;
  state(entity: string, tenant: string, id: string): string;
  /** Stream/consumer-name-safe form of root, e.g. "ASSENT". */
  upper: string;
  /** The tenant directory: authz writes one key per tenant (its id); every service may read it. */
  tenantsBucket: string;
  /** KV bucket of one entity kind's pending timers (key <shard>.<tenant>.<id>). */
  timersBucket(entity: string): string;
}

export function names(root: string): Names {
  const upper = root.toUpperCase();
  return {
    root,
    upper,
    eventsStream: `${upper}_EVENTS`,
    dlqStream: `${upper}_DLQ`,
    event: (tenant, domain, event) => `${root}.evt.${tenant}.${domain}.${event}`,
    allEvents: () => `${root}.evt.>`,
    dlq: (consumer) => `${root}.dlq.${consumer}`,
    stateStream: (entity) => `${upper}_STATE_${entity.toUpperCase()}`,
    state: (entity, tenant, id) => `${root}.state.${entity}.${tenant}.${id}`,
    tenantsBucket: `${upper}_authz_tenants`,
    timersBucket: (entity) => `${upper}_timers_${entity}`,
  };
}

/** A CloudEvents type "assent.approval.decided.v1" → ["approval", "decided"]. */
export function splitEventType(type: string): { domain: string; event: string } {
  const m = /^assent\.([a-z_]+)\.([a-z_]+)\.v\d+$/.exec(type);
  if (!m?.[1] || !m[2]) throw new Error(`event type "${type}" is not assent.<domain>.<event>.v<N>`);
  return { domain: m[1], event: m[2] };
}
