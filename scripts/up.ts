/**
 * `make up`: the whole platform on this machine, one process per service (as in
 * Kubernetes: crash isolation, separate logs, real gRPC between services), each
 * running the bundle the Docker image runs (scripts/build.sh → dist/<svc>/bin.mjs),
 * not TypeScript compiled on the fly.
 * Uses the running NATS and Redis (starting them when their binaries exist and
 * nothing listens), starts OpenFGA (memory datastore), a dev JWT issuer, a local
 * Slack-compatible sink and a demo webhook receiver, seeds the demo tenant, and
 * stops everything it started on Ctrl-C or `make down` — and nothing else.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createChannel, createClient } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { createDevIssuerKey, readDevIssuerKey, serveJwks, writeDevIssuerKey, type DevIssuerKey } from '@assent/platform';
import { cleanupNats, cleanupRedis, openFgaBinary, startSlackServer, startWebhookReceiver, tcpReachable as listening } from '@assent/testkit';
import { run as assentctl } from '@assent/cli';

const repo = resolve(import.meta.dirname, '..');
const stateDir = join(repo, '.assent');
const logDir = join(stateDir, 'logs');
const env = process.env;
const port = (name: string, fallback: number) => Number(env[name] ?? fallback);

const ports = {
  openfgaHttp: port('ASSENT_OPENFGA_HTTP_PORT', 8080),
  openfgaGrpc: port('ASSENT_OPENFGA_GRPC_PORT', 8081),
  jwks: port('ASSENT_JWKS_PORT', 9100),
  slack: port('ASSENT_SLACK_SINK_PORT', 9110),
  webhook: port('ASSENT_WEBHOOK_SINK_PORT', 9111),
};
const services = [
  { name: 'authz', grpc: 50052, http: 9102, svc: 'assent.authz.v1.AuthzService' },
  { name: 'approvals', grpc: 50051, http: 9101, svc: 'assent.approvals.v1.ApprovalsService' },
  { name: 'audit', grpc: 50053, http: 9103, svc: 'assent.audit.v1.AuditService' },
  { name: 'delivery', grpc: 50054, http: 9104, svc: 'assent.delivery.v1.DeliveryService' },
  { name: 'notifier', grpc: 50055, http: 9105, svc: 'assent.notifier.v1.NotifierService' },
] as const;

type Stoppable = { name: string; stop: () => Promise<void> };
const started: Stoppable[] = [];
const log = (msg: string) => process.stdout.write(`${msg}\n`);

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not become ready in ${timeoutMs / 1000} s (see ${logDir})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function spawnLogged(name: string, cmd: string, args: string[], extraEnv: Record<string, string> = {}): ChildProcess {
  const out = openSync(join(logDir, `${name}.log`), 'a');
  const child = spawn(cmd, args, { cwd: repo, env: { ...env, ...extraEnv }, stdio: ['ignore', out, out] });
  child.on('exit', (code, signal) => {
    if (!stopping) log(`!! ${name} exited (${signal ?? code}); see ${join(logDir, `${name}.log`)}`);
  });
  started.push({
    name,
    stop: () =>
      new Promise<void>((res) => {
        if (child.exitCode !== null || child.signalCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  });
  return child;
}

async function ensureBackingService(name: string, p: number, bin: string, args: string[]): Promise<string> {
  if (await listening('127.0.0.1', p)) return `using the ${name} already on 127.0.0.1:${p}`;
  const path = ['/usr/sbin', '/usr/bin', '/usr/local/bin'].map((d) => join(d, bin)).find(existsSync);
  if (!path) throw new Error(`${name} is not listening on 127.0.0.1:${p} and ${bin} is not installed`);
  spawnLogged(name, path, args);
  await waitFor(name, () => listening('127.0.0.1', p), 20_000);
  return `started ${name} on 127.0.0.1:${p}`;
}

async function devIssuer(): Promise<{ key: DevIssuerKey; file: string }> {
  const file = join(stateDir, 'dev-issuer.json');
  if (existsSync(file)) return { key: await readDevIssuerKey(file), file };
  const key = await createDevIssuerKey('https://dev-issuer.assent.local');
  await writeDevIssuerKey(file, key);
  return { key, file };
}

let stopping = false;
async function stopAll(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log('\nstopping…');
    for (const s of [...started].reverse()) {
      await s.stop().catch((err: Error) => log(`  ${s.name}: ${err.message}`));
      log(`  stopped ${s.name}`);
    }
    rmSync(join(stateDir, 'up.pid'), { force: true });
  }
  process.exit(code);
}

async function main(): Promise<void> {
  mkdirSync(logDir, { recursive: true });
  if (existsSync(join(stateDir, 'up.pid'))) {
    const pid = Number((await import('node:fs')).readFileSync(join(stateDir, 'up.pid'), 'utf8'));
    try {
      process.kill(pid, 0);
      throw new Error(`make up is already running (pid ${pid}); run make down first`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  writeFileSync(join(stateDir, 'up.pid'), String(process.pid));
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  log('Assent: starting the local platform');
  // The same esbuild bundles the images run: no tsx loader in each service (about
  // 30 MB less RSS per process, faster boot) and what is measured is what ships.
  const buildStart = Date.now();
  execFileSync(join(repo, 'scripts', 'build.sh'), services.map((s) => s.name), { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  log(`  built dist/<service>/bin.mjs in ${((Date.now() - buildStart) / 1000).toFixed(1)} s`);
  mkdirSync(join(stateDir, 'nats'), { recursive: true });
  log(`  ${await ensureBackingService('nats', 4222, 'nats-server', ['-a', '127.0.0.1', '-p', '4222', '-js', '-sd', join(stateDir, 'nats')])}`);
  log(`  ${await ensureBackingService('redis', 6379, 'redis-server', ['--bind', '127.0.0.1', '--port', '6379', '--save', '', '--appendonly', 'no'])}`);

  // OpenFGA runs in memory, so relationship data starts empty each run: start the
  // NATS streams/buckets and Redis keys of the local "assent" namespace empty too,
  // keeping the demo consistent. Nothing outside that namespace is touched.
  await cleanupNats('assent', env['ASSENT_NATS_URL'] ?? 'nats://127.0.0.1:4222');
  await cleanupRedis('assent', env['ASSENT_REDIS_URL'] ?? 'redis://127.0.0.1:6379');
  log('  reset the local "assent" streams, buckets and Redis keys (OpenFGA runs in memory)');

  for (const [what, p] of [['OpenFGA HTTP', ports.openfgaHttp], ['OpenFGA gRPC', ports.openfgaGrpc]] as const) {
    if (await listening('127.0.0.1', p)) throw new Error(`port ${p} (${what}) is taken; set ASSENT_OPENFGA_${what.endsWith('HTTP') ? 'HTTP' : 'GRPC'}_PORT`);
  }
  spawnLogged('openfga', openFgaBinary(), [
    'run',
    '--datastore-engine=memory',
    `--http-addr=127.0.0.1:${ports.openfgaHttp}`,
    `--grpc-addr=127.0.0.1:${ports.openfgaGrpc}`,
    '--playground-enabled=false',
    '--metrics-enabled=false',
  ]);
  await waitFor('OpenFGA', async () => (await fetch(`http://127.0.0.1:${ports.openfgaHttp}/healthz`).catch(() => undefined))?.ok === true);
  log(`  started OpenFGA (memory datastore) on 127.0.0.1:${ports.openfgaHttp}`);

  const issuer = await devIssuer();
  const jwks = await serveJwks(issuer.key, ports.jwks);
  started.push({ name: 'dev issuer', stop: () => jwks.close() });

  const realSlack = env['NOTIFIER_SLACK_API_URL'] && env['NOTIFIER_SLACK_BOT_TOKEN'];
  const slack = realSlack ? undefined : await startSlackServer({ port: ports.slack, log: (line) => log(`  [slack] ${line}`) });
  if (slack) started.push({ name: 'slack sink', stop: () => slack.close() });
  const hooks = await startWebhookReceiver({ port: ports.webhook, log: (line) => log(`  [webhook] ${line}`) });
  started.push({ name: 'webhook receiver', stop: () => hooks.close() });

  const common = {
    ASSENT_NATS_URL: env['ASSENT_NATS_URL'] ?? 'nats://127.0.0.1:4222',
    ASSENT_REDIS_URL: env['ASSENT_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
    ASSENT_JWKS_URL: jwks.url,
    ASSENT_JWT_ISSUER: issuer.key.issuer,
    ASSENT_JWT_AUDIENCE: issuer.key.audience,
    ASSENT_DEV_ISSUER_KEY_FILE: issuer.file,
    ASSENT_LOG_LEVEL: env['ASSENT_LOG_LEVEL'] ?? 'info',
  };
  const perService: Record<string, Record<string, string>> = {
    authz: { AUTHZ_OPENFGA_API_URL: `http://127.0.0.1:${ports.openfgaHttp}` },
    approvals: { APPROVALS_AUTHZ_ADDR: '127.0.0.1:50052' },
    audit: {},
    delivery: { DELIVERY_ALLOW_PRIVATE_TARGETS: 'true' },
    notifier: {
      NOTIFIER_SLACK_API_URL: realSlack ? (env['NOTIFIER_SLACK_API_URL'] as string) : (slack?.url as string),
      NOTIFIER_SLACK_BOT_TOKEN: realSlack ? (env['NOTIFIER_SLACK_BOT_TOKEN'] as string) : (slack?.token as string),
      NOTIFIER_APPROVALS_ADDR: '127.0.0.1:50051',
    },
  };
  for (const s of services) {
    if (await listening('127.0.0.1', s.grpc)) throw new Error(`port ${s.grpc} for ${s.name} is taken (another make up running?)`);
    const upper = s.name.toUpperCase();
    spawnLogged(s.name, process.execPath, [`dist/${s.name}/bin.mjs`], {
      NODE_ENV: 'production', // as the image sets it
      ...common,
      ...perService[s.name],
      [`${upper}_GRPC_PORT`]: String(s.grpc),
      [`${upper}_HTTP_PORT`]: String(s.http),
    });
  }
  for (const s of services) {
    const health = createClient(HealthDefinition, createChannel(`127.0.0.1:${s.grpc}`));
    await waitFor(s.name, async () => (await health.check({ service: s.svc }).catch(() => undefined))?.status === 1, 90_000);
    log(`  ${s.name.padEnd(9)} SERVING  gRPC 127.0.0.1:${s.grpc}  metrics http://127.0.0.1:${s.http}/metrics`);
  }

  const seed = async (...args: string[]): Promise<string> => {
    let out = '';
    let err = '';
    const io = { stdout: (s: string) => (out += s), stderr: (s: string) => (err += s), env: { ...env, ASSENT_DEV_ISSUER_KEY_FILE: issuer.file }, cwd: repo };
    const code = await assentctl([...args, '--tenant', 'acme'], io);
    if (code !== 0) throw new Error(`seeding failed: assentctl ${args.join(' ')}\n${err}`);
    return out;
  };
  await seed('tenant', 'create', 'acme', '--display-name', 'Acme Corp', '--as', 'platform-admin', '--roles', 'platform-admin');
  for (const user of ['alice', 'bob', 'carol']) await seed('tenant', 'add-member', user, '--as', 'platform-admin', '--roles', 'platform-admin');
  await seed('policy', 'apply', '-f', 'packages/cli/examples/payouts-policy.yaml', '--as', 'platform-admin', '--roles', 'platform-admin');
  // The demo receiver verifies Standard Webhooks signatures with the endpoint's secret.
  const endpoint = JSON.parse(await seed('webhook', 'create', '--url', hooks.url, '--description', 'make up demo receiver', '--as', 'admin', '--roles', 'admin', '-o', 'json')) as {
    endpoint: { id: string; secret: string };
  };
  hooks.setSecret(endpoint.endpoint.secret);
  log('  seeded tenant "acme" (members alice, bob, carol), policy payout-details-change (approvers bob, carol)');
  log(`  and webhook endpoint ${endpoint.endpoint.id} → the demo receiver`);

  log(`
Assent is up.
  approvals gRPC     127.0.0.1:50051     authz gRPC   127.0.0.1:50052
  audit gRPC         127.0.0.1:50053     delivery     127.0.0.1:50054
  notifier gRPC      127.0.0.1:50055     portal       http://127.0.0.1:9105/requests/acme/<id> (placeholder page)
  OpenFGA            http://127.0.0.1:${ports.openfgaHttp}     JWKS         ${jwks.url}
  Slack              ${slack ? `local sink ${slack.url} (messages are printed below)` : env['NOTIFIER_SLACK_API_URL']}
  demo webhook       ${hooks.url}  (registered; deliveries are printed below)
  logs               ${logDir}/<service>.log

Try it (README "Demo walk-through"):
  npx assentctl request create --as alice --action payouts.change_details --resource payout-account/42 --justification "vendor changed bank"
  npx assentctl request approve <id> --as bob
  npx assentctl audit list --as alice
  npx assentctl events watch --as alice          # watch events live
Stop with Ctrl-C or \`make down\`.
`);
}

main().catch(async (err: Error) => {
  process.stderr.write(`make up failed: ${err.message}\n`);
  await stopAll(1);
});
