import { readFileSync } from 'node:fs';
import {
  GATEWAY_STREAM,
  UnavailableError,
  READER_API_PREFIX,
  accountPublicKey,
  issueUser,
  newAccountSeed,
  readerAccountJwt,
  tenantAccountJwt,
  tenantBridgePermissions,
  tenantReaderPermissions,
  type Logger,
  type TenantAccountLimits,
} from '@assent/platform';
import { AckPolicy, DeliverPolicy, DiscardPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/nats-core';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import type { EventGateway } from '../../domain/ports.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { GatewayAccount, KvGatewayStore } from '../jetstream/gateway-store.js';

const DAY_MS = 24 * 3_600_000;
/** Bridge connections kept open at once (one per tenant with an account); the least recently used closes first. */
const MAX_BRIDGES = 200;

interface Bridge {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

export interface NatsEventGatewayOptions {
  /** Where delivery reaches the gateway. */
  url: string;
  /** Where outside consumers reach it (told to them with each credential); defaults to `url`. */
  publicUrl?: string | undefined;
  root: string;
  signingKeyFile: string;
  systemCredsFile: string;
  limits: TenantAccountLimits;
  store: KvGatewayStore;
  box: SecretBox;
  logger: Logger;
}

/**
 * The event gateway over NATS: tenant accounts are created and updated by pushing
 * account JWTs as the system account; delivery reaches each tenant's stream as its
 * own user in that account (a "bridge" connection per tenant, opened on first use).
 */
export class NatsEventGateway implements EventGateway {
  readonly stream = GATEWAY_STREAM;
  readonly apiPrefix = READER_API_PREFIX;
  readonly url: string;
  private readonly bridges = new Map<string, Promise<Bridge>>();
  private readonly signingKeySeed: string;

  private constructor(
    private readonly opts: NatsEventGatewayOptions,
    private readonly system: NatsConnection,
  ) {
    this.url = opts.publicUrl ?? opts.url;
    this.signingKeySeed = readFileSync(opts.signingKeyFile, 'utf8').trim();
  }

  static async open(opts: NatsEventGatewayOptions): Promise<NatsEventGateway> {
    const system = await connect({
      servers: opts.url,
      name: 'assent-delivery-gateway-admin',
      authenticator: credsAuthenticator(readFileSync(opts.systemCredsFile)),
      maxReconnectAttempts: -1,
    });
    return new NatsEventGateway(opts, system);
  }

  subjectsOf(tenant: string): string {
    return `${this.opts.root}.evt.${tenant}.>`;
  }

  async prepare(tenant: string, consumer: string): Promise<void> {
    await this.ensureAccount(tenant);
    const { jsm } = await this.bridge(tenant);
    const exists = await jsm.consumers.info(this.stream, consumer).then(
      () => true,
      (err: unknown) => {
        if (/consumer not found/i.test((err as Error).message)) return false;
        throw err;
      },
    );
    if (!exists) {
      await jsm.consumers.add(this.stream, { durable_name: consumer, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, max_ack_pending: 1_000 });
    }
  }

  async signReader(tenant: string, name: string): Promise<{ publicKey: string; creds: string }> {
    const account = this.opts.store.account(tenant);
    if (!account) throw new Error(`tenant ${tenant} has no gateway account yet (prepare first)`);
    return issueUser({ accountSeed: await this.opts.box.open(account.sealedReaderSeed, readerRef(tenant)), name, permissions: tenantReaderPermissions(this.stream) });
  }

  async revoke(tenant: string, publicKey: string): Promise<void> {
    const at = Math.floor(Date.now() / 1000);
    await this.opts.store.updateAccount(tenant, (a) => ({ ...a, revocations: { ...a.revocations, [publicKey]: Math.max(at, a.revocations[publicKey] ?? 0) } }));
    await this.pushLatest(tenant);
  }

  serves(tenant: string): boolean {
    return this.opts.store.account(tenant) !== undefined;
  }

  async forward(event: { tenant: string; subject: string; id: string; payload: Uint8Array }): Promise<void> {
    if (!this.serves(event.tenant)) return;
    const { js } = await this.bridge(event.tenant);
    await js.publish(event.subject, event.payload, { msgID: event.id });
  }

  async close(): Promise<void> {
    const bridges = await Promise.allSettled(this.bridges.values());
    this.bridges.clear();
    await Promise.allSettled(bridges.map((b) => (b.status === 'fulfilled' ? b.value.nc.close() : undefined)));
    await this.system.close();
  }

  /** The tenant's account exists, in the store and on the server (pushed every time: the server may have lost it). */
  private async ensureAccount(tenant: string): Promise<void> {
    if (!this.opts.store.account(tenant)) {
      const [seed, readerSeed] = [newAccountSeed(), newAccountSeed()];
      const created = await this.opts.store.createAccount({
        tenant,
        publicKey: accountPublicKey(seed),
        sealedSeed: await this.opts.box.seal(seed, ref(tenant)),
        readerPublicKey: accountPublicKey(readerSeed),
        sealedReaderSeed: await this.opts.box.seal(readerSeed, readerRef(tenant)),
        revocations: {},
      });
      if (created) this.opts.logger.info({ tenant }, 'event gateway account created');
    }
    await this.pushLatest(tenant);
  }

  /**
   * Pushes the account JWT signed from the latest record, then checks the record did
   * not change meanwhile (else pushes again): the server keeps whichever JWT it got
   * last, so a replica that pushed an older one must not have the last word.
   */
  private async pushLatest(tenant: string): Promise<void> {
    for (let round = 0; round < 10; round++) {
      const before = await this.opts.store.latestAccount(tenant);
      await this.push(before.account);
      const after = await this.opts.store.latestAccount(tenant);
      if (after.revision === before.revision) return;
    }
    throw new UnavailableError(`the gateway account of ${tenant} keeps changing; try again`);
  }

  /** Both of the tenant's account JWTs: the data account first (the reader account imports from it). */
  private async push(account: GatewayAccount): Promise<void> {
    const common = { signingKeySeed: this.signingKeySeed, tenant: account.tenant, limits: this.opts.limits, stream: this.stream };
    await this.pushJwt(account.tenant, await tenantAccountJwt({ ...common, accountSeed: await this.seedOf(account) }));
    await this.pushJwt(
      account.tenant,
      await readerAccountJwt({
        ...common,
        readerSeed: await this.opts.box.open(account.sealedReaderSeed, readerRef(account.tenant)),
        dataAccount: account.publicKey,
        revocations: account.revocations,
      }),
    );
  }

  private async pushJwt(tenant: string, jwt: string): Promise<void> {
    let reply;
    try {
      reply = await this.system.request('$SYS.REQ.CLAIMS.UPDATE', jwt, { timeout: 5_000 });
    } catch (err) {
      throw new UnavailableError(`event gateway unreachable: ${(err as Error).message}`, { cause: err });
    }
    const body = reply.json<{ data?: { code?: number }; error?: { code?: number; description?: string } }>();
    if (body.error || body.data?.code !== 200) {
      throw new UnavailableError(`event gateway refused an account of ${tenant}: ${body.error?.description ?? JSON.stringify(body)}`);
    }
  }

  private seedOf(account: GatewayAccount): Promise<string> {
    return this.opts.box.open(account.sealedSeed, ref(account.tenant));
  }

  /** Delivery's connection into a tenant's account (its own user there), with the stream in place. */
  private bridge(tenant: string): Promise<Bridge> {
    const open = this.bridges.get(tenant);
    if (open) {
      // Most recently used last, so the first key is the one to close when full.
      this.bridges.delete(tenant);
      this.bridges.set(tenant, open);
      return open;
    }
    const opening = this.openBridge(tenant);
    this.bridges.set(tenant, opening);
    opening.catch(() => this.bridges.get(tenant) === opening && this.bridges.delete(tenant));
    if (this.bridges.size > MAX_BRIDGES) {
      const [oldest, conn] = this.bridges.entries().next().value as [string, Promise<Bridge>];
      this.bridges.delete(oldest);
      void conn.then((b) => b.nc.close()).catch(() => undefined);
    }
    return opening;
  }

  private async openBridge(tenant: string): Promise<Bridge> {
    const account = this.opts.store.account(tenant);
    if (!account) throw new Error(`tenant ${tenant} has no gateway account`);
    const user = await issueUser({ accountSeed: await this.seedOf(account), name: `delivery-bridge-${tenant}`, permissions: tenantBridgePermissions(this.opts.root, tenant) });
    const nc = await connect({
      servers: this.opts.url,
      name: `assent-delivery-bridge-${tenant}`,
      authenticator: credsAuthenticator(new TextEncoder().encode(user.creds)),
      maxReconnectAttempts: -1,
    });
    try {
      const jsm = await jetstreamManager(nc, { checkAPI: false });
      // The server enables JetStream for a new account shortly after accepting its JWT.
      for (let attempt = 0; ; attempt++) {
        try {
          await jsm.getAccountInfo();
          break;
        } catch (err) {
          if (attempt >= 50 || !/jetstream not enabled|jetstream is not enabled/i.test((err as Error).message)) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      const config = {
        name: this.stream,
        subjects: [this.subjectsOf(tenant)],
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        discard: DiscardPolicy.Old,
        max_age: nanos(30 * DAY_MS),
        max_bytes: this.opts.limits.diskBytes,
        duplicate_window: nanos(10 * 60_000),
      };
      await jsm.streams.info(this.stream).then(
        () => jsm.streams.update(this.stream, config),
        () => jsm.streams.add(config),
      );
      return { nc, jsm, js: jetstream(nc) };
    } catch (err) {
      await nc.close();
      throw new UnavailableError(`cannot prepare the gateway stream of ${tenant}: ${(err as Error).message}`, { cause: err });
    }
  }
}

const ref = (tenant: string) => `gateway.${tenant}`;
const readerRef = (tenant: string) => `gateway.${tenant}.readers`;
