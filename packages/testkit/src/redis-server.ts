import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startRestartable, type RestartableServer } from './server-process.js';

/** A private Redis a test can take down and bring back (outage tests); never the machine's shared one. */
export type RunningRedisServer = RestartableServer;

/**
 * Starts the installed `redis-server` on a free 127.0.0.1 port with its own config
 * and data dir (append-only file on, so a restart keeps what was written, like a
 * production Redis with persistence), and resolves once it answers PING.
 */
export function startRedisServer(opts: { binary?: string } = {}): Promise<RunningRedisServer> {
  return startRestartable({
    name: 'redis-server',
    dirPrefix: 'assent-redis-',
    url: (port) => `redis://127.0.0.1:${port}`,
    configure: async (port, dir) => {
      const conf = join(dir, 'redis.conf');
      await writeFile(
        conf,
        [`port ${port}`, 'bind 127.0.0.1', 'protected-mode no', `dir ${dir}`, 'appendonly yes', 'appendfsync everysec', 'save ""', 'daemonize no', 'logfile ""', 'loglevel warning', ''].join('\n'),
      );
      return { command: opts.binary ?? 'redis-server', args: [conf], ready: () => redisPing(port) };
    },
  });
}

/** True once Redis answers PING with PONG (not LOADING while it replays its append-only file). */
function redisPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.on('data', (d: Buffer) => {
      reply += d.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.on('error', () => done(false));
    socket.setTimeout(1_000, () => done(false));
  });
}
