import { UnavailableError } from '@assent/platform';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { TaskQueue } from '../../domain/ports.js';
import type { DeliveryTask } from '../../domain/types.js';
import type { DeliveryNames } from './delivery-names.js';

/** Task id, also the Nats-Msg-Id: JetStream stores a re-enqueued task once. */
export const taskId = (task: Pick<DeliveryTask, 'eventId' | 'endpointId'>): string => `${task.eventId}:${task.endpointId}`;

export class JetStreamTaskQueue implements TaskQueue {
  constructor(
    private readonly js: JetStreamClient,
    private readonly n: DeliveryNames,
  ) {}

  async enqueue(task: DeliveryTask): Promise<void> {
    try {
      await this.js.publish(this.n.task(task.tenant, task.endpointId), JSON.stringify(task), { msgID: taskId(task) });
    } catch (err) {
      throw new UnavailableError('delivery task stream unavailable', { cause: err });
    }
  }
}

export function decodeTask(data: Uint8Array): DeliveryTask {
  const t = JSON.parse(new TextDecoder().decode(data)) as Partial<DeliveryTask>;
  for (const k of ['tenant', 'endpointId', 'eventId', 'eventType', 'payload'] as const) {
    if (typeof t[k] !== 'string' || !t[k]) throw new Error(`delivery task has no ${k}`);
  }
  return t as DeliveryTask;
}
