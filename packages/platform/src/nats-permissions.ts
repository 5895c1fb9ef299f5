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
 * stream, only delivery queues webhooks, and each KV bucket is written by its owner.
 * The JetStream API is allowed for managing one's streams and consumers, but no
 * service may delete or purge a stream or delete a message, and none but delivery may
 * read the webhook endpoints or event gateway buckets or create a consumer on them.
 *
 * Streams and buckets: events and DLQ (every runtime ensures them), leases and the
 * tenant directory (every service; only authz writes tenants).
 */
export function natsServicePermissions(root: string, service: NatsServiceUser, opts: { leaseTtlsMs?: readonly number[] } = {}): NatsPermissions {
  const n = names(root);
  const U = n.upper;
  const R = root;
  const kv = (bucket: string) => [`$KV.${bucket}.>`];
  const owned: Record<NatsServiceUser, string[]> = {
    approvals: [`${R}.state.request.>`, `${R}.evt.*.approval.>`, `${R}.evt.*.policy.>`, ...kv(`${U}_approvals_policies`)],
    authz: [`${R}.evt.*.authz.>`, `${R}.evt.*.grant.>`, `${R}.authz.invalidate.>`, ...kv(n.tenantsBucket), ...kv(`${U}_authz_actions`), ...kv(`${U}_authz_openfga`)],
    audit: [`${R}.audit.>`],
    delivery: [`${R}.delivery.>`, ...kv(`${U}_delivery_endpoints`), ...kv(`${U}_delivery_gateway`)],
    notifier: kv(`${U}_notifier_notifications`),
  };
  // Webhook secrets and the event gateway's tenant account keys (both sealed, still delivery's alone).
  const secretBuckets = [`KV_${U}_delivery_endpoints`, `KV_${U}_delivery_gateway`];
  const readsSecrets = service === 'delivery';
  return {
    publish: {
      allow: [
        ...owned[service],
        // Parking poison messages, leases (exclusive consumers), acks and flow control.
        `${R}.dlq.>`,
        // NATS wildcards match whole tokens, so each lease bucket (one per TTL) is named.
        ...(opts.leaseTtlsMs ?? [DEFAULT_LEASE_TTL_MS]).map((ttl) => `$KV.${U}_leases_${ttl}.>`),
        '$JS.ACK.>',
        '$JS.FC.>',
        '$JS.API.>',
      ],
      deny: [
        '$JS.API.STREAM.DELETE.>',
        '$JS.API.STREAM.PURGE.>',
        '$JS.API.STREAM.MSG.DELETE.>',
        '$JS.API.ACCOUNT.PURGE.>',
        ...(readsSecrets
          ? []
          : secretBuckets.flatMap((b) => [
              `$JS.API.DIRECT.GET.${b}`,
              `$JS.API.DIRECT.GET.${b}.>`,
              `$JS.API.STREAM.MSG.GET.${b}`,
              `$JS.API.CONSUMER.CREATE.${b}`,
              `$JS.API.CONSUMER.CREATE.${b}.>`,
              `$JS.API.CONSUMER.DURABLE.CREATE.${b}.>`,
            ])),
      ],
    },
    subscribe: {
      allow: ['_INBOX.>', ...(service === 'authz' ? [`${R}.authz.invalidate.>`] : [])],
      deny: [],
    },
  };
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
    return `    { user: ${q(s)}, password: ${q(passwords[s])}, permissions: { publish: { allow: ${list(p.publish.allow)}, deny: ${list(p.publish.deny)} }, subscribe: { allow: ${list(p.subscribe.allow)} } } }`;
  });
  const others = extra.map((u) => `    { user: ${q(u.user)}, password: ${q(u.password)} }`);
  return ['authorization {', '  users = [', [...users, ...others].join(',\n'), '  ]', '}', ''].join('\n');
}
