import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, createLogger, createRedis, type ClientTlsFiles, type Redis } from '@assent/platform';
import { makeTestPki, startNatsServer, startRedisServer, type RunningNatsServer, type RunningRedisServer, type TestPki } from '@assent/testkit';

/**
 * TLS to NATS and Redis, against real servers that require it and verify client
 * certificates (private servers on free ports, throwaway openssl CA).
 */
let pki: TestPki;
let nats: RunningNatsServer;
let redis: RunningRedisServer;
const clients: Redis[] = [];
const logger = createLogger('tls-test', 'silent');

beforeAll(async () => {
  pki = makeTestPki();
  [nats, redis] = await Promise.all([startNatsServer({ tls: pki }), startRedisServer({ tls: pki })]);
}, 30_000);

afterAll(async () => {
  clients.forEach((c) => c.disconnect());
  await Promise.allSettled([nats?.stop(), redis?.stop()]);
});

const withClient = (): ClientTlsFiles => ({ caFile: pki.caCert, certFile: pki.clientCert, keyFile: pki.clientKey });

describe('TLS to NATS', () => {
  it('connects with the CA and a client certificate, and JetStream works over it', async () => {
    const conn = await connectNats(nats.url, 'tls-test', logger, { tls: withClient() });
    try {
      expect((await conn.jsm.getAccountInfo()).streams).toBe(0);
    } finally {
      await conn.drain();
    }
  });

  it('is refused without a client certificate, with a foreign one, or without trusting the server', async () => {
    const url = nats.url;
    // A refused handshake shows as no connection within the (here short) connect timeout.
    const attempt = (tls: ClientTlsFiles) => connectNats(url, 'tls-test', logger, { tls, timeoutMs: 3_000 });
    await expect(attempt({ caFile: pki.caCert, certFile: undefined, keyFile: undefined })).rejects.toThrow(/cannot connect to NATS/);
    await expect(attempt({ caFile: pki.caCert, certFile: pki.rogueClientCert, keyFile: pki.rogueClientKey })).rejects.toThrow(/cannot connect to NATS/);
    await expect(attempt({ caFile: undefined, certFile: pki.clientCert, keyFile: pki.clientKey })).rejects.toThrow(/cannot connect to NATS/);
  });
});

describe('TLS to Redis', () => {
  const ping = async (tls: ClientTlsFiles) => {
    const c = createRedis(redis.url, 'tlstest', tls);
    c.on('error', () => undefined);
    clients.push(c);
    try {
      return await Promise.race([c.ping(), new Promise<string>((_, reject) => setTimeout(() => reject(new Error('no answer')), 3_000))]);
    } finally {
      c.disconnect();
    }
  };

  it('answers over rediss:// with the CA and a client certificate', async () => {
    expect(await ping(withClient())).toBe('PONG');
  });

  it('is refused without a client certificate or with a foreign one', async () => {
    await expect(ping({ caFile: pki.caCert, certFile: undefined, keyFile: undefined })).rejects.toThrow();
    await expect(ping({ caFile: pki.caCert, certFile: pki.rogueClientCert, keyFile: pki.rogueClientKey })).rejects.toThrow();
  });
});
