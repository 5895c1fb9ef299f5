import { describe, expect, it } from 'vitest';
import type { TaskQueue } from '../../src/domain/ports.js';
import type { DeliveryTask } from '../../src/domain/types.js';

export interface QueueUnderTest {
  queue: TaskQueue;
  /** Every task currently queued, oldest first. */
  queued(): Promise<DeliveryTask[]>;
}

/** One contract for every TaskQueue: the JetStream work queue and its in-memory twin. */
export function taskQueueContract(name: string, make: () => Promise<QueueUnderTest>): void {
  const task = (eventId: string, endpointId: string): DeliveryTask => ({
    tenant: 'acme',
    endpointId,
    eventId,
    eventType: 'assent.approval.decided.v1',
    payload: JSON.stringify({ id: eventId, data: { note: 'ünïcødé' } }),
  });

  describe(`TaskQueue contract: ${name}`, () => {
    it('queues tasks in order, whole', async () => {
      const { queue, queued } = await make();
      const a = task('01J00000000000000000000001', '01J000000000000000000000E1');
      const b = task('01J00000000000000000000001', '01J000000000000000000000E2');
      await queue.enqueue(a);
      await queue.enqueue(b);
      expect(await queued()).toEqual([a, b]);
    });

    it('stores a task once per (event, endpoint) however often it is enqueued', async () => {
      const { queue, queued } = await make();
      const a = task('01J00000000000000000000001', '01J000000000000000000000E1');
      await queue.enqueue(a);
      await queue.enqueue({ ...a });
      await queue.enqueue(task('01J00000000000000000000002', '01J000000000000000000000E1'));
      expect((await queued()).map((t) => t.eventId)).toEqual(['01J00000000000000000000001', '01J00000000000000000000002']);
    });
  });
}
