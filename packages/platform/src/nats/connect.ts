import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { Logger } from 'pino';
import { UnavailableError } from '../errors.js';
import { coalesceWrites } from './coalesce-writes.js';

export interface Nats {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** False while the connection is down (between a disconnect and the reconnect). */
  connected(): boolean;
  /** Stops new deliveries, lets in-flight handlers finish, then closes. */
  drain(): Promise<void>;
}

export async function connectNats(url: string, name: string, logger: Logger): Promise<Nats> {
  let nc: NatsConnection;
  try {
    // noAsyncTraces: no Error (and stack capture) allocated per request just in case it fails.
    nc = await connect({ servers: url.split(','), name, maxReconnectAttempts: -1, reconnectTimeWait: 500, noAsyncTraces: true });
  } catch (err) {
    throw new UnavailableError(`cannot connect to NATS at ${url}: ${(err as Error).message}`, { cause: err });
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
      if (s.type === 'disconnect' || s.type === 'reconnect' || s.type === 'error') logger.warn({ nats: s.type }, 'nats status');
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
