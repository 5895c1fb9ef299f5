import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { randomBytes } from 'node:crypto';
import { natsAuthorizationConfig, natsServers, natsServiceUsers, type NatsServiceUser } from '@assent/platform';
import { startRestartable, type RestartableServer } from './server-process.js';

/** A private NATS (JetStream on) a test can take down and bring back; never the machine's shared one. */
export type RunningNatsServer = RestartableServer & {
  /** With `auth`: the URL with a service's own user (its least-privilege permissions); `url` is then the test's unrestricted user. */
  urlFor(service: NatsServiceUser): string;
};

/**
 * Starts the installed `nats-server` on a free 127.0.0.1 port with JetStream and its
 * own config and store dir, and resolves once JetStream answers (after a restart,
 * once it has recovered its streams).
 */
export async function startNatsServer(opts: { binary?: string; auth?: { root: string } } = {}): Promise<RunningNatsServer> {
  const password = () => randomBytes(18).toString('base64url');
  const passwords = Object.fromEntries(natsServiceUsers.map((u) => [u, password()])) as Record<NatsServiceUser, string>;
  const admin = { user: 'testkit-admin', password: password() };
  const withUser = (url: string, user: string, pass: string) => url.replace('nats://', `nats://${user}:${pass}@`);
  const server = await startRestartable({
    name: 'nats-server',
    dirPrefix: 'assent-nats-',
    url: (port) => (opts.auth ? withUser(`nats://127.0.0.1:${port}`, admin.user, admin.password) : `nats://127.0.0.1:${port}`),
    configure: async (port, dir) => {
      const conf = join(dir, 'nats.conf');
      const lines = [`listen: "127.0.0.1:${port}"`, `server_name: "assent-test-${port}"`, 'jetstream {', `  store_dir: "${join(dir, 'jetstream')}"`, '}'];
      if (opts.auth) lines.push(natsAuthorizationConfig(opts.auth.root, passwords, [admin]));
      await writeFile(conf, `${lines.join('\n')}\n`, { mode: 0o600 });
      const readyUrl = opts.auth ? withUser(`nats://127.0.0.1:${port}`, admin.user, admin.password) : `nats://127.0.0.1:${port}`;
      return { command: opts.binary ?? 'nats-server', args: ['-c', conf], ready: () => jetStreamReady(readyUrl) };
    },
  });
  const base = server.url.replace(/\/\/[^@]*@/, '//');
  return { ...server, urlFor: (service) => (opts.auth ? withUser(base, service, passwords[service]) : server.url) };
}

async function jetStreamReady(url: string): Promise<boolean> {
  const nc = await connect({ ...natsServers(url), reconnect: false, timeout: 1_000 });
  try {
    await (await jetstreamManager(nc, { timeout: 1_000 })).getAccountInfo();
    return true;
  } finally {
    await nc.close();
  }
}
