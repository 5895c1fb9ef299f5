import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';
import { testEnv } from './env.js';
import { removeOnExit, spawnServer, type ServerProcess } from './server-process.js';

export interface RunningOpenFga {
  apiUrl: string;
  grpcAddr: string;
  /** SIGTERM by default, SIGKILL after 5 s. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same ports (and, with sqlite, the same data); a no-op while it runs. */
  start(): Promise<void>;
}

/** Path of the pinned OpenFGA binary installed by `make tools` (go install into GOBIN/GOPATH/bin). */
export function openFgaBinary(): string {
  if (testEnv.openFgaBin) return testEnv.openFgaBin;
  const gobin = execFileSync('go', ['env', 'GOBIN'], { encoding: 'utf8' }).trim();
  const gopath = execFileSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).trim();
  const bin = join(gobin || join(gopath, 'bin'), 'openfga');
  if (!existsSync(bin)) throw new Error(`OpenFGA not found at ${bin}: run \`make tools\``);
  return bin;
}

/**
 * Starts OpenFGA on free ports and waits until it is healthy. The memory datastore
 * is the default; `datastore: 'sqlite'` keeps the store in a temp dir, so that
 * stop() then start() (same ports, same data) is an outage rather than a wipe.
 */
export async function startOpenFga(opts: { datastore?: 'memory' | 'sqlite' } = {}): Promise<RunningOpenFga> {
  const [httpPort, grpcPort] = [await getPort({ host: '127.0.0.1' }), await getPort({ host: '127.0.0.1' })];
  const bin = openFgaBinary();
  const datastore = ['--datastore-engine=memory'];
  let dir: string | undefined;
  if (opts.datastore === 'sqlite') {
    dir = await mkdtemp(join(tmpdir(), 'assent-openfga-'));
    removeOnExit(dir);
    datastore.splice(0, 1, '--datastore-engine=sqlite', `--datastore-uri=file:${join(dir, 'openfga.db')}`);
    execFileSync(bin, ['migrate', ...datastore, '--log-level=warn'], { stdio: 'pipe' });
  }
  const apiUrl = `http://127.0.0.1:${httpPort}`;
  let running: ServerProcess | undefined;
  const start = async () => {
    if (running) return;
    running = await spawnServer({
      name: 'OpenFGA',
      command: bin,
      args: [
        'run',
        ...datastore,
        `--http-addr=127.0.0.1:${httpPort}`,
        `--grpc-addr=127.0.0.1:${grpcPort}`,
        '--playground-enabled=false',
        '--metrics-enabled=false',
        '--log-level=warn',
      ],
      ready: async () => (await fetch(`${apiUrl}/healthz`)).ok,
      ...(dir ? { dir } : {}),
    });
  };
  await start();
  return {
    apiUrl,
    grpcAddr: `127.0.0.1:${grpcPort}`,
    start,
    async stop(signal) {
      const r = running;
      running = undefined;
      await r?.stop(signal);
    },
  };
}
