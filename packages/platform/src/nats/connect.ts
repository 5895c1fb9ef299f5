import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { UnavailableError } from '../errors.js';
import { coalesceWrites } from './coalesce-writes.js';
import type { ClientTlsFiles } from '../config.js';

export interface Nats {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** False while the connection is down (between a disconnect and the reconnect). */
  connected(): boolean;
  /** Stops new deliveries, lets in-flight handlers finish, then closes. */
  drain(): Promise<void>;
}

/**
 * The servers of a comma-separated URL list, and the user and password of the first
 * URL that has them (`nats://approvals:secret@nats:4222`): each service connects as
 * its own NATS user (nats-permissions.ts).
 */
export function natsServers(url: string): { servers: string[]; user?: string; pass?: string } {
  const servers: string[] = [];
  let auth: { user: string; pass: string } | undefined;
  for (const s of url.split(',').map((x) => x.trim()).filter(Boolean)) {
    const parsed = URL.canParse(s) ? new URL(s) : undefined;
    if (parsed?.username) {
      auth ??= { user: decodeURIComponent(parsed.username), pass: decodeURIComponent(parsed.password) };
      parsed.username = '';
      parsed.password = '';
      servers.push(parsed.toString().replace(/\/$/, ''));
    } else servers.push(s);
  }
  return { servers, ...auth };
}

/** nats.js TLS options from PEM files; undefined when none is set (plaintext, unless the URL says tls://). */
function natsTlsOptions(tls: ClientTlsFiles | undefined): { caFile?: string; certFile?: string; keyFile?: string } | undefined {
  if (!tls || (!tls.caFile && !tls.certFile && !tls.keyFile)) return undefined;
  return { ...(tls.caFile ? { caFile: tls.caFile } : {}), ...(tls.certFile ? { certFile: tls.certFile } : {}), ...(tls.keyFile ? { keyFile: tls.keyFile } : {}) };
}

export async function connectNats(url: string, name: string, logger: Logger, opts: { tls?: ClientTlsFiles | undefined; timeoutMs?: number } = {}): Promise<Nats> {
  let nc: NatsConnection;
  try {
    const tlsOptions = natsTlsOptions(opts.tls);
    // noAsyncTraces: no Error (and stack capture) allocated per request just in case it fails.
    nc = await connect({
      ...natsServers(url),
      name,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      noAsyncTraces: true,
      ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
      ...(tlsOptions ? { tls: tlsOptions } : {}),
    });
  } catch (err) {
    throw new UnavailableError(`cannot connect to NATS at ${natsServers(url).servers.join(',')}: ${(err as Error).message}`, { cause: err });
  }
  let up = true;
  coalesceWrites(nc);
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') up = false;
      if (s.type === 'reconnect') {
        up = true;
        coalesceWrites(nc);
      }
      if (s.type === 'disconnect' || s.type === 'reconnect') logger.warn({ nats: s.type }, 'nats status');
      // e.g. a permissions violation: the server names the subject it refused.
      if (s.type === 'error') logger.warn({ nats: s.type, err: s.error }, 'nats server error');
    }
  })();
  const js = jetstream(nc);
  const jsm = await jetstreamManager(nc);
  return {
    nc,
    js,
    jsm,
    connected: () => up && !nc.isClosed(),
    async drain() {
      if (!nc.isClosed()) await nc.drain();
    },
  };
}
