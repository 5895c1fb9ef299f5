import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import getPort from 'get-port';
import { removeOnExit, spawnServer, type ServerProcess } from './server-process.js';

/** A private NATS (JetStream on) a test can take down and bring back; never the machine's shared one. */
export interface RunningNatsServer {
  url: string;
  port: number;
  dir: string;
  /** SIGTERM by default (lame-duck free, JetStream flushed); SIGKILL simulates a crash. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and JetStream store; a no-op while it runs. */
  start(): Promise<void>;
}

/**
 * Starts the installed `nats-server` on a free 127.0.0.1 port with JetStream and its
 * own config and store dir, and resolves once JetStream answers (after a restart,
 * once it has recovered its streams).
 */
export async function startNatsServer(opts: { binary?: string } = {}): Promise<RunningNatsServer> {
  const port = await getPort({ host: '127.0.0.1' });
  const dir = await mkdtemp(join(tmpdir(), 'assent-nats-'));
  removeOnExit(dir);
  const conf = join(dir, 'nats.conf');
  await writeFile(conf, [`listen: "127.0.0.1:${port}"`, `server_name: "assent-test-${port}"`, 'jetstream {', `  store_dir: "${join(dir, 'jetstream')}"`, '}', ''].join('\n'));
  const url = `nats://127.0.0.1:${port}`;
  let running: ServerProcess | undefined;
  const start = async () => {
    if (running) return;
    running = await spawnServer({ name: `nats-server :${port}`, command: opts.binary ?? 'nats-server', args: ['-c', conf], ready: () => jetStreamReady(url), dir });
  };
  await start();
  return {
    url,
    port,
    dir,
    start,
    async stop(signal) {
      const r = running;
      running = undefined;
      await r?.stop(signal);
    },
  };
}

async function jetStreamReady(url: string): Promise<boolean> {
  const nc = await connect({ servers: url, reconnect: false, timeout: 1_000 });
  try {
    await (await jetstreamManager(nc, { timeout: 1_000 })).getAccountInfo();
    return true;
  } finally {
    await nc.close();
  }
}
