import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { redisAclLines, redisServiceUsers, type RedisServiceUser } from '@assent/platform';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startRestartable, type RestartableServer } from './server-process.js';
import { tcpReachable } from './backing-services.js';
import type { TestPki } from './pki.js';

/** A private Redis a test can take down and bring back (outage tests); never the machine's shared one. */
export type RunningRedisServer = RestartableServer & {
  /** With `acl`: the URL with a service's own user and password (`url` then has no user: every command is refused). */
  urlFor(service: RedisServiceUser): string;
  /** With `acl`: an unrestricted test user's URL (for the tests' own setup and cleanup). */
  adminUrl: string;
  /** With `acl`: what Redis refused (ACL LOG, read as the test's own admin user): [] when no service overstepped. */
  aclDenials(): Promise<string[]>;
};

/**
 * Starts the installed `redis-server` on a free 127.0.0.1 port with its own config
 * and data dir (append-only file on, so a restart keeps what was written, like a
 * production Redis with persistence), and resolves once it answers PING.
 */
export async function startRedisServer(opts: { binary?: string; acl?: { root: string }; tls?: TestPki } = {}): Promise<RunningRedisServer> {
  const adminPassword = randomBytes(18).toString('base64url');
  const passwords = Object.fromEntries(redisServiceUsers.map((u) => [u, randomBytes(18).toString('base64url')])) as Record<RedisServiceUser, string>;
  const server = await startRestartable({
    name: 'redis-server',
    dirPrefix: 'assent-redis-',
    url: (port) => `${opts.tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    configure: async (port, dir) => {
      const conf = join(dir, 'redis.conf');
      await writeFile(
        conf,
        [
          // With `tls`: TLS only, and a client certificate from the test CA required.
          ...(opts.tls
            ? ['port 0', `tls-port ${port}`, `tls-cert-file ${opts.tls.serverCert}`, `tls-key-file ${opts.tls.serverKey}`, `tls-ca-cert-file ${opts.tls.caCert}`, 'tls-auth-clients yes']
            : [`port ${port}`]),
          'bind 127.0.0.1',
          'protected-mode no',
          `dir ${dir}`,
          'appendonly yes',
          'appendfsync everysec',
          'save ""',
          'daemonize no',
          'logfile ""',
          'loglevel warning',
          ...(opts.acl ? [...redisAclLines(opts.acl.root, passwords), `user testkit-admin on >${adminPassword} ~* &* +@all`] : []),
          '',
        ].join('\n'),
        { mode: 0o600 },
      );
      return { command: opts.binary ?? 'redis-server', args: [conf], ready: () => (opts.tls ? tcpReachable('127.0.0.1', port) : redisPing(port, opts.acl ? passwords.notifier : undefined)) };
    },
  });
  const withAdmin = new URL(server.url);
  withAdmin.username = 'testkit-admin';
  withAdmin.password = adminPassword;
  return {
    ...server,
    adminUrl: opts.acl ? withAdmin.toString() : server.url,
    async aclDenials() {
      const u = new URL(server.url);
      const admin = new Redis({ host: u.hostname, port: Number(u.port), username: 'testkit-admin', password: adminPassword, maxRetriesPerRequest: 1 });
      try {
        const log = (await admin.call('ACL', 'LOG')) as unknown[][];
        return log.map((entry) => {
          const fields = Object.fromEntries(Array.from({ length: entry.length / 2 }, (_, i) => [String(entry[2 * i]), entry[2 * i + 1]]));
          return `${String(fields['username'])} ${String(fields['reason'])} ${String(fields['object'])}`;
        });
      } finally {
        admin.disconnect();
      }
    },
    urlFor: (service) => {
      if (!opts.acl) return server.url;
      const u = new URL(server.url);
      u.username = service;
      u.password = passwords[service];
      return u.toString();
    },
  };
}

/** True once Redis answers PING with PONG (not LOADING while it replays its append-only file); as the notifier's user under ACLs. */
function redisPing(port: number, notifierPassword?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(`${notifierPassword ? `AUTH notifier ${notifierPassword}\r\n` : ''}PING\r\n`));
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.on('data', (d: Buffer) => {
      reply += d.toString();
      const last = reply.split('\r\n').filter(Boolean).at(-1) ?? '';
      if (reply.endsWith('\r\n') && (!notifierPassword || reply.split('\r\n').filter(Boolean).length >= 2)) done(last.startsWith('+PONG'));
    });
    socket.on('error', () => done(false));
    socket.setTimeout(1_000, () => done(false));
  });
}
