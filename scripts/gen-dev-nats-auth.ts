/**
 * Regenerates deploy/k8s/overlays/dev/nats-auth.conf from
 * packages/platform/src/nats-permissions.ts, keeping the file's header and its dev
 * passwords. Run after changing a service's NATS permissions:
 *   npx tsx scripts/gen-dev-nats-auth.ts
 * (packages/platform/test/nats-permissions.test.ts fails until it is regenerated.)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { natsAuthorizationConfig, type NatsServiceUser } from '@assent/platform';

const path = new URL('../deploy/k8s/overlays/dev/nats-auth.conf', import.meta.url);
const file = readFileSync(path, 'utf8');
const passwords: Record<string, string> = {};
for (const m of file.matchAll(/\{ user: "([a-z]+)", password: "([^"]+)"/g)) passwords[m[1] as string] = m[2] as string;
const header = file.split('\n').filter((l) => l.startsWith('#'));
writeFileSync(path, [...header, natsAuthorizationConfig('assent', passwords as Record<NatsServiceUser, string>)].join('\n'));
