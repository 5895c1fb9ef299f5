import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CredentialsMethod } from '@openfga/sdk';
import getPort from 'get-port';
import { testEnv } from './env.js';
import { removeOnExit, spawnServer, type ServerProcess } from './server-process.js';

export interface RunningOpenFga {
  apiUrl: string;
  grpcAddr: string;
  /** The preshared key every API call must present as `Authorization: Bearer <key>` (undefined with `auth: false`). */
  presharedKey: string | undefined;
  /** A file holding the key (mode 0600), as a Kubernetes Secret would be mounted: AUTHZ_OPENFGA_PRESHARED_KEY_FILE. */
  keyFile: string | undefined;
  /** The authz settings that reach this server: AUTHZ_OPENFGA_API_URL and, with auth, the key file. */
  authzEnv: Record<string, string>;
  /** @openfga/sdk client settings with this server's credentials, for tests that call OpenFGA directly. */
  clientConfig(extra?: { storeId?: string; authorizationModelId?: string }): { apiUrl: string; storeId?: string; authorizationModelId?: string; credentials?: { method: CredentialsMethod.ApiToken; config: { token: string } } };
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
 * Authentication is on (a fresh random preshared key) unless `auth: false`.
 */
export async function startOpenFga(opts: { datastore?: 'memory' | 'sqlite'; auth?: boolean } = {}): Promise<RunningOpenFga> {
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
  let presharedKey: string | undefined;
  let keyFile: string | undefined;
  const authn: Record<string, string> = {};
  if (opts.auth !== false) {
    presharedKey = randomBytes(32).toString('base64url');
    const keyDir = await mkdtemp(join(tmpdir(), 'assent-openfga-key-'));
    removeOnExit(keyDir);
    keyFile = join(keyDir, 'preshared-key');
    await writeFile(keyFile, `${presharedKey}\n`, { mode: 0o600 });
    Object.assign(authn, { OPENFGA_AUTHN_METHOD: 'preshared', OPENFGA_AUTHN_PRESHARED_KEYS: presharedKey });
  }
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
      env: authn,
      ready: async () => (await fetch(`${apiUrl}/healthz`)).ok,
      ...(dir ? { dir } : {}),
    });
  };
  await start();
  return {
    apiUrl,
    grpcAddr: `127.0.0.1:${grpcPort}`,
    presharedKey,
    keyFile,
    authzEnv: { AUTHZ_OPENFGA_API_URL: apiUrl, ...(keyFile ? { AUTHZ_OPENFGA_PRESHARED_KEY_FILE: keyFile } : {}) },
    clientConfig: (extra = {}) => ({
      apiUrl,
      ...extra,
      ...(presharedKey ? { credentials: { method: CredentialsMethod.ApiToken, config: { token: presharedKey } } } : {}),
    }),
    start,
    async stop(signal) {
      const r = running;
      running = undefined;
      await r?.stop(signal);
    },
  };
}
