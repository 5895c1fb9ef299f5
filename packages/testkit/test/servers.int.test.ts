/**
 * The testkit's private servers come back at the same address with their data after
 * stop()/start(), which is what outage tests rely on; and a stopped one refuses
 * connections (an outage, not a hang).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { startNatsServer, startOpenFga, startRedisServer, tcpReachable, type RunningNatsServer, type RunningOpenFga, type RunningRedisServer } from '../src/index.js';

let redis: RunningRedisServer | undefined;
let nats: RunningNatsServer | undefined;
let fga: RunningOpenFga | undefined;

afterAll(async () => {
  await Promise.all([redis?.stop(), nats?.stop(), fga?.stop()]);
});

describe('private servers', () => {
  it('Redis restarts on its port with its data', async () => {
    redis = await startRedisServer();
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await client.connect();
    await client.set('k', 'v');
    await redis.stop();
    expect(await tcpReachable('127.0.0.1', redis.port)).toBe(false);
    await redis.start();
    await expect.poll(() => client.get('k').catch(() => undefined), { timeout: 10_000 }).toBe('v');
    client.disconnect();
  });

  it('NATS restarts on its port with its streams', async () => {
    nats = await startNatsServer();
    const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
    await (await jetstreamManager(nc)).streams.add({ name: 'KEEP', subjects: ['keep.>'] });
    await nats.stop();
    expect(await tcpReachable('127.0.0.1', nats.port)).toBe(false);
    await nats.start();
    // The client reconnects on its own schedule; the stream is there once it has.
    const info = () => jetstreamManager(nc, { timeout: 1_000 }).then((jsm) => jsm.streams.info('KEEP'));
    await expect.poll(() => info().then((i) => i.config.name, () => undefined), { timeout: 10_000 }).toBe('KEEP');
    await nc.close();
  });

  it('OpenFGA on sqlite restarts on its ports with its stores, answering only its preshared key', async () => {
    fga = await startOpenFga({ datastore: 'sqlite' });
    const auth = { authorization: `Bearer ${fga.presharedKey}` };
    expect((await fetch(`${fga.apiUrl}/stores`, { method: 'POST', body: JSON.stringify({ name: 'nokey' }) })).status).toBe(401);
    const created = (await (await fetch(`${fga.apiUrl}/stores`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'keep' }) })).json()) as { id: string };
    await fga.stop();
    await fga.start();
    const res = await fetch(`${fga.apiUrl}/stores/${created.id}`, { headers: auth });
    expect(res.status).toBe(200);
    expect((await fetch(`${fga.apiUrl}/stores/${created.id}`)).status).toBe(401);
  });
});
