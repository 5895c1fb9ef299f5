import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import getPort from 'get-port';
import { testEnv } from './env.js';

export interface RunningOpenFga {
  apiUrl: string;
  grpcAddr: string;
  stop(): Promise<void>;
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

/** Starts OpenFGA with the memory datastore on free ports and waits until it is healthy. */
export async function startOpenFga(): Promise<RunningOpenFga> {
  const [httpPort, grpcPort] = [await getPort({ host: '127.0.0.1' }), await getPort({ host: '127.0.0.1' })];
  const child: ChildProcess = spawn(
    openFgaBinary(),
    [
      'run',
      '--datastore-engine=memory',
      `--http-addr=127.0.0.1:${httpPort}`,
      `--grpc-addr=127.0.0.1:${grpcPort}`,
      '--playground-enabled=false',
      '--metrics-enabled=false',
      '--log-level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const apiUrl = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`OpenFGA exited with ${child.exitCode}: ${stderr}`);
    try {
      const res = await fetch(`${apiUrl}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`OpenFGA did not become healthy in 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    apiUrl,
    grpcAddr: `127.0.0.1:${grpcPort}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}
