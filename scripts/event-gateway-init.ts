/**
 * Keys and config for an event gateway (docs/deploy.md, "Event streams"): a fresh
 * operator, its signing key and system account, and the nats-server config.
 *
 *   npx tsx scripts/event-gateway-init.ts <dir> [--port 4222] [--max-file 10GB]
 *
 * Writes <dir>/gateway.conf and <dir>/operator.jwt (the server's; public) and
 * <dir>/operator-signing-key.nk and <dir>/system.creds (delivery's; mode 0600). The
 * config expects them at /etc/gateway and its data at /data, as in the manifests.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createGatewayOperator, gatewayFiles } from '@assent/platform';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { port: { type: 'string', default: '4222' }, 'max-file': { type: 'string', default: '10GB' } } });
const dir = positionals[0];
if (!dir) {
  process.stderr.write('usage: npx tsx scripts/event-gateway-init.ts <dir> [--port 4222] [--max-file 10GB]\n');
  process.exit(2);
}
mkdirSync(dir, { recursive: true, mode: 0o700 });
const files = gatewayFiles(await createGatewayOperator(), {
  host: '0.0.0.0',
  port: Number(values.port),
  storeDir: '/data/jetstream',
  resolverDir: '/data/accounts',
  operatorJwtFile: '/etc/gateway/operator.jwt',
  maxFileStore: values['max-file'],
  extra: ['server_name: $POD_NAME', 'http: 0.0.0.0:8222'],
});
for (const [name, content] of Object.entries(files.public)) writeFileSync(join(dir, name), content);
for (const [name, content] of Object.entries(files.secret)) writeFileSync(join(dir, name), content, { mode: 0o600 });
process.stdout.write(`wrote ${[...Object.keys(files.public), ...Object.keys(files.secret)].map((f) => join(dir, f)).join(', ')}\n`);
