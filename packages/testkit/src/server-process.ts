import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import getPort from 'get-port';

/** A server process the testkit started: stopped on request, and never outliving the test process. */
export interface ServerProcess {
  /** SIGTERM (or the given signal), SIGKILL after 5 s; resolves once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const live = new Set<ChildProcess>();
const dirs = new Set<string>();
let exitHookInstalled = false;

/**
 * Removes `dir` when the test process exits (servers keep their data dir across
 * stop/start, so it cannot go with stop()).
 */
export function removeOnExit(dir: string): void {
  dirs.add(dir);
  installExitHook();
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test that throws still runs afterAll; this covers a beforeAll that failed half-way
  // and a worker that exits without cleaning up.
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
}

/**
 * Spawns `command` and resolves once `ready()` answers true (polled every 100 ms),
 * rejecting with the stderr tail if it exits first or is not ready within
 * `timeoutMs`. A detached shell watchdog SIGKILLs the server if the test process
 * dies without running its exit hook (SIGKILL, OOM), so no server is orphaned.
 */
export async function spawnServer(opts: {
  name: string;
  command: string;
  args: string[];
  ready: () => Promise<boolean>;
  timeoutMs?: number;
  /** Removed by the watchdog if the test process dies (see removeOnExit for a normal exit). */
  dir?: string;
  /** Added to the environment (secrets go here, not in args, which `ps` shows to everyone). */
  env?: Record<string, string>;
}): Promise<ServerProcess> {
  installExitHook();
  const child = spawn(opts.command, opts.args, { stdio: ['ignore', 'pipe', 'pipe'], ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}) });
  let output = '';
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let spawnError: Error | undefined;
  child.once('error', (err) => (spawnError = err));
  live.add(child);
  void exited.then(() => live.delete(child));
  if (child.pid) watchdog(child.pid, opts.dir);

  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError) throw new Error(`${opts.name} could not be started (${opts.command}): ${spawnError.message}`);
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${opts.name} exited with ${child.exitCode ?? child.signalCode}: ${output}`);
    if (await opts.ready().catch(() => false)) return { stop };
    if (Date.now() > deadline) {
      await stop('SIGKILL');
      throw new Error(`${opts.name} was not ready within ${timeoutMs} ms: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Polls once a second; when the test process is gone, kills the server and removes its dir. */
function watchdog(pid: number, dir: string | undefined): void {
  const script = 'while kill -0 "$1" 2>/dev/null; do kill -0 "$2" 2>/dev/null || exit 0; sleep 1; done; kill -9 "$2" 2>/dev/null; [ -n "$3" ] && rm -rf "$3"; exit 0';
  const guard = spawn('sh', ['-c', script, 'assent-testkit-watchdog', String(process.pid), String(pid), dir ?? ''], { detached: true, stdio: 'ignore' });
  guard.on('error', () => undefined);
  guard.unref();
}

/** A private server a test can take down and bring back at the same address. */
export interface RestartableServer {
  url: string;
  port: number;
  dir: string;
  /** SIGTERM by default (the server flushes its data); SIGKILL simulates a crash. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port and data dir; a no-op while it runs. */
  start(): Promise<void>;
}

/**
 * Starts a server on a free 127.0.0.1 port with its own data dir (removed when the
 * test process exits): `configure` writes its config into the dir and says how to run
 * it; start() reuses the same port, config and data.
 */
export async function startRestartable(opts: {
  name: string;
  dirPrefix: string;
  url: (port: number) => string;
  configure: (port: number, dir: string) => Promise<{ command: string; args: string[]; ready: () => Promise<boolean> }>;
}): Promise<RestartableServer> {
  const port = await getPort({ host: '127.0.0.1' });
  const dir = await mkdtemp(join(tmpdir(), opts.dirPrefix));
  removeOnExit(dir);
  const how = await opts.configure(port, dir);
  let running: ServerProcess | undefined;
  const start = async () => {
    running ??= await spawnServer({ name: `${opts.name} :${port}`, ...how, dir });
  };
  await start();
  return {
    url: opts.url(port),
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
