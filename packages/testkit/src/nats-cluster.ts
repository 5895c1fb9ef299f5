import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';
import { jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { tcpReachable } from './backing-services.js';
import { removeOnExit, spawnServer, type ServerProcess } from './server-process.js';

/** A private NATS cluster with JetStream (every node on 127.0.0.1), as the production overlay runs it. */
export interface RunningNatsCluster {
  /** Every node's client URL, comma-separated (what ASSENT_NATS_URL takes). */
  url: string;
  nodes: { port: number; stop(signal?: NodeJS.Signals): Promise<void> }[];
  stop(): Promise<void>;
}

/**
 * Starts `size` nats-servers routed into one cluster, each with its own store, and
 * resolves once JetStream answers (the cluster has elected its meta leader).
 */
export async function startNatsCluster(size = 3, opts: { binary?: string } = {}): Promise<RunningNatsCluster> {
  const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await getPort({ host: '127.0.0.1' }), route: await getPort({ host: '127.0.0.1' }) })));
  const dir = await mkdtemp(join(tmpdir(), 'assent-nats-cluster-'));
  removeOnExit(dir);
  const running: ServerProcess[] = [];
  try {
    for (const [i, p] of ports.entries()) {
      const conf = join(dir, `node-${i}.conf`);
      const routes = ports.filter((_, j) => j !== i).map((o) => `"nats-route://127.0.0.1:${o.route}"`);
      await writeFile(
        conf,
        [
          `server_name: "assent-node-${i}"`,
          `listen: "127.0.0.1:${p.client}"`,
          `jetstream { store_dir: "${join(dir, `store-${i}`)}" }`,
          `cluster { name: "assent-test", listen: "127.0.0.1:${p.route}", routes: [${routes.join(', ')}] }`,
          '',
        ].join('\n'),
      );
      // Ready once it listens; JetStream needs the others, so the cluster is awaited below.
      running.push(await spawnServer({ name: `nats node ${i}`, command: opts.binary ?? 'nats-server', args: ['-c', conf], dir, ready: () => tcpReachable('127.0.0.1', p.client) }));
    }
    const url = ports.map((p) => `nats://127.0.0.1:${p.client}`).join(',');
    const deadline = Date.now() + 60_000;
    while (!(await placesReplicatedStreams(url, size))) {
      if (Date.now() > deadline) throw new Error(`the NATS cluster could not place a ${size}-replica stream in 60 s`);
      await new Promise((r) => setTimeout(r, 250));
    }
    return {
      url,
      nodes: ports.map((p, i) => ({ port: p.client, stop: (signal) => (running[i] as ServerProcess).stop(signal) })),
      stop: async () => {
        await Promise.all(running.map((r) => r.stop()));
      },
    };
  } catch (err) {
    await Promise.all(running.map((r) => r.stop('SIGKILL')));
    throw err;
  }
}

/**
 * Ready means more than a JetStream answer: every node is routed in and the cluster
 * can place (and remove) a stream on all of them, which is what the services ask of it.
 */
async function placesReplicatedStreams(url: string, size: number): Promise<boolean> {
  const nc = await connect({ servers: url.split(','), reconnect: false, timeout: 2_000 }).catch(() => undefined);
  if (!nc) return false;
  try {
    const jsm = await jetstreamManager(nc, { timeout: 5_000 });
    const name = `TESTKIT_CLUSTER_PROBE_${Date.now()}`;
    await jsm.streams.add({ name, subjects: [`testkit.cluster.probe.${Date.now()}`], num_replicas: size, storage: StorageType.Memory });
    await jsm.streams.delete(name);
    return true;
  } catch {
    return false;
  } finally {
    await nc.close();
  }
}
