import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kvm } from '@nats-io/kv';
import { connectNats, createLogger, ensureEventStreams, names, setStreamReplicas, streamReplicas, type Nats } from '@assent/platform';
import { startNatsCluster, type RunningNatsCluster } from '@assent/testkit';

/**
 * The production shape: a 3-node NATS cluster, streams and buckets with 3 replicas
 * (ASSENT_NATS_REPLICAS=3). Losing a node loses nothing and stops nothing.
 */
const n = names('clustertest');
let cluster: RunningNatsCluster;
let nats: Nats;

beforeAll(async () => {
  cluster = await startNatsCluster(3);
  nats = await connectNats(cluster.url, 'cluster-test', createLogger('cluster-test', 'silent'));
}, 90_000);

afterAll(async () => {
  setStreamReplicas(1);
  await nats?.drain().catch(() => undefined);
  await cluster?.stop();
});

describe('a 3-node NATS cluster with ASSENT_NATS_REPLICAS=3', () => {
  it('keeps every stream and bucket on three nodes, and keeps working when one is killed', async () => {
    setStreamReplicas(3);
    expect(streamReplicas()).toBe(3);
    await ensureEventStreams(nats.jsm, n);
    const kv = await new Kvm(nats.nc).create(`${n.upper}_test_bucket`, { history: 1, replicas: streamReplicas() });
    const info = await nats.jsm.streams.info(n.eventsStream);
    expect(info.config.num_replicas).toBe(3);
    expect((await kv.status()).streamInfo.config.num_replicas).toBe(3);
    await expect.poll(async () => (await nats.jsm.streams.info(n.eventsStream)).cluster?.replicas?.filter((r) => r.current).length, { timeout: 10_000 }).toBe(2);

    for (let i = 0; i < 5; i++) await nats.js.publish(n.event('acme', 'approval', 'requested'), `{"n":${i}}`);
    await kv.put('acme', 'v1');

    await cluster.nodes[0]?.stop('SIGKILL');
    // Two of three still form a quorum: writes go on (a retry is deduplicated by its id)
    // and nothing written is missing. Each answer may wait for a new leader: polled.
    const poll = { timeout: 30_000, interval: 250 };
    await expect.poll(async () => nats.js.publish(n.event('acme', 'approval', 'decided'), '{}', { timeout: 2_000, msgID: 'after-kill' }).then((a) => a.seq, () => 0), poll).toBe(6);
    await expect.poll(async () => nats.jsm.streams.info(n.eventsStream).then((i) => i.state.messages, () => -1), poll).toBe(6);
    await expect.poll(async () => kv.get('acme').then((e) => e?.string(), () => 'no answer'), poll).toBe('v1');
  }, 120_000);
});
