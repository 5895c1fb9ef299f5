/**
 * `make up`: the whole platform on this machine, one process per service replica (as
 * in Kubernetes: crash isolation, separate logs, real gRPC between services), each
 * running the bundle the Docker image runs (scripts/build.sh → dist/<svc>/bin.mjs),
 * not TypeScript compiled on the fly. `REPLICAS=N make up` runs N of each (ports in
 * scripts/local/topology.ts); callers reach them all by client-side round robin.
 * Uses the running NATS and Redis (starting them when their binaries exist and
 * nothing listens), starts OpenFGA (sqlite datastore under .assent/openfga), a dev
 * JWT issuer, a local Slack-compatible sink and a demo webhook receiver, seeds the
 * demo tenant, records every process it knows of in .assent/pids.json (for `make
 * bench`), and stops everything it started on Ctrl-C or `make down` — and nothing else.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createChannel, createClient } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { createDevIssuerKey, createGatewayOperator, gatewayFiles, natsAuthorizationConfig, natsServiceUsers, readDevIssuerKey, redisAclLines, redisServiceUsers, serveJwks, writeDevIssuerKey, type DevIssuerKey, type NatsServiceUser, type RedisServiceUser } from '@assent/platform';
import { cleanupNats, cleanupRedis, openFgaBinary, startDevOidcProvider, startSlackServer, startSmtpSink, startWebhookReceiver, tcpReachable as listening } from '@assent/testkit';
import { run as assentctl } from '@assent/cli';
import { listeningPid } from './local/listening-pid.js';
import { sinkLog } from './local/sink-log.js';
import { grpcTarget, parseReplicas, replicasOf, serviceNames, type ServiceName } from './local/topology.js';

const repo = resolve(import.meta.dirname, '..');
const stateDir = join(repo, '.assent');
const logDir = join(stateDir, 'logs');
const files = {
  pid: join(stateDir, 'up.pid'),
  /** `{ processes: [{ name, pid, startedByUp }] }`: what `make bench` reads CPU time of. */
  pids: join(stateDir, 'pids.json'),
  /** `{ replicas, grpc: { <service>: target }, openfgaUrl }`: where clients find the platform. */
  targets: join(stateDir, 'targets.json'),
  /** OpenFGA's preshared key (0600), recreated each run; authz and `make bench` read it. */
  openfgaKey: join(stateDir, 'openfga', 'preshared-key'),
  /** Delivery's key-encryption key for webhook secrets (0600), fresh each run like the endpoints it seals. */
  deliveryKeys: join(stateDir, 'delivery', 'secret-keys'),
  /** The operator's URL (with its password, 0600) for make up's own NATS; assentctl events watch reads it. */
  natsUrl: join(stateDir, 'nats.url'),
  /** Audit's checkpoint signing key (Ed25519 JWK, 0600), made once and kept: checkpoints stay verifiable across runs. */
  auditSigningKey: join(stateDir, 'audit', 'signing-key.jwk'),
};
const env = process.env;
const port = (name: string, fallback: number) => Number(env[name] ?? fallback);

const ports = {
  openfgaHttp: port('ASSENT_OPENFGA_HTTP_PORT', 8080),
  openfgaGrpc: port('ASSENT_OPENFGA_GRPC_PORT', 8081),
  jwks: port('ASSENT_JWKS_PORT', 9100),
  /** The dev OpenID provider the portal signs people in with (same key and issuer as the JWKS). */
  oidc: port('ASSENT_OIDC_PORT', 9120),
  slack: port('ASSENT_SLACK_SINK_PORT', 9110),
  webhook: port('ASSENT_WEBHOOK_SINK_PORT', 9111),
  smtp: port('ASSENT_SMTP_SINK_PORT', 9125),
  /** The platform's own NATS, with a user per service. */
  nats: port('ASSENT_NATS_PORT', 4223),
  /** The platform's own Redis, with an ACL user per service. */
  redis: port('ASSENT_REDIS_PORT', 6380),
  /** The event gateway: where outside consumers read their tenant's events (operator mode). */
  gateway: port('ASSENT_EVENT_GATEWAY_PORT', 4224),
};
const replicas = parseReplicas(env['REPLICAS']);
const instances = serviceNames.flatMap((s) => replicasOf(s, replicas));
const target = (s: ServiceName) => grpcTarget(s, replicas);

/** Stopped stage by stage, highest first, in parallel within a stage: services before what they use. */
const stage = { backing: 0, openfga: 1, sinks: 2, services: 3 } as const;
type Stoppable = { name: string; stage: number; stop: () => Promise<void> };
const started: Stoppable[] = [];
const processes: { name: string; pid: number; startedByUp: boolean }[] = [{ name: 'make up (sinks, JWKS)', pid: process.pid, startedByUp: true }];
const log = (msg: string) => process.stdout.write(`${msg}\n`);

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not become ready in ${timeoutMs / 1000} s (see ${logDir})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function spawnLogged(name: string, at: number, cmd: string, args: string[], extraEnv: Record<string, string> = {}): ChildProcess {
  const out = openSync(join(logDir, `${name}.log`), 'a');
  const child = spawn(cmd, args, { cwd: repo, env: { ...env, ...extraEnv }, stdio: ['ignore', out, out] });
  child.on('exit', (code, signal) => {
    if (!stopping) log(`!! ${name} exited (${signal ?? code}); see ${join(logDir, `${name}.log`)}`);
  });
  if (child.pid) processes.push({ name, pid: child.pid, startedByUp: true });
  started.push({
    name,
    stage: at,
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

/** Where Debian (or a manual install) put `bin`, if anywhere. */
function installed(bin: string): string | undefined {
  return ['/usr/sbin', '/usr/bin', '/usr/local/bin'].map((d) => join(d, bin)).find(existsSync);
}

/**
 * The event gateway (docs/deploy.md, "Event streams"): a second nats-server in operator
 * mode with a fresh operator each run (keys under .assent/gateway, 0600), which
 * delivery manages. Skipped, with stream credentials then unavailable, without nats-server.
 */
async function startGateway(): Promise<{ line: string; deliveryEnv: Record<string, string> }> {
  const bin = installed('nats-server');
  if (!bin) return { line: 'no event gateway (nats-server is not installed): stream credentials are unavailable', deliveryEnv: {} };
  if (await listening('127.0.0.1', ports.gateway)) throw new Error(`port ${ports.gateway} (event gateway) is taken; set ASSENT_EVENT_GATEWAY_PORT`);
  const dir = join(stateDir, 'gateway');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = gatewayFiles(await createGatewayOperator(), {
    host: '127.0.0.1',
    port: ports.gateway,
    storeDir: join(dir, 'jetstream'),
    resolverDir: join(dir, 'accounts'),
    operatorJwtFile: join(dir, 'operator.jwt'),
    extra: ['server_name: "assent-local-gateway"'],
  });
  for (const [name, content] of Object.entries(files.public)) writeFileSync(join(dir, name), content);
  for (const [name, content] of Object.entries(files.secret)) writeFileSync(join(dir, name), content, { mode: 0o600 });
  const conf = join(dir, 'gateway.conf');
  spawnLogged('event-gateway', stage.backing, bin, ['-c', conf]);
  await waitFor('event gateway', () => listening('127.0.0.1', ports.gateway), 20_000);
  return {
    line: `started the event gateway on 127.0.0.1:${ports.gateway} (nats-server in operator mode, .assent/gateway)`,
    deliveryEnv: {
      DELIVERY_EVENT_GATEWAY_URL: `nats://127.0.0.1:${ports.gateway}`,
      DELIVERY_EVENT_GATEWAY_SIGNING_KEY_FILE: join(dir, 'operator-signing-key.nk'),
      DELIVERY_EVENT_GATEWAY_SYSTEM_CREDS_FILE: join(dir, 'system.creds'),
    },
  };
}

/**
 * The platform's own NATS (JetStream) with a user per service holding only its
 * permissions (packages/platform/src/nats-permissions.ts) and an `operator` user for
 * local tools: a fresh process and store each run, on ASSENT_NATS_PORT. Without
 * nats-server installed, or with ASSENT_NATS_URL set, every service shares that one
 * NATS (default 127.0.0.1:4222) without users.
 */
async function startNats(): Promise<{ line: string; urlFor(service: ServiceName): string; operatorUrl: string }> {
  const bin = installed('nats-server');
  if (env['ASSENT_NATS_URL'] || !bin) {
    const url = env['ASSENT_NATS_URL'] ?? 'nats://127.0.0.1:4222';
    mkdirSync(join(stateDir, 'nats'), { recursive: true });
    const line = await ensureBackingService('nats', 4222, 'nats-server', ['-a', '127.0.0.1', '-p', '4222', '-js', '-sd', join(stateDir, 'nats')]);
    await cleanupNats('assent', url);
    rmSync(files.natsUrl, { force: true });
    return { line: `${line} (shared by every service, no users: set no ASSENT_NATS_URL and install nats-server for them)`, urlFor: () => url, operatorUrl: url };
  }
  if (await listening('127.0.0.1', ports.nats)) throw new Error(`port ${ports.nats} (NATS) is taken; set ASSENT_NATS_PORT`);
  const dir = join(stateDir, 'nats');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = () => randomBytes(18).toString('base64url');
  const passwords = Object.fromEntries(natsServiceUsers.map((u) => [u, secret()])) as Record<NatsServiceUser, string>;
  const operator = { user: 'operator', password: secret() };
  const conf = join(dir, 'nats.conf');
  const settings = [`listen: "127.0.0.1:${ports.nats}"`, 'server_name: "assent-local"', 'jetstream {', `  store_dir: "${join(dir, 'jetstream')}"`, '}'];
  writeFileSync(conf, `${[...settings, natsAuthorizationConfig('assent', passwords, [operator])].join('\n')}\n`, { mode: 0o600 });
  spawnLogged('nats-server', stage.backing, bin, ['-c', conf]);
  await waitFor('NATS', () => listening('127.0.0.1', ports.nats), 20_000);
  const url = (user: string, password: string) => `nats://${user}:${password}@127.0.0.1:${ports.nats}`;
  const operatorUrl = url(operator.user, operator.password);
  writeFileSync(files.natsUrl, `${operatorUrl}\n`, { mode: 0o600 });
  return {
    line: `started NATS on 127.0.0.1:${ports.nats} with a user per service (.assent/nats/nats.conf; operator URL in .assent/nats.url)`,
    urlFor: (service) => url(service, passwords[service as NatsServiceUser]),
    operatorUrl,
  };
}

/**
 * The platform's own Redis with an ACL user per service (each may touch only its
 * own keys; no anonymous access): a fresh process without persistence each run, on
 * ASSENT_REDIS_PORT. Without redis-server installed, or with ASSENT_REDIS_URL set,
 * every service shares that one Redis (default 127.0.0.1:6379) without ACLs.
 */
async function startRedis(): Promise<{ line: string; urlFor(service: ServiceName): string }> {
  const bin = installed('redis-server');
  if (env['ASSENT_REDIS_URL'] || !bin) {
    const url = env['ASSENT_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
    const line = await ensureBackingService('redis', Number(new URL(url).port || 6379), 'redis-server', ['--bind', '127.0.0.1', '--port', '6379', '--save', '', '--appendonly', 'no']);
    await cleanupRedis('assent', url);
    return { line: `${line} (shared by every service, no ACL users: set no ASSENT_REDIS_URL and install redis-server for them)`, urlFor: () => url };
  }
  if (await listening('127.0.0.1', ports.redis)) throw new Error(`port ${ports.redis} (Redis) is taken; set ASSENT_REDIS_PORT`);
  const dir = join(stateDir, 'redis');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const passwords = Object.fromEntries(redisServiceUsers.map((u) => [u, randomBytes(18).toString('base64url')])) as Record<RedisServiceUser, string>;
  const conf = join(dir, 'redis.conf');
  const settings = [`port ${ports.redis}`, 'bind 127.0.0.1', `dir ${dir}`, 'save ""', 'appendonly no', 'loglevel warning'];
  writeFileSync(conf, `${[...settings, ...redisAclLines('assent', passwords)].join('\n')}\n`, { mode: 0o600 });
  spawnLogged('redis-server', stage.backing, bin, [conf]);
  await waitFor('Redis', () => listening('127.0.0.1', ports.redis), 20_000);
  return {
    line: `started Redis on 127.0.0.1:${ports.redis} with an ACL user per service (.assent/redis/redis.conf)`,
    urlFor: (service) => `redis://${service}:${passwords[service as RedisServiceUser]}@127.0.0.1:${ports.redis}`,
  };
}

async function ensureBackingService(name: string, p: number, bin: string, args: string[]): Promise<string> {
  if (await listening('127.0.0.1', p)) {
    // Not ours to stop, but its CPU belongs in the bench's per-lifecycle figures.
    const pid = listeningPid(p);
    if (pid) processes.push({ name: bin, pid, startedByUp: false });
    return `using the ${name} already on 127.0.0.1:${p}${pid ? ` (pid ${pid})` : ''}`;
  }
  const path = installed(bin);
  if (!path) throw new Error(`${name} is not listening on 127.0.0.1:${p} and ${bin} is not installed`);
  spawnLogged(bin, stage.backing, path, args);
  await waitFor(name, () => listening('127.0.0.1', p), 20_000);
  return `started ${name} on 127.0.0.1:${p}`;
}

/**
 * OpenFGA on sqlite: an indexed datastore (the memory engine scans every tuple on
 * each read) that needs no server. The file is recreated each run so relationship
 * data starts empty, like the local "assent" namespace in NATS and Redis.
 * Authentication is on: a fresh preshared key each run, in a 0600 file that only
 * authz is given (and `make bench`, for its direct OpenFGA comparison).
 */
async function startOpenFga(): Promise<string> {
  for (const [what, p] of [['HTTP', ports.openfgaHttp], ['GRPC', ports.openfgaGrpc]] as const) {
    if (await listening('127.0.0.1', p)) throw new Error(`port ${p} (OpenFGA ${what}) is taken; set ASSENT_OPENFGA_${what}_PORT`);
  }
  const dir = join(stateDir, 'openfga');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'openfga.db');
  writeFileSync(files.openfgaKey, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  const bin = openFgaBinary();
  execFileSync(bin, ['migrate', '--datastore-engine=sqlite', `--datastore-uri=file:${file}`, '--log-level=warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
  spawnLogged('openfga', stage.openfga, bin, [
    'run',
    '--datastore-engine=sqlite',
    // WAL and a busy timeout are OpenFGA's defaults; NORMAL sync skips an fsync per
    // commit, safe with WAL and fine for data thrown away each run.
    `--datastore-uri=file:${file}?_pragma=synchronous(NORMAL)`,
    `--http-addr=127.0.0.1:${ports.openfgaHttp}`,
    `--grpc-addr=127.0.0.1:${ports.openfgaGrpc}`,
    '--playground-enabled=false',
    '--metrics-enabled=false',
    '--log-level=warn',
  ], { OPENFGA_AUTHN_METHOD: 'preshared', OPENFGA_AUTHN_PRESHARED_KEYS: readFileSync(files.openfgaKey, 'utf8').trim() });
  await waitFor('OpenFGA', async () => (await fetch(`http://127.0.0.1:${ports.openfgaHttp}/healthz`).catch(() => undefined))?.ok === true);
  return `started OpenFGA (sqlite datastore ${join('.assent', 'openfga', 'openfga.db')}, reset; preshared key ${join('.assent', 'openfga', 'preshared-key')}) on 127.0.0.1:${ports.openfgaHttp}`;
}

/** The dev checkpoint signing key, generated on first use (kid names the day it was made). */
function auditSigningKey(): string {
  if (!existsSync(files.auditSigningKey)) {
    mkdirSync(join(stateDir, 'audit'), { recursive: true, mode: 0o700 });
    const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
    writeFileSync(files.auditSigningKey, `${JSON.stringify({ ...jwk, kid: `dev-${new Date().toISOString().slice(0, 10)}` })}\n`, { mode: 0o600 });
  }
  return files.auditSigningKey;
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
    for (const at of [stage.services, stage.sinks, stage.openfga, stage.backing]) {
      await Promise.all(
        started
          .filter((s) => s.stage === at)
          .map(async (s) => {
            await s.stop().catch((err: Error) => log(`  ${s.name}: ${err.message}`));
            log(`  stopped ${s.name}`);
          }),
      );
    }
    for (const f of Object.values(files)) rmSync(f, { force: true });
  }
  process.exit(code);
}

async function main(): Promise<void> {
  mkdirSync(logDir, { recursive: true });
  if (existsSync(files.pid)) {
    const pid = Number(readFileSync(files.pid, 'utf8'));
    try {
      process.kill(pid, 0);
      throw new Error(`make up is already running (pid ${pid}); run make down first`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  writeFileSync(files.pid, String(process.pid));
  process.once('SIGINT', () => void stopAll(0));
  process.once('SIGTERM', () => void stopAll(0));

  log(`Assent: starting the local platform (${replicas} replica${replicas > 1 ? 's' : ''} of each service)`);
  for (const i of instances) {
    for (const p of [i.grpc, i.http]) {
      if (await listening('127.0.0.1', p)) throw new Error(`port ${p} for ${i.name} is taken (another make up running?)`);
    }
  }
  // The same esbuild bundles the images run: no tsx loader in each service (about
  // 30 MB less RSS per process, faster boot) and what is measured is what ships.
  const buildStart = Date.now();
  execFileSync(join(repo, 'scripts', 'build.sh'), serviceNames, { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
  log(`  built dist/<service>/bin.mjs in ${((Date.now() - buildStart) / 1000).toFixed(1)} s`);
  const nats = await startNats();
  log(`  ${nats.line}`);
  const redis = await startRedis();
  log(`  ${redis.line}`);
  const gateway = await startGateway();
  log(`  ${gateway.line}`);

  // Every run starts empty and consistent: OpenFGA's sqlite file is recreated below,
  // so the NATS streams/buckets and Redis keys of the local "assent" namespace are
  // emptied too. Nothing outside that namespace is touched.
  log('  reset the local "assent" streams, buckets and Redis keys');
  log(`  ${await startOpenFga()}`);

  const issuer = await devIssuer();
  const jwks = await serveJwks(issuer.key, ports.jwks);
  started.push({ name: 'dev issuer', stage: stage.sinks, stop: () => jwks.close() });
  // The portal's sign-in: an OpenID provider with a login form to pick a demo person, signing
  // with the dev issuer's key as its issuer, so its access tokens are the person's own everywhere.
  const portalUrl = `http://127.0.0.1:${replicasOf('notifier', replicas)[0]?.http ?? 9105}`;
  const portalClient = { clientId: 'assent-portal', clientSecret: randomBytes(24).toString('base64url'), redirectUris: [`${portalUrl}/auth/callback`] };
  const oidc = await startDevOidcProvider({
    key: issuer.key,
    port: ports.oidc,
    users: [...['alice', 'bob', 'carol', 'dave', 'erin'].map((subject) => ({ subject, tenant: 'acme' })), { subject: 'admin', tenant: 'acme', roles: ['admin'], name: 'admin (tenant admin)' }],
    clients: [portalClient],
  });
  started.push({ name: 'dev OpenID provider', stage: stage.sinks, stop: () => oidc.close() });

  const realSlack = env['NOTIFIER_SLACK_API_URL'] && env['NOTIFIER_SLACK_BOT_TOKEN'];
  const slackLog = sinkLog('  [slack]', log);
  const slack = realSlack ? undefined : await startSlackServer({ port: ports.slack, log: slackLog });
  if (slack) started.push({
      name: 'slack sink',
      stage: stage.sinks,
      stop: () => {
        slackLog.stop();
        return slack.close();
      },
    });
  // A local SMTP server that prints each email (subject, recipient, the text part with its
  // link) here and in .assent/logs/smtp-sink.log; NOTIFIER_SMTP_HOST set points at a real one.
  const realSmtp = env['NOTIFIER_SMTP_HOST'];
  const smtpFile = join(logDir, 'smtp-sink.log');
  const smtpLog = sinkLog('  [email]', log);
  const smtp = realSmtp
    ? undefined
    : await startSmtpSink({
        port: ports.smtp,
        onMessage: (m) => {
          writeFileSync(smtpFile, `--- ${new Date().toISOString()} to ${m.envelope.to.join(', ')}\nSubject: ${m.subject}\n\n${m.text}\n`, { flag: 'a' });
          smtpLog(`to ${m.envelope.to.join(', ')}: ${m.subject} (text part with its link in ${smtpFile})`, 'mail');
        },
      });
  if (smtp) started.push({
      name: 'smtp sink',
      stage: stage.sinks,
      stop: () => {
        smtpLog.stop();
        return smtp.close();
      },
    });
  const hooksLog = sinkLog('  [webhook]', log);
  const hooks = await startWebhookReceiver({ port: ports.webhook, log: hooksLog });
  started.push({
    name: 'webhook receiver',
    stage: stage.sinks,
    stop: () => {
      hooksLog.stop();
      return hooks.close();
    },
  });

  const benchLimits = {
    write: { principal: { perSecond: 5_000, burst: 10_000 }, tenant: { perSecond: 10_000, burst: 20_000 } },
    read: { principal: { perSecond: 50_000, burst: 100_000 }, tenant: { perSecond: 100_000, burst: 200_000 } },
  };
  const common = {
    NODE_ENV: 'production', // as the image sets it
    ASSENT_JWKS_URL: jwks.url,
    ASSENT_JWT_ISSUER: issuer.key.issuer,
    ASSENT_JWT_AUDIENCE: issuer.key.audience,
    ASSENT_DEV_ISSUER_KEY_FILE: issuer.file,
    ASSENT_LOG_LEVEL: env['ASSENT_LOG_LEVEL'] ?? 'info',
    // Local: reachable from this machine only (in a pod the default, every interface).
    ASSENT_BIND_HOST: '127.0.0.1',
    // The defaults for every tenant but acme, the demo's and `make bench`'s tenant: its
    // limits are raised so the benchmark measures the platform (the limiter still runs).
    ASSENT_RATE_LIMITS: env['ASSENT_RATE_LIMITS'] ?? JSON.stringify({ tenants: { acme: benchLimits } }),
  };
  mkdirSync(join(stateDir, 'delivery'), { recursive: true, mode: 0o700 });
  writeFileSync(files.deliveryKeys, `local1=${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  const perService: Record<ServiceName, Record<string, string>> = {
    authz: { AUTHZ_OPENFGA_API_URL: `http://127.0.0.1:${ports.openfgaHttp}`, AUTHZ_OPENFGA_PRESHARED_KEY_FILE: files.openfgaKey },
    approvals: { APPROVALS_AUTHZ_ADDR: target('authz') },
    audit: { AUDIT_SIGNING_KEY_FILE: auditSigningKey() },
    delivery: { DELIVERY_ALLOW_PRIVATE_TARGETS: 'true', DELIVERY_SECRET_KEYS_FILE: files.deliveryKeys, ...gateway.deliveryEnv },
    notifier: {
      NOTIFIER_PORTAL_BASE_URL: portalUrl,
      NOTIFIER_OIDC_ISSUER: oidc.issuer,
      NOTIFIER_OIDC_DISCOVERY_URL: oidc.discoveryUrl,
      NOTIFIER_OIDC_CLIENT_ID: portalClient.clientId,
      NOTIFIER_OIDC_CLIENT_SECRET: portalClient.clientSecret,
      NOTIFIER_OIDC_SCOPES: `openid profile ${oidc.apiScope}`,
      ...(smtp
        ? {
            NOTIFIER_SMTP_HOST: smtp.host,
            NOTIFIER_SMTP_PORT: String(smtp.port),
            NOTIFIER_EMAIL_FROM: 'Assent <assent@acme.local>',
            // Fresh each run, like the other local secrets: links from an earlier run stop working.
            NOTIFIER_EMAIL_LINK_SECRET: randomBytes(32).toString('base64url'),
          }
        : {}),
      NOTIFIER_SLACK_API_URL: realSlack ? (env['NOTIFIER_SLACK_API_URL'] as string) : (slack?.url as string),
      NOTIFIER_SLACK_BOT_TOKEN: realSlack ? (env['NOTIFIER_SLACK_BOT_TOKEN'] as string) : (slack?.token as string),
      // Locally acme is a single-tenant install for Slack: any channel its policies name goes to the sink.
      // With a real Slack, give the tenant and its channels (NOTIFIER_SLACK_TENANT, NOTIFIER_SLACK_CHANNELS) yourself.
      ...(realSlack
        ? { ...(env['NOTIFIER_SLACK_TENANT'] && { NOTIFIER_SLACK_TENANT: env['NOTIFIER_SLACK_TENANT'] }), ...(env['NOTIFIER_SLACK_CHANNELS'] && { NOTIFIER_SLACK_CHANNELS: env['NOTIFIER_SLACK_CHANNELS'] }) }
        : { NOTIFIER_SLACK_TENANT: 'acme', NOTIFIER_SLACK_CHANNELS: '*' }),
      // POST /slack/interactivity is served with a signing secret: a real Slack app's, or a fresh one per run locally.
      ...(realSlack
        ? env['NOTIFIER_SLACK_SIGNING_SECRET'] && { NOTIFIER_SLACK_SIGNING_SECRET: env['NOTIFIER_SLACK_SIGNING_SECRET'] }
        : { NOTIFIER_SLACK_SIGNING_SECRET: randomBytes(16).toString('hex') }),
    },
  };
  for (const i of instances) {
    const upper = i.service.toUpperCase();
    // ASSENT_NODE_ARGS adds node flags to every service, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
    // (Node refuses profiling flags in NODE_OPTIONS); profiles are written on a clean stop.
    const nodeArgs = (env['ASSENT_NODE_ARGS'] ?? '').split(/\s+/).filter(Boolean);
    spawnLogged(i.name, stage.services, process.execPath, [...nodeArgs, `dist/${i.service}/bin.mjs`], {
      ...common,
      ...perService[i.service],
      ASSENT_REDIS_URL: redis.urlFor(i.service),
      ASSENT_NATS_URL: nats.urlFor(i.service),
      [`${upper}_GRPC_PORT`]: String(i.grpc),
      [`${upper}_HTTP_PORT`]: String(i.http),
    });
  }
  writeFileSync(files.pids, `${JSON.stringify({ processes }, null, 2)}\n`);
  const grpc = Object.fromEntries(serviceNames.map((s) => [s, target(s)]));
  writeFileSync(files.targets, `${JSON.stringify({ replicas, grpc, openfgaUrl: `http://127.0.0.1:${ports.openfgaHttp}` }, null, 2)}\n`);
  for (const i of instances) {
    const channel = createChannel(`127.0.0.1:${i.grpc}`);
    const health = createClient(HealthDefinition, channel);
    await waitFor(i.name, async () => (await health.check({ service: i.healthService }).catch(() => undefined))?.status === 1, 90_000);
    channel.close();
    log(`  ${i.name.padEnd(11)} SERVING  gRPC 127.0.0.1:${i.grpc}  metrics http://127.0.0.1:${i.http}/metrics`);
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
  for (const user of ['alice', 'bob', 'carol', 'dave', 'erin']) await seed('tenant', 'add-member', user, '--as', 'platform-admin', '--roles', 'platform-admin');
  // The groups the vendor-payout policy routes to (README "Two approvers, reminders, escalation, expiry").
  for (const [group, user] of [['finance-leads', 'bob'], ['finance-leads', 'erin'], ['security', 'carol'], ['oncall', 'dave']] as const) {
    await seed('group', 'add-member', group, user, '--as', 'admin', '--roles', 'admin');
  }
  await seed('policy', 'apply', '-f', 'packages/cli/examples', '--as', 'platform-admin', '--roles', 'platform-admin');
  // Where each demo person's approval emails go (the SMTP sink prints them).
  for (const user of ['alice', 'bob', 'carol', 'dave', 'erin']) await seed('contacts', 'email', 'set', user, `${user}@acme.local`, '--as', 'admin', '--roles', 'admin');
  // The demo receiver verifies Standard Webhooks signatures with the endpoint's secret. It
  // subscribes to the approval lifecycle (requested, decided), as an integration would;
  // every authz decision as a webhook would be noise, and at load a cost nobody asked for.
  const endpoint = JSON.parse(
    await seed(
      'webhook', 'create', '--url', hooks.url, '--description', 'make up demo receiver',
      '--event-type', 'assent.approval.requested.v1', '--event-type', 'assent.approval.decided.v1',
      '--as', 'admin', '--roles', 'admin', '-o', 'json',
    ),
  ) as {
    endpoint: { id: string; secret: string };
  };
  hooks.setSecret(endpoint.endpoint.secret);
  log('  seeded tenant "acme" (members alice, bob, carol, dave, erin; groups finance-leads, security, oncall),');
  log('  policies payout-details-change (bob or carol), vendor-payout (finance-leads AND security, with timers),');
  log('  refund-issue (checklist, parameters) and payments-wire (tiers: approval only above 1,000 EUR)');
  log(`  and webhook endpoint ${endpoint.endpoint.id} → the demo receiver (approval requested and decided events)`);

  const replicaLines =
    replicas === 1
      ? ''
      : `
  replicas           ${replicas} of each service; replica i listens on gRPC and HTTP port + ${100}·i (e.g. approvals
                     ${replicasOf('approvals', replicas).map((r) => r.grpc).join(', ')}). assentctl reaches replica 0 by default;
                     to spread calls over all replicas (round robin, as the services and make bench do):
                     export ${serviceNames.map((s) => `ASSENT_${s.toUpperCase()}_ADDR=${target(s)}`).join(' \\\n                            ')}`;
  log(`
Assent is up.
  approvals gRPC     127.0.0.1:50051     authz gRPC   127.0.0.1:50052
  audit gRPC         127.0.0.1:50053     delivery     127.0.0.1:50054
  notifier gRPC      127.0.0.1:50055     portal       ${portalUrl}/inbox (sign in as alice, bob, … at the dev OpenID provider ${oidc.url})${replicaLines}
  OpenFGA            http://127.0.0.1:${ports.openfgaHttp} (sqlite)     JWKS         ${jwks.url}
  email              ${smtp ? `local SMTP sink ${smtp.host}:${smtp.port} (each email printed below, in full in ${smtpFile}; acme's members are <name>@acme.local)` : `SMTP ${env['NOTIFIER_SMTP_HOST']}`}
  Slack              ${slack ? `local sink ${slack.url} (messages are printed below; a summary per second under load)` : env['NOTIFIER_SLACK_API_URL']}
  demo webhook       ${hooks.url}  (registered; deliveries are printed below, summarised under load)
  event gateway      ${gateway.deliveryEnv['DELIVERY_EVENT_GATEWAY_URL'] ?? 'not started (install nats-server)'}  (outside consumers: README "Event streams")
  logs               ${logDir}/<service>[-<replica>].log
  processes          ${files.pids} (make bench reports CPU per process from it)

Try it (README "Demo walk-through"):
  npx assentctl request create --as alice --action payouts.change_details --resource payout-account/42 --justification "vendor changed bank"
  npx assentctl request approve <id> --as bob --reason "verified by phone"
  npx assentctl audit list --as alice
  npx assentctl events watch --as alice          # watch events live
Stop with Ctrl-C or \`make down\`.
`);
}

main().catch(async (err: Error) => {
  process.stderr.write(`make up failed: ${err.message}\n`);
  await stopAll(1);
});
