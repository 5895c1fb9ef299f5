import { DEFAULT_LEASE_TTL_MS } from './nats/lease.js';
import { names } from './nats/subjects.js';

/** The services that connect to NATS, each as its own user. */
export const natsServiceUsers = ['approvals', 'authz', 'audit', 'delivery', 'notifier'] as const;
export type NatsServiceUser = (typeof natsServiceUsers)[number];

export interface NatsPermissions {
  publish: { allow: string[]; deny: string[] };
  subscribe: { allow: string[]; deny: string[] };
}

/**
 * Least privilege on NATS, per service. Data subjects are allowed only to their
 * owner: only approvals writes request state (a forged "approved" is refused by the
 * server), only the event's producer publishes it, only audit appends to the audit
 * stream and signs its checkpoints, only delivery queues webhooks, and each KV bucket
 * is written by its owner.
 * The JetStream API is allowed stream by stream, for the streams and buckets the
 * service uses (`streamsOf`): create, update and read them, and make, read and delete
 * consumers on them. Nothing else: no service may delete or purge a stream or delete
 * a message, or read a stream it does not use (the notifier cannot read request state
 * or the audit chain; none but delivery the webhook secrets or the gateway's keys).
 */
export function natsServicePermissions(root: string, service: NatsServiceUser, opts: { leaseTtlsMs?: readonly number[] } = {}): NatsPermissions {
  const n = names(root);
  const U = n.upper;
  const R = root;
  const kv = (bucket: string) => [`$KV.${bucket}.>`];
  const owned: Record<NatsServiceUser, string[]> = {
    approvals: [
      `${R}.state.request.>`,
      `${R}.state.policy.>`,
      `${R}.state.delegation.>`,
      `${R}.evt.*.approval.>`,
      `${R}.evt.*.policy.>`,
      ...kv(`${U}_approvals_policies`),
      ...kv(`${U}_approvals_delegations`),
      ...kv(`${U}_approvals_lineage`),
      ...kv(n.timersBucket('request')),
    ],
    authz: [`${R}.evt.*.authz.>`, `${R}.evt.*.grant.>`, `${R}.authz.invalidate.>`, ...kv(n.tenantsBucket), ...kv(`${U}_authz_actions`), ...kv(`${U}_authz_openfga`), ...kv(`${U}_authz_grants`)],
    // The records' chain, its signed checkpoints and export files (separate streams, outside
    // audit.>), and the export jobs.
    audit: [`${R}.audit.>`, `${R}.auditcp.>`, `${R}.auditexp.>`, ...kv(`${U}_audit_exports`)],
    // Its own events (endpoint and stream credential changes, for audit).
    delivery: [`${R}.delivery.>`, `${R}.evt.*.delivery.>`, ...kv(`${U}_delivery_endpoints`), ...kv(`${U}_delivery_gateway`)],
    notifier: [`${R}.evt.*.notifier.>`, ...kv(`${U}_notifier_notifications`), ...kv(`${U}_notifier_email_directory`), ...kv(`${U}_notifier_slack_users`), ...kv(`${U}_notifier_slack_channels`)],
  };
  const leaseBuckets = (opts.leaseTtlsMs ?? [DEFAULT_LEASE_TTL_MS]).map((ttl) => `${U}_leases_${ttl}`);
  const streams = streamsOf(root, service, leaseBuckets);
  return {
    publish: {
      allow: [
        ...owned[service],
        // Parking poison messages, leases (exclusive consumers).
        `${R}.dlq.>`,
        // NATS wildcards match whole tokens, so each lease bucket (one per TTL) is named.
        ...leaseBuckets.map((b) => `$KV.${b}.>`),
        // Flow control replies of its consumers, and the account's JetStream limits.
        '$JS.FC.>',
        '$JS.API.INFO',
        ...streams.flatMap(({ stream, consumers }) => [
          `$JS.API.STREAM.CREATE.${stream}`,
          `$JS.API.STREAM.UPDATE.${stream}`,
          `$JS.API.STREAM.INFO.${stream}`,
          ...(consumers === 'any'
            ? [
                `$JS.ACK.${stream}.>`,
                `$JS.API.STREAM.MSG.GET.${stream}`,
                `$JS.API.DIRECT.GET.${stream}`,
                `$JS.API.DIRECT.GET.${stream}.>`,
                `$JS.API.CONSUMER.CREATE.${stream}`,
                `$JS.API.CONSUMER.CREATE.${stream}.>`,
                `$JS.API.CONSUMER.DURABLE.CREATE.${stream}.>`,
                `$JS.API.CONSUMER.INFO.${stream}.>`,
                `$JS.API.CONSUMER.DELETE.${stream}.>`,
                `$JS.API.CONSUMER.MSG.NEXT.${stream}.>`,
                `$JS.API.CONSUMER.NAMES.${stream}`,
                `$JS.API.CONSUMER.LIST.${stream}`,
              ]
            : consumers.flatMap((d) => [
                `$JS.ACK.${stream}.${d}.>`,
                `$JS.API.CONSUMER.CREATE.${stream}.${d}`,
                `$JS.API.CONSUMER.CREATE.${stream}.${d}.>`,
                `$JS.API.CONSUMER.DURABLE.CREATE.${stream}.${d}`,
                `$JS.API.CONSUMER.INFO.${stream}.${d}`,
                `$JS.API.CONSUMER.DELETE.${stream}.${d}`,
                `$JS.API.CONSUMER.MSG.NEXT.${stream}.${d}`,
              ])),
        ]),
      ],
      deny: [],
    },
    subscribe: {
      allow: ['_INBOX.>', ...(service === 'authz' ? [`${R}.authz.invalidate.>`] : [])],
      deny: [],
    },
  };
}

/** Names of the durable consumers on the shared events stream; the services take them from here. */
export const eventConsumerNames = {
  approvalsGrants: 'approvals-grants',
  audit: 'audit',
  // Not a durable: made and deleted around each read of recorded decisions (authz SimulateModel).
  authzDecisionReplay: 'authz-decision-replay',
  deliveryFanout: 'delivery-fanout',
  deliveryGatewayBridge: 'delivery-gateway-bridge',
  notifier: 'notifier',
} as const;

/** The durable consumers each service keeps on the shared events stream (its only consumers there). */
export const eventConsumers: Readonly<Record<NatsServiceUser, readonly string[]>> = {
  approvals: [eventConsumerNames.approvalsGrants],
  authz: [eventConsumerNames.authzDecisionReplay],
  audit: [eventConsumerNames.audit],
  delivery: [eventConsumerNames.deliveryFanout, eventConsumerNames.deliveryGatewayBridge],
  notifier: [eventConsumerNames.notifier],
};

/**
 * The streams (KV buckets as their KV_ streams) a service uses, and whose consumers it
 * may use there: any on its own streams and the shared buckets (KV watches make
 * consumers of any name), only its own durables on the shared events stream (so no
 * service can pull, and so take, another's events), none on the DLQ (only published
 * to). Keep in step with each service's adapters; the three-replica test runs every
 * service as its own user and fails on any refusal.
 */
export function streamsOf(
  root: string,
  service: NatsServiceUser,
  leaseBuckets: readonly string[] = [`${names(root).upper}_leases_${DEFAULT_LEASE_TTL_MS}`],
): { stream: string; consumers: 'any' | readonly string[] }[] {
  const n = names(root);
  const U = n.upper;
  const own: Record<NatsServiceUser, string[]> = {
    approvals: [
      n.stateStream('request'),
      n.stateStream('policy'),
      n.stateStream('delegation'),
      `KV_${U}_approvals_policies`,
      `KV_${U}_approvals_delegations`,
      `KV_${U}_approvals_lineage`,
      `KV_${n.timersBucket('request')}`,
    ],
    authz: [`KV_${U}_authz_actions`, `KV_${U}_authz_openfga`, `KV_${U}_authz_grants`],
    audit: [`${U}_AUDIT`, `${U}_AUDIT_CHECKPOINTS`, `${U}_AUDIT_EXPORTS`, `KV_${U}_audit_exports`],
    delivery: [`${U}_DELIVERY`, `${U}_DELIVERY_ATTEMPTS`, `KV_${U}_delivery_endpoints`, `KV_${U}_delivery_gateway`],
    notifier: [`KV_${U}_notifier_notifications`, `KV_${U}_notifier_email_directory`, `KV_${U}_notifier_slack_users`, `KV_${U}_notifier_slack_channels`],
  };
  return [
    { stream: n.eventsStream, consumers: eventConsumers[service] },
    { stream: n.dlqStream, consumers: [] },
    ...[`KV_${n.tenantsBucket}`, ...leaseBuckets.map((b) => `KV_${b}`), ...own[service]].map((stream) => ({ stream, consumers: 'any' as const })),
  ];
}

/** nats-server `authorization` block: one user per service with its password and permissions, plus extra users (e.g. an operator). */
export function natsAuthorizationConfig(
  root: string,
  passwords: Readonly<Record<NatsServiceUser, string>>,
  extra: readonly { user: string; password: string }[] = [],
): string {
  const q = (s: string) => JSON.stringify(s);
  const list = (xs: string[]) => `[${xs.map(q).join(', ')}]`;
  const users = natsServiceUsers.map((s) => {
    const p = natsServicePermissions(root, s);
    return `    { user: ${q(s)}, password: ${q(passwords[s])}, permissions: { publish: { allow: ${list(p.publish.allow)} }, subscribe: { allow: ${list(p.subscribe.allow)} } } }`;
  });
  const others = extra.map((u) => `    { user: ${q(u.user)}, password: ${q(u.password)} }`);
  return ['authorization {', '  users = [', [...users, ...others].join(',\n'), '  ]', '}', ''].join('\n');
}
