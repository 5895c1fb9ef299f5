import type { StepUpStore } from '../../domain/ports.js';
import type { StepUpSession } from '../../domain/types.js';

/** In-memory twin of the Redis step-up store: sessions expire on the given clock. */
export class MemoryStepUpStore implements StepUpStore {
  private readonly sessions = new Map<string, StepUpSession>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  async open(tenant: string, s: StepUpSession, windowMs: number): Promise<void> {
    this.sessions.set(`${tenant}|${s.principal}`, { ...s, amr: [...s.amr], expiresAt: new Date(this.now().getTime() + windowMs) });
  }

  async peek(tenant: string, principal: string): Promise<StepUpSession | undefined> {
    const s = this.sessions.get(`${tenant}|${principal}`);
    return s && s.expiresAt > this.now() ? { ...s, amr: [...s.amr] } : undefined;
  }

  async touch(tenant: string, principal: string, windowMs: number): Promise<StepUpSession | undefined> {
    const key = `${tenant}|${principal}`;
    const s = this.sessions.get(key);
    if (!s || s.expiresAt <= this.now()) {
      this.sessions.delete(key);
      return undefined;
    }
    const next = { ...s, expiresAt: new Date(this.now().getTime() + windowMs) };
    this.sessions.set(key, next);
    return { ...next, amr: [...next.amr] };
  }
}
