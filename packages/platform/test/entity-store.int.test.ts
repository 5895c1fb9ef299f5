import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupNats, testEnv, uniqueRoot } from '@assent/testkit';
import {
  AlreadyExistsError,
  ConflictError,
  connectNats,
  createLogger,
  ensureEventStreams,
  names,
  newEvent,
  startConsumer,
  startOutboxRelay,
  StreamEntityStore,
  type Nats,
  type RunningConsumer,
} from '@assent/platform';

const root = uniqueRoot();
const n = names(root);
const logger = createLogger('test', 'silent');
let nats: Nats;
let store: StreamEntityStore<{ state: string }>;
let relay: RunningConsumer;

beforeAll(async () => {
  nats = await connectNats(testEnv.natsUrl, 'platform-test', logger);
  await ensureEventStreams(nats.jsm, n);
  store = new StreamEntityStore(nats, n, 'widget');
  await store.ensure();
  relay = await startOutboxRelay({ nats, names: n, logger, store: store as StreamEntityStore<unknown> });
});

afterAll(async () => {
  await relay?.stop();
  await nats?.drain();
  await cleanupNats(root);
});

const ev = (id: string, type: string) => newEvent({ type, service: 'test', subject: `widget/${id}`, tenant: 'acme', data: { id } });

describe('StreamEntityStore', () => {
  it('lets exactly one of many concurrent writers win a transition', async () => {
    const rev = await store.create('acme', 'w1', { state: 'pending' }, [ev('w1', 'assent.widget.created.v1')]);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => store.update('acme', 'w1', { state: `done-${i}` }, rev, [ev('w1', 'assent.widget.done.v1')])),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof ConflictError)).toHaveLength(7);
    const current = await store.get('acme', 'w1');
    expect(current?.value.state).toMatch(/^done-/);
    await expect(store.create('acme', 'w1', { state: 'x' }, [])).rejects.toBeInstanceOf(AlreadyExistsError);
  });

  it('relays the events of winning transitions only, once each', async () => {
    const rev = await store.create('acme', 'w2', { state: 'pending' }, [ev('w2', 'assent.widget.created.v1')]);
    await store.update('acme', 'w2', { state: 'done' }, rev, [ev('w2', 'assent.widget.done.v1')]);
    await expect(store.update('acme', 'w2', { state: 'again' }, rev, [ev('w2', 'assent.widget.bogus.v1')])).rejects.toBeInstanceOf(ConflictError);

    const seen: string[] = [];
    const consumer = await startConsumer({
      nats,
      names: n,
      logger,
      stream: n.eventsStream,
      durable: 'reader',
      filterSubject: n.event('acme', 'widget', '*'),
      handle: async (msg) => {
        seen.push(msg.subject);
      },
    });
    await expect.poll(() => seen.filter((s) => s.endsWith('.done')).length, { timeout: 5000 }).toBe(2);
    await consumer.stop();
    expect(seen.some((s) => s.endsWith('.bogus'))).toBe(false);
    expect(await store.ids('acme')).toEqual(['w1', 'w2']);
  });
});
