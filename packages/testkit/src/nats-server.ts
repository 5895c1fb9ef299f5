import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startRestartable, type RestartableServer } from './server-process.js';

/** A private NATS (JetStream on) a test can take down and bring back; never the machine's shared one. */
export type RunningNatsServer = RestartableServer;

/**
 * Starts the installed `nats-server` on a free 127.0.0.1 port with JetStream and its
 * own config and store dir, and resolves once JetStream answers (after a restart,
 * once it has recovered its streams).
 */
export function startNatsServer(opts: { binary?: string } = {}): Promise<RunningNatsServer> {
  return startRestartable({
    name: 'nats-server',
    dirPrefix: 'assent-nats-',
    url: (port) => `nats://127.0.0.1:${port}`,
    configure: async (port, dir) => {
      const conf = join(dir, 'nats.conf');
      await writeFile(conf, [`listen: "127.0.0.1:${port}"`, `server_name: "assent-test-${port}"`, 'jetstream {', `  store_dir: "${join(dir, 'jetstream')}"`, '}', ''].join('\n'));
      return { command: opts.binary ?? 'nats-server', args: ['-c', conf], ready: () => jetStreamReady(`nats://127.0.0.1:${port}`) };
    },
  });
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
