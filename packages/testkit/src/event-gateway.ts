import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import { createGatewayOperator, gatewayFiles, type GatewayOperator } from '@assent/platform';
import { removeOnExit, startRestartable, type RestartableServer } from './server-process.js';

/** A private event gateway (nats-server in operator mode) and the files delivery reads to manage it. */
export type RunningEventGateway = RestartableServer & {
  operator: GatewayOperator;
  /** Delivery's settings for this gateway (DELIVERY_EVENT_GATEWAY_*). */
  deliveryEnv: Record<string, string>;
};

/** Starts the installed `nats-server` as an event gateway on a free 127.0.0.1 port with a fresh operator. */
export async function startEventGateway(opts: { binary?: string } = {}): Promise<RunningEventGateway> {
  const operator = await createGatewayOperator();
  const secrets = await mkdtemp(join(tmpdir(), 'assent-gateway-keys-'));
  removeOnExit(secrets);
  const server = await startRestartable({
    name: 'nats-server (event gateway)',
    dirPrefix: 'assent-gateway-',
    url: (port) => `nats://127.0.0.1:${port}`,
    configure: async (port, dir) => {
      const files = gatewayFiles(operator, {
        host: '127.0.0.1',
        port,
        storeDir: join(dir, 'jetstream'),
        resolverDir: join(dir, 'accounts'),
        operatorJwtFile: join(dir, 'operator.jwt'),
        maxFileStore: '10GB',
        extra: [`server_name: "assent-gateway-${port}"`],
      });
      for (const [name, content] of Object.entries(files.public)) await writeFile(join(dir, name), content);
      for (const [name, content] of Object.entries(files.secret)) await writeFile(join(secrets, name), content, { mode: 0o600 });
      const conf = join(dir, 'gateway.conf');
      return { command: opts.binary ?? 'nats-server', args: ['-c', conf], ready: () => systemUserConnects(`nats://127.0.0.1:${port}`, operator.systemCreds) };
    },
  });
  return {
    ...server,
    operator,
    deliveryEnv: {
      DELIVERY_EVENT_GATEWAY_URL: server.url,
      DELIVERY_EVENT_GATEWAY_SIGNING_KEY_FILE: join(secrets, 'operator-signing-key.nk'),
      DELIVERY_EVENT_GATEWAY_SYSTEM_CREDS_FILE: join(secrets, 'system.creds'),
      // Each tenant's stream reserves its size on the server (10 GB here, reserved not used).
      DELIVERY_EVENT_GATEWAY_TENANT_DISK_MB: '64',
    },
  };
}

async function systemUserConnects(url: string, creds: string): Promise<boolean> {
  const nc = await connect({ servers: url, authenticator: credsAuthenticator(new TextEncoder().encode(creds)), reconnect: false, timeout: 1_000 });
  await nc.close();
  return true;
}
