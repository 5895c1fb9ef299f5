import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, createLogger, ensureEventStreams, names, type Nats } from '@assent/platform';
import { cleanupNats, testEnv, uniqueRoot } from '@assent/testkit';
import { JetStreamAttemptLog } from '../src/adapters/jetstream/attempt-log.js';
import { deliveryNames, type DeliveryNames } from '../src/adapters/jetstream/delivery-names.js';
import { ensureDeliveryStreams } from '../src/adapters/jetstream/delivery-streams.js';
import { KvEndpointRepository, openEndpointBucket } from '../src/adapters/jetstream/endpoint-repository.js';
import { SecretBox } from '../src/adapters/crypto/secret-box.js';
import { decodeTask, JetStreamTaskQueue } from '../src/adapters/jetstream/task-queue.js';
import type { DeliveryTask } from '../src/domain/types.js';
import { attemptLogContract } from './contract/attempt-log.contract.js';
import { endpointRepositoryContract } from './contract/endpoint-repository.contract.js';
import { taskQueueContract } from './contract/task-queue.contract.js';

const roots: string[] = [];
let nats: Nats;
let n = 0;
const tenantOf = () => `tenant-${++n}`;

/** Fresh streams under a unique root, so each queue starts empty. */
async function freshNames(): Promise<DeliveryNames> {
  const root = uniqueRoot();
  roots.push(root);
  await ensureEventStreams(nats.jsm, names(root));
  const dn = deliveryNames(root);
  await ensureDeliveryStreams(nats.jsm, dn);
  return dn;
}

async function readTasks(dn: DeliveryNames): Promise<DeliveryTask[]> {
  const info = await nats.jsm.streams.info(dn.taskStream);
  const tasks: DeliveryTask[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await nats.jsm.streams.getMessage(dn.taskStream, { seq }).catch(() => null);
    if (m) tasks.push(decodeTask(m.data));
  }
  return tasks;
}

beforeAll(async () => {
  nats = await connectNats(testEnv.natsUrl, 'delivery-contract', createLogger('delivery-contract', 'silent'));
});
afterAll(async () => {
  await Promise.all(mirrors.map((m) => m.stop()));
  await nats?.drain();
  await Promise.all(roots.map((r) => cleanupNats(r)));
});

const mirrors: KvEndpointRepository[] = [];
const box = new SecretBox([{ kid: 'k1', key: new Uint8Array(randomBytes(32)) }]);
endpointRepositoryContract(
  'jetstream kv',
  async () => {
    const { endpointBucket } = await freshNames();
    const repo = await KvEndpointRepository.open(await openEndpointBucket(nats.nc, endpointBucket), { box, js: nats.js, bucket: endpointBucket, logger: createLogger('kv-mirror', 'silent') });
    mirrors.push(repo);
    return repo;
  },
  tenantOf,
);
attemptLogContract('jetstream', async () => new JetStreamAttemptLog(nats.js, nats.jsm, await freshNames()), tenantOf);
taskQueueContract('jetstream', async () => {
  const dn = await freshNames();
  return { queue: new JetStreamTaskQueue(nats.js, dn), queued: () => readTasks(dn) };
});

describe('KvEndpointRepository at rest', () => {
  const endpoint = (tenant: string, id: string, secret: string) => ({ id, tenant, url: 'https://hooks.example.com/', description: '', eventTypes: [], secret, createdAt: new Date('2030-01-01T00:00:00Z'), disabled: false });
  const rawHistory = async (bucket: string, key: string) => {
    const values: string[] = [];
    for await (const e of await (await openEndpointBucket(nats.nc, bucket)).history({ key })) values.push(e.string());
    return values;
  };
  const open = async (bucket: string, b: SecretBox) => {
    const repo = await KvEndpointRepository.open(await openEndpointBucket(nats.nc, bucket), { box: b, js: nats.js, bucket, logger: createLogger('kv-mirror', 'silent') });
    mirrors.push(repo);
    return repo;
  };

  it('reseals a record written in the clear by an older version and drops its clear revisions from history', async () => {
    const { endpointBucket } = await freshNames();
    const kv = await openEndpointBucket(nats.nc, endpointBucket);
    const legacy = { ...endpoint('acme', 'ep1', 'whsec_legacyLEGACYlegacy'), createdAt: '2030-01-01T00:00:00.000Z' };
    await kv.put('acme.ep1', JSON.stringify(legacy));
    await kv.put('acme.ep1', JSON.stringify({ ...legacy, description: 'second revision' }));
    const repo = await open(endpointBucket, box);
    expect((await repo.get('acme', 'ep1'))?.secret).toBe('whsec_legacyLEGACYlegacy');
    const history = await rawHistory(endpointBucket, 'acme.ep1');
    expect(history).toHaveLength(1);
    expect(history[0]).not.toContain('legacyLEGACY');
  });

  it('moves every secret to a new primary key at start, so the old key can be dropped', async () => {
    const { endpointBucket } = await freshNames();
    const [k1, k2] = [randomBytes(32), randomBytes(32)];
    const first = await open(endpointBucket, new SecretBox([{ kid: 'k1', key: new Uint8Array(k1) }]));
    await first.create(endpoint('acme', 'ep2', 'whsec_rotateROTATErotate'));
    await first.stop();
    await open(endpointBucket, new SecretBox([{ kid: 'k2', key: new Uint8Array(k2) }, { kid: 'k1', key: new Uint8Array(k1) }]));
    const history = await rawHistory(endpointBucket, 'acme.ep2');
    expect(history).toHaveLength(1);
    expect(JSON.parse(Buffer.from((JSON.parse(history[0] as string) as { sealedSecret: string }).sealedSecret.split('.')[0] as string, 'base64url').toString())).toMatchObject({ kid: 'k2' });
    const onlyNew = await open(endpointBucket, new SecretBox([{ kid: 'k2', key: new Uint8Array(k2) }]));
    expect((await onlyNew.get('acme', 'ep2'))?.secret).toBe('whsec_rotateROTATErotate');
  });
});
