import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { randomBytes } from 'node:crypto';
import { natsAuthorizationConfig, natsServers, natsServiceUsers, type NatsServiceUser } from '@assent/platform';
import { startRestartable, type RestartableServer } from './server-process.js';
import type { TestPki } from './pki.js';

/** A private NATS (JetStream on) a test can take down and bring back; never the machine's shared one. */
export type RunningNatsServer = RestartableServer & {
  /** With `auth`: the URL with a service's own user (its least-privilege permissions); `url` is then the test's unrestricted user. */
  urlFor(service: NatsServiceUser): string;
  /** What the server refused (its log's permission violations): [] when no user overstepped. */
  permissionViolations(): Promise<string[]>;
};

/**
 * Starts the installed `nats-server` on a free 127.0.0.1 port with JetStream and its
 * own config and store dir, and resolves once JetStream answers (after a restart,
 * once it has recovered its streams).
 */
export async function startNatsServer(opts: { binary?: string; auth?: { root: string }; tls?: TestPki } = {}): Promise<RunningNatsServer> {
  const password = () => randomBytes(18).toString('base64url');
  const passwords = Object.fromEntries(natsServiceUsers.map((u) => [u, password()])) as Record<NatsServiceUser, string>;
  const admin = { user: 'testkit-admin', password: password() };
  const scheme = opts.tls ? 'tls' : 'nats';
  const withUser = (url: string, user: string, pass: string) => url.replace(`${scheme}://`, `${scheme}://${user}:${pass}@`);
  const server = await startRestartable({
    name: 'nats-server',
    dirPrefix: 'assent-nats-',
    url: (port) => (opts.auth ? withUser(`${scheme}://127.0.0.1:${port}`, admin.user, admin.password) : `${scheme}://127.0.0.1:${port}`),
    configure: async (port, dir) => {
      const conf = join(dir, 'nats.conf');
      const lines = [`listen: "127.0.0.1:${port}"`, `server_name: "assent-test-${port}"`, `log_file: "${join(dir, 'nats.log')}"`, 'jetstream {', `  store_dir: "${join(dir, 'jetstream')}"`, '}'];
      if (opts.auth) lines.push(natsAuthorizationConfig(opts.auth.root, passwords, [admin]));
      // With `tls`: TLS only, and a client certificate from the test CA required.
      if (opts.tls) lines.push(`tls { cert_file: "${opts.tls.serverCert}", key_file: "${opts.tls.serverKey}", ca_file: "${opts.tls.caCert}", verify: true }`);
      await writeFile(conf, `${lines.join('\n')}\n`, { mode: 0o600 });
      const readyUrl = opts.auth ? withUser(`${scheme}://127.0.0.1:${port}`, admin.user, admin.password) : `${scheme}://127.0.0.1:${port}`;
      return { command: opts.binary ?? 'nats-server', args: ['-c', conf], ready: () => jetStreamReady(readyUrl, opts.tls) };
    },
  });
  const base = server.url.replace(/\/\/[^@]*@/, '//');
  return {
    ...server,
    urlFor: (service) => (opts.auth ? withUser(base, service, passwords[service]) : server.url),
    async permissionViolations() {
      const log = await readFile(join(server.dir, 'nats.log'), 'utf8').catch(() => '');
      return log.split('\n').filter((l) => /(Publish|Subscription) Violation/.test(l));
    },
  };
}

async function jetStreamReady(url: string, tls: TestPki | undefined): Promise<boolean> {
  const nc = await connect({ ...natsServers(url), reconnect: false, timeout: 1_000, ...(tls ? { tls: { caFile: tls.caCert, certFile: tls.clientCert, keyFile: tls.clientKey } } : {}) });
  try {
    await (await jetstreamManager(nc, { timeout: 1_000 })).getAccountInfo();
    return true;
  } finally {
    await nc.close();
  }
}
