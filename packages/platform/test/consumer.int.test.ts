import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupNats, testEnv, uniqueRoot } from '@assent/testkit';
import { connectNats, createLogger, ensureEventStreams, names, newEvent, PoisonMessageError, startConsumer, type Nats, type RunningConsumer } from '@assent/platform';

const root = uniqueRoot();
const n = names(root);
const logger = createLogger('test', 'silent');
let nats: Nats;
const running: RunningConsumer[] = [];

beforeAll(async () => {
  nats = await connectNats(testEnv.natsUrl, 'consumer-test', logger);
  await ensureEventStreams(nats.jsm, n);
});

afterAll(async () => {
  await Promise.allSettled(running.map((c) => c.stop()));
  await nats?.drain();
  await cleanupNats(root);
});

async function publish(event: string, subject: string, id = `${event}-${subject}-${Math.random()}`): Promise<void> {
  const e = newEvent({ type: `assent.widget.${event}.v1`, service: 'test', subject, tenant: 'acme', data: { id } });
  await nats.js.publish(n.event('acme', 'widget', event), JSON.stringify(e), { msgID: e.id });
}

const subjectOf = (data: Uint8Array) => (JSON.parse(new TextDecoder().decode(data)) as { subject: string }).subject;
const dlqCount = async () => (await nats.jsm.streams.info(n.dlqStream)).state.messages;

describe('startConsumer', () => {
  it('parks a poison message at once, with the reason, and terminates it', async () => {
    await publish('poison', 'widget/p1');
    let attempts = 0;
    const c = await startConsumer({
      nats,
      names: n,
      logger,
      stream: n.eventsStream,
      durable: 'poisoned',
      filterSubject: n.event('acme', 'widget', 'poison'),
      handle: async () => {
        attempts += 1;
        throw new PoisonMessageError('cannot decode');
      },
    });
    running.push(c);
    await expect.poll(dlqCount, { timeout: 10_000 }).toBe(1);
    // Terminated, not left pending for redelivery (NATS < 2.10.4 ignores a TERM with a reason).
    await expect.poll(async () => (await nats.jsm.consumers.info(n.eventsStream, 'poisoned')).num_ack_pending, { timeout: 5_000 }).toBe(0);
    expect(attempts).toBe(1);
    const parked = await nats.jsm.streams.getMessage(n.dlqStream, { last_by_subj: n.dlq('poisoned') });
    expect(parked?.header.get('Assent-Dlq-Reason')).toBe('cannot decode');
    expect(subjectOf(parked?.data ?? new Uint8Array())).toBe('widget/p1');
  });

  it('retries a transient failure past any attempt budget and never parks it', async () => {
    await publish('flaky', 'widget/f1');
    let attempts = 0;
    const before = await dlqCount();
    const c = await startConsumer({
      nats,
      names: n,
      logger,
      stream: n.eventsStream,
      durable: 'flaky',
      filterSubject: n.event('acme', 'widget', 'flaky'),
      backoffMs: () => 20,
      handle: async () => {
        attempts += 1;
        // The old default parked after 5 deliveries.
        if (attempts <= 12) throw new Error('redis is down');
      },
    });
    running.push(c);
    await expect.poll(() => attempts, { timeout: 15_000 }).toBe(13);
    await expect.poll(async () => (await nats.jsm.consumers.info(n.eventsStream, 'flaky')).num_ack_pending, { timeout: 5_000 }).toBe(0);
    expect(await dlqCount()).toBe(before);
  });

  it('keeps per-key order through retries while other keys go on', async () => {
    for (const s of ['a/1', 'b/1', 'a/2', 'b/2', 'a/3']) await publish('ordered', s);
    const seen: string[] = [];
    let failuresLeft = 3;
    const c = await startConsumer({
      nats,
      names: n,
      logger,
      stream: n.eventsStream,
      durable: 'ordered',
      filterSubject: n.event('acme', 'widget', 'ordered'),
      keyOf: (m) => subjectOf(m.data).split('/')[0] ?? '',
      concurrency: 8,
      backoffMs: () => 50,
      handle: async (m) => {
        const s = subjectOf(m.data);
        if (s === 'a/1' && failuresLeft-- > 0) throw new Error('slack is down');
        seen.push(s);
      },
    });
    running.push(c);
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(5);
    expect(seen.filter((s) => s.startsWith('a'))).toEqual(['a/1', 'a/2', 'a/3']);
    // b was not held up by a's retries.
    expect(seen.indexOf('b/2')).toBeLessThan(seen.indexOf('a/1'));
  });

  it('hands batches of one key to handleBatch in order', async () => {
    for (let i = 1; i <= 20; i++) await publish('batched', `t/${i}`);
    const batches: string[][] = [];
    const c = await startConsumer({
      nats,
      names: n,
      logger,
      stream: n.eventsStream,
      durable: 'batched',
      filterSubject: n.event('acme', 'widget', 'batched'),
      keyOf: () => 'acme',
      maxBatch: 8,
      handleBatch: async (msgs) => {
        batches.push(msgs.map((m) => subjectOf(m.data)));
        await new Promise((r) => setTimeout(r, 20));
      },
    });
    running.push(c);
    await expect.poll(() => batches.flat().length, { timeout: 10_000 }).toBe(20);
    expect(batches.flat()).toEqual(Array.from({ length: 20 }, (_, i) => `t/${i + 1}`));
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(8);
    expect(batches.length).toBeLessThan(20);
  });

  it('runs an exclusive consumer on one replica; a standby takes over a crashed holder and keeps key order', async () => {
    const second = await connectNats(testEnv.natsUrl, 'consumer-test-2', logger);
    const crashed = await connectNats(testEnv.natsUrl, 'consumer-test-crash', logger);
    try {
      const handledBy: { first: string[]; second: string[] } = { first: [], second: [] };
      const opts = (name: 'first' | 'second', conn: Nats) => ({
        nats: conn,
        names: n,
        logger,
        stream: n.eventsStream,
        durable: 'exclusive',
        filterSubject: n.event('acme', 'widget', 'exclusive'),
        keyOf: () => 'k',
        exclusive: true,
        leaseTtlMs: 1_500,
        ackWaitMs: 60_000,
        handle: async (m: { data: Uint8Array }) => {
          const s = subjectOf(m.data);
          // The first holder hangs on k/1 (a stuck call) until its process dies.
          if (name === 'first') {
            handledBy.first.push(s);
            await new Promise(() => undefined);
          }
          handledBy.second.push(s);
        },
      });
      const first = await startConsumer(opts('first', crashed));
      running.push(first);
      expect(first.active()).toBe(true);
      const standby = await startConsumer(opts('second', second));
      running.push(standby);
      expect(standby.active()).toBe(false);

      for (const s of ['k/1', 'k/2', 'k/3']) await publish('exclusive', s);
      await expect.poll(() => handledBy.first, { timeout: 5_000 }).toEqual(['k/1']);
      // The holder dies without releasing anything: no ack, no lease renewal.
      await crashed.nc.close();

      // Within the lease TTL (not the 60 s ack wait) the standby takes over, in order.
      await expect.poll(() => handledBy.second, { timeout: 8_000 }).toEqual(['k/1', 'k/2', 'k/3']);
      expect(standby.active()).toBe(true);
      await publish('exclusive', 'k/4');
      await expect.poll(() => handledBy.second.at(-1), { timeout: 5_000 }).toBe('k/4');
    } finally {
      await second.drain().catch(() => undefined);
    }
  });
});
