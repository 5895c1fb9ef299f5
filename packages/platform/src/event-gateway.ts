import { createAccount, createOperator, createUser, encodeAccount, encodeOperator, encodeUser, fmtCreds, fromSeed, type KeyPair } from '@nats-io/jwt';

/**
 * The event gateway: a NATS server, apart from the backbone, where outside consumers
 * read their tenant's events. It runs in operator mode (decentralised JWT auth, the
 * NATS-based `full` resolver), so credentials are issued and revoked at run time with
 * no config change. Each tenant has two NATS accounts, sharing nothing with other
 * tenants: a data account holding its JetStream stream (delivery writes it), and a
 * reader account without JetStream whose users (the credentials handed out) reach the
 * stream only through four service imports: stream info, consumer info, pull and ack.
 * Readers cannot live in the data account: nats-server does not check the reply
 * subject of a request against permissions, and aimed at the stream's own subjects or
 * its API (a forged ack replied to `$JS.API.STREAM.PURGE.EVENTS`) it copies events or
 * purges and deletes the stream; across an import the server rewrites reply subjects.
 * Revoking a reader re-signs the reader account JWT with its key in `revocations`.
 *
 * Delivery holds the operator signing key (it creates tenant accounts), the system
 * account's credentials (it pushes account JWTs) and, sealed, each tenant's account
 * key. The backbone's own users and data never reach the gateway.
 */

const decoder = new TextDecoder();
const seedOf = (kp: KeyPair): string => decoder.decode(kp.getSeed());

/** The stream every tenant's data account holds its events in, on subjects `<root>.evt.<tenant>.>`. */
export const GATEWAY_STREAM = 'EVENTS';

/**
 * Where readers find the JetStream API in their account (a client's `apiPrefix`): the
 * imported services, under a name of their own because every account also has a
 * built-in `$JS.API.>` import that would answer "JetStream not enabled" first.
 */
export const READER_API_PREFIX = 'ASSENT.JS.API';

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

export interface GatewayServerOptions {
  host: string;
  port: number;
  storeDir: string;
  resolverDir: string;
  /** Where the server reads the operator JWT (written next to the config as operator.jwt). */
  operatorJwtFile: string;
  /** JetStream storage for every tenant together; each tenant's stream reserves its limit of it. */
  maxFileStore?: string;
  extra?: string[];
}

/**
 * Everything a gateway needs, by file name: the server's config and operator JWT
 * (public), and delivery's operator signing key and system credentials (secret: 0600,
 * delivery's alone). Used by `make up`, the testkit and scripts/event-gateway-init.ts.
 */
export function gatewayFiles(operator: GatewayOperator, server: GatewayServerOptions) {
  return {
    public: {
      'gateway.conf': gatewayServerConfig({ ...server, systemAccount: operator.systemAccount, systemAccountJwt: operator.systemAccountJwt }),
      'operator.jwt': `${operator.operatorJwt}\n`,
    },
    secret: {
      'operator-signing-key.nk': `${operator.signingKeySeed}\n`,
      'system.creds': operator.systemCreds,
    },
  };
}

/** nats-server configuration of a gateway (its own port, store and resolver directories). */
export function gatewayServerConfig(opts: GatewayServerOptions & { systemAccount: string; systemAccountJwt: string }): string {
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

/** What a tenant's data account exports to its reader account: read-only JetStream, per stream. */
function readerServices(stream: string): { subject: string; response_type?: 'Stream' }[] {
  return [
    { subject: `$JS.API.STREAM.INFO.${stream}` },
    { subject: `$JS.API.CONSUMER.INFO.${stream}.*` },
    // A pull for a batch is answered by several messages.
    { subject: `$JS.API.CONSUMER.MSG.NEXT.${stream}.*`, response_type: 'Stream' },
    { subject: `$JS.ACK.${stream}.>` },
  ];
}

/** The tenant's data account JWT (its stream; delivery's bridge user), signed by the operator signing key. */
export function tenantAccountJwt(opts: { signingKeySeed: string; accountSeed: string; tenant: string; limits?: TenantAccountLimits; stream?: string }): Promise<string> {
  const limits = opts.limits ?? defaultTenantAccountLimits;
  return encodeAccount(
    `tenant-${opts.tenant}`,
    accountPublicKey(opts.accountSeed),
    {
      // Delivery's bridge connections only.
      limits: { ...NO_LIMITS, conn: 10, disk_storage: limits.diskBytes, mem_storage: 0, streams: 1, consumer: limits.consumers },
      exports: readerServices(opts.stream ?? GATEWAY_STREAM).map((e) => ({ name: e.subject, type: 'service' as const, ...e })),
    },
    { signer: fromSeed(new TextEncoder().encode(opts.signingKeySeed)) },
  );
}

/**
 * The tenant's reader account JWT: no JetStream, the data account's read-only services
 * imported (the API under READER_API_PREFIX), and the revoked readers. `revocations`
 * maps a user public key to the time (unix seconds) up to which its JWTs are void.
 */
export function readerAccountJwt(opts: {
  signingKeySeed: string;
  readerSeed: string;
  dataAccount: string;
  tenant: string;
  revocations: Readonly<Record<string, number>>;
  limits?: TenantAccountLimits;
  stream?: string;
}): Promise<string> {
  const limits = opts.limits ?? defaultTenantAccountLimits;
  return encodeAccount(
    `tenant-${opts.tenant}-readers`,
    accountPublicKey(opts.readerSeed),
    {
      limits: { ...NO_LIMITS, conn: limits.connections },
      imports: readerServices(opts.stream ?? GATEWAY_STREAM).map((e) => ({
        name: e.subject,
        subject: e.subject,
        account: opts.dataAccount,
        type: 'service' as const,
        ...(e.subject.startsWith('$JS.API.') ? { local_subject: e.subject.replace('$JS.API.', `${READER_API_PREFIX}.`) } : {}),
      })),
      ...(Object.keys(opts.revocations).length ? { revocations: { ...opts.revocations } } : {}),
    },
    { signer: fromSeed(new TextEncoder().encode(opts.signingKeySeed)) },
  );
}

export interface UserPermissions {
  pub: { allow: string[]; deny?: string[] };
  sub: { allow: string[]; deny?: string[] };
}

/**
 * What an outside consumer may do in its tenant's reader account: read the stream's
 * info and pull from (and acknowledge) its durable consumers, through the imports.
 * Consumers are created by Assent (pull, explicit ack), never by a reader: a consumer
 * its creator configures could push onto any subject (nats-server does not check a
 * deliver subject against the creator's permissions).
 */
export function tenantReaderPermissions(stream = GATEWAY_STREAM): UserPermissions {
  const api = READER_API_PREFIX;
  return {
    pub: { allow: [`${api}.STREAM.INFO.${stream}`, `${api}.CONSUMER.INFO.${stream}.*`, `${api}.CONSUMER.MSG.NEXT.${stream}.*`, `$JS.ACK.${stream}.>`] },
    sub: { allow: ['_INBOX.>'] },
  };
}

/** Delivery's own user in a tenant account: keeps the stream and consumers, publishes events. */
export function tenantBridgePermissions(root: string, tenant: string): UserPermissions {
  return { pub: { allow: [`${root}.evt.${tenant}.>`, '$JS.API.>'] }, sub: { allow: ['_INBOX.>'] } };
}

/** A new user of an account: its public key and its credentials file (JWT and seed). */
export async function issueUser(opts: { accountSeed: string; name: string; permissions: UserPermissions }): Promise<{ publicKey: string; creds: string }> {
  const account = fromSeed(new TextEncoder().encode(opts.accountSeed));
  const user = createUser();
  const jwt = await encodeUser(
    opts.name,
    user,
    account,
    { pub: { allow: opts.permissions.pub.allow, deny: opts.permissions.pub.deny ?? [] }, sub: { allow: opts.permissions.sub.allow, deny: opts.permissions.sub.deny ?? [] } },
  );
  return { publicKey: user.getPublicKey(), creds: decoder.decode(fmtCreds(jwt, user)) };
}
