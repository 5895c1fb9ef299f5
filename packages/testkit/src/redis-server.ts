import { mkdtemp, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';
import { removeOnExit, spawnServer, type ServerProcess } from './server-process.js';

/** A private Redis a test can take down and bring back (outage tests); never the machine's shared one. */
export interface RunningRedisServer {
  url: string;
  port: number;
  dir: string;
  /** SIGTERM by default (Redis flushes its append-only file); SIGKILL simulates a crash. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and data dir; a no-op while it runs. */
  start(): Promise<void>;
}

/**
 * Starts the installed `redis-server` on a free 127.0.0.1 port with its own config
 * and data dir (append-only file on, so a restart keeps what was written, like a
 * production Redis with persistence), and resolves once it answers PING.
 */
export async function startRedisServer(opts: { binary?: string } = {}): Promise<RunningRedisServer> {
  const port = await getPort({ host: '127.0.0.1' });
  const dir = await mkdtemp(join(tmpdir(), 'assent-redis-'));
  removeOnExit(dir);
  const conf = join(dir, 'redis.conf');
  await writeFile(
    conf,
    [`port ${port}`, 'bind 127.0.0.1', 'protected-mode no', `dir ${dir}`, 'appendonly yes', 'appendfsync everysec', 'save ""', 'daemonize no', 'logfile ""', 'loglevel warning', ''].join('\n'),
  );
  let running: ServerProcess | undefined;
  const start = async () => {
    if (running) return;
    running = await spawnServer({ name: `redis-server :${port}`, command: opts.binary ?? 'redis-server', args: [conf], ready: () => redisPing(port), dir });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
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
