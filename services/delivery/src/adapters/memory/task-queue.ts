import type { TaskQueue } from '../../domain/ports.js';
import type { DeliveryTask } from '../../domain/types.js';

/** In-memory twin of the JetStream task queue: keeps tasks in order, one per (event, endpoint). */
export class MemoryTaskQueue implements TaskQueue {
  private readonly byId = new Map<string, DeliveryTask>();

  async enqueue(task: DeliveryTask): Promise<void> {
    const id = `${task.eventId}:${task.endpointId}`;
    if (!this.byId.has(id)) this.byId.set(id, { ...task });
  }

  /** Tasks enqueued so far, oldest first. */
  get tasks(): DeliveryTask[] {
    return [...this.byId.values()];
  }
}
