import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';
import { tcpReachable } from './backing-services.js';
import { removeOnExit, spawnServer, type ServerProcess } from './server-process.js';

/** A private Redis master, one replica and one Sentinel watching them (quorum 1), as in production with fewer pods. */
export interface RunningRedisFailover {
  /** What ASSENT_REDIS_SENTINELS takes. */
  sentinels: { host: string; port: number }[];
  /** The name the Sentinel monitors (ASSENT_REDIS_SENTINEL_MASTER). */
  master: string;
  masterPort: number;
  replicaPort: number;
  /** Kills the master (SIGKILL), so the Sentinel promotes the replica. */
  killMaster(): Promise<void>;
  stop(): Promise<void>;
}

/** With `sentinelPassword`, the Sentinel answers only clients that present it (`requirepass`). */
export async function startRedisFailover(opts: { binary?: string; master?: string; sentinelPassword?: string } = {}): Promise<RunningRedisFailover> {
  const master = opts.master ?? 'assent';
  const [masterPort, replicaPort, sentinelPort] = [await getPort({ host: '127.0.0.1' }), await getPort({ host: '127.0.0.1' }), await getPort({ host: '127.0.0.1' })];
  const dir = await mkdtemp(join(tmpdir(), 'assent-redis-failover-'));
  removeOnExit(dir);
  const bin = opts.binary ?? 'redis-server';
  const running: ServerProcess[] = [];
  const start = async (name: string, port: number, lines: string[], extraArgs: string[] = []) => {
    const conf = join(dir, `${name}.conf`);
    await writeFile(conf, [`port ${port}`, 'bind 127.0.0.1', 'protected-mode no', `dir ${dir}`, 'save ""', 'appendonly no', 'logfile ""', ...lines, ''].join('\n'));
    const proc = await spawnServer({ name: `redis ${name}`, command: bin, args: [conf, ...extraArgs], dir, ready: () => tcpReachable('127.0.0.1', port) });
    running.push(proc);
    return proc;
  };
  try {
    // No 5 s wait before the first full sync of the replica (the default).
    const masterProc = await start('master', masterPort, ['dbfilename master.rdb', 'repl-diskless-sync-delay 0']);
    await start('replica', replicaPort, [`dbfilename replica.rdb`, `replicaof 127.0.0.1 ${masterPort}`]);
    await start(
      'sentinel',
      sentinelPort,
      [
        `sentinel monitor ${master} 127.0.0.1 ${masterPort} 1`,
        `sentinel down-after-milliseconds ${master} 1000`,
        `sentinel failover-timeout ${master} 3000`,
        ...(opts.sentinelPassword ? [`requirepass ${opts.sentinelPassword}`] : []),
      ],
      ['--sentinel'],
    );
    return {
      sentinels: [{ host: '127.0.0.1', port: sentinelPort }],
      master,
      masterPort,
      replicaPort,
      killMaster: () => masterProc.stop('SIGKILL'),
      stop: async () => {
        await Promise.all(running.map((r) => r.stop('SIGKILL')));
      },
    };
  } catch (err) {
    await Promise.all(running.map((r) => r.stop('SIGKILL')));
    throw err;
  }
}
