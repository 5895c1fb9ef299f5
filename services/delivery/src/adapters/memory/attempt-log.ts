import type { AttemptLog } from '../../domain/ports.js';
import type { Attempt } from '../../domain/types.js';

/** In-memory twin of the JetStream attempt log. */
export class MemoryAttemptLog implements AttemptLog {
  private readonly attempts: Attempt[] = [];
  private readonly ids = new Set<string>();

  async record(attempt: Attempt): Promise<void> {
    const id = `${attempt.tenant}:${attempt.eventId}:${attempt.endpointId}:${attempt.attempt}`;
    if (this.ids.has(id)) return;
    this.ids.add(id);
    this.attempts.push({ ...attempt, at: new Date(attempt.at) });
  }

  async list(tenant: string, endpointId: string | undefined, limit: number): Promise<Attempt[]> {
    return this.attempts
      .filter((a) => a.tenant === tenant && (endpointId === undefined || a.endpointId === endpointId))
      .reverse()
      .slice(0, limit)
      .map((a) => ({ ...a, at: new Date(a.at) }));
  }
}
