import { createAccount, createOperator, createUser, encodeAccount, encodeOperator, encodeUser, fmtCreds, fromSeed, type KeyPair } from '@nats-io/jwt';

/**
 * The event gateway: a NATS server, apart from the backbone, where outside consumers
 * read their tenant's events. It runs in operator mode (decentralised JWT auth, the
 * NATS-based `full` resolver), so credentials are issued and revoked at run time with
 * no config change: each tenant is its own NATS account (its own JetStream, its own
 * subject space, nothing shared with other tenants), a credential is a user JWT
 * signed by the tenant's account key, and revoking one re-signs the account JWT with
 * the user's key in `revocations` and pushes it to the server.
 *
 * Delivery holds the operator signing key (it creates tenant accounts), the system
 * account's credentials (it pushes account JWTs) and, sealed, each tenant's account
 * key. The backbone's own users and data never reach the gateway.
 */

const decoder = new TextDecoder();
const seedOf = (kp: KeyPair): string => decoder.decode(kp.getSeed());

/** The stream every tenant account holds its events in, on subjects `<root>.evt.<tenant>.>`. */
export const GATEWAY_STREAM = 'EVENTS';

/** Every unlisted account limit means 0 to the server (0 connections): state them all. */
const NO_LIMITS = { subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 };

export interface GatewayOperator {
  /** The operator JWT the server trusts (`operator:` in its config). */
  operatorJwt: string;
  /** Seed of the operator signing key: signs account JWTs (delivery holds it). */
  signingKeySeed: string;
  /** Public key and JWT of the system account. */
  systemAccount: string;
  systemAccountJwt: string;
  /** A system-account user's credentials: publishes account JWTs to the server. */
  systemCreds: string;
}

/**
 * A new operator for a gateway: identity key (discarded: the signing key does the
 * work and the server needs only the JWT), signing key, system account and its user.
 */
export async function createGatewayOperator(name = 'assent-events'): Promise<GatewayOperator> {
  const operator = createOperator();
  const signing = createOperator();
  const system = createAccount();
  const operatorJwt = await encodeOperator(name, operator, { signing_keys: [signing.getPublicKey()], system_account: system.getPublicKey() });
  const systemAccountJwt = await encodeAccount('SYS', system.getPublicKey(), { limits: NO_LIMITS }, { signer: signing });
  const user = createUser();
  const userJwt = await encodeUser('gateway-admin', user, system);
  return {
    operatorJwt,
    signingKeySeed: seedOf(signing),
    systemAccount: system.getPublicKey(),
    systemAccountJwt,
    systemCreds: decoder.decode(fmtCreds(userJwt, user)),
  };
}

/** nats-server configuration of a gateway (its own port, store and resolver directories). */
export function gatewayServerConfig(opts: {
  host: string;
  port: number;
  storeDir: string;
  resolverDir: string;
  operatorJwtFile: string;
  systemAccount: string;
  systemAccountJwt: string;
  /** JetStream storage for every tenant together. */
  maxFileStore?: string;
  extra?: string[];
}): string {
  return [
    `listen: ${JSON.stringify(`${opts.host}:${opts.port}`)}`,
    `jetstream { store_dir: ${JSON.stringify(opts.storeDir)}, max_mem: 64MB, max_file: ${opts.maxFileStore ?? '10GB'} }`,
    `operator: ${JSON.stringify(opts.operatorJwtFile)}`,
    `system_account: ${opts.systemAccount}`,
    // The NATS-based resolver: account JWTs pushed at run time are stored here and
    // shared with the other servers of a cluster; deleting accounts is not allowed.
    `resolver: { type: full, dir: ${JSON.stringify(opts.resolverDir)}, allow_delete: false, interval: "2m", limit: 100000 }`,
    `resolver_preload: { ${opts.systemAccount}: ${JSON.stringify(opts.systemAccountJwt)} }`,
    ...(opts.extra ?? []),
    '',
  ].join('\n');
}

/** A new tenant account key (its seed is what delivery keeps, sealed). */
export function newAccountSeed(): string {
  return seedOf(createAccount());
}

export const accountPublicKey = (accountSeed: string): string => fromSeed(new TextEncoder().encode(accountSeed)).getPublicKey();

export interface TenantAccountLimits {
  /** JetStream file storage for the tenant's stream, bytes (the stream reserves it on the server). */
  diskBytes: number;
  /** Durable consumers (one per credential name). */
  consumers: number;
  /** Connections at once (readers and the bridge). */
  connections: number;
}

export const defaultTenantAccountLimits: TenantAccountLimits = { diskBytes: 256 * 1024 ** 2, consumers: 100, connections: 100 };

/**
 * The account JWT of a tenant, signed by the operator signing key. `revocations`
 * maps a user public key to the time (unix seconds) before which its JWTs are void.
 */
export function tenantAccountJwt(opts: {
  signingKeySeed: string;
  accountSeed: string;
  tenant: string;
  revocations: Readonly<Record<string, number>>;
  limits?: TenantAccountLimits;
}): Promise<string> {
  const limits = opts.limits ?? defaultTenantAccountLimits;
  const signer = fromSeed(new TextEncoder().encode(opts.signingKeySeed));
  return encodeAccount(
    `tenant-${opts.tenant}`,
    accountPublicKey(opts.accountSeed),
    {
      limits: { ...NO_LIMITS, conn: limits.connections, disk_storage: limits.diskBytes, mem_storage: 0, streams: 1, consumer: limits.consumers },
      ...(Object.keys(opts.revocations).length ? { revocations: { ...opts.revocations } } : {}),
    },
    { signer },
  );
}

export interface UserPermissions {
  pub: { allow: string[]; deny?: string[] };
  sub: { allow: string[]; deny?: string[] };
}

/**
 * What an outside consumer may do in its tenant's account: read the stream's info and
 * pull from (and acknowledge) its durable consumers. Consumers are created by Assent
 * (pull, explicit ack), never by the consumer: a consumer the creator configures could
 * be a push consumer aimed at the stream's own subjects (nats-server does not check a
 * deliver subject against the creator's permissions). No publishing to event subjects.
 */
export function tenantReaderPermissions(stream = GATEWAY_STREAM): UserPermissions {
  return {
    pub: {
      allow: [`$JS.API.STREAM.INFO.${stream}`, `$JS.API.CONSUMER.INFO.${stream}.*`, `$JS.API.CONSUMER.MSG.NEXT.${stream}.*`, `$JS.ACK.${stream}.>`],
    },
    sub: { allow: ['_INBOX.>'] },
  };
}

/** Delivery's own user in a tenant account: keeps the stream and consumers, publishes events. */
export function tenantBridgePermissions(root: string, tenant: string): UserPermissions {
  return { pub: { allow: [`${root}.evt.${tenant}.>`, '$JS.API.>'] }, sub: { allow: ['_INBOX.>'] } };
}

/** A new user of an account: its public key and its credentials file (JWT and seed). */
export async function issueUser(opts: { accountSeed: string; name: string; permissions: UserPermissions; expiresAt?: Date }): Promise<{ publicKey: string; creds: string }> {
  const account = fromSeed(new TextEncoder().encode(opts.accountSeed));
  const user = createUser();
  const jwt = await encodeUser(
    opts.name,
    user,
    account,
    { pub: { allow: opts.permissions.pub.allow, deny: opts.permissions.pub.deny ?? [] }, sub: { allow: opts.permissions.sub.allow, deny: opts.permissions.sub.deny ?? [] } },
    opts.expiresAt ? { exp: Math.floor(opts.expiresAt.getTime() / 1000) } : {},
  );
  return { publicKey: user.getPublicKey(), creds: decoder.decode(fmtCreds(jwt, user)) };
}
