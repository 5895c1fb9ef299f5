import { ConflictError } from '@assent/platform/domain';
import type { Checkpoint } from '../../domain/checkpoint.js';
import type { CheckpointLog } from '../../domain/ports.js';

const copy = (c: Checkpoint): Checkpoint => structuredClone(c);

/** In-memory twin of the JetStream checkpoint log. */
export class MemoryCheckpointLog implements CheckpointLog {
  private readonly chains = new Map<string, Checkpoint[]>();

  async last(tenant: string): Promise<Checkpoint | undefined> {
    const last = this.chains.get(tenant)?.at(-1);
    return last && copy(last);
  }

  async append(checkpoint: Checkpoint): Promise<void> {
    const chain = this.chains.get(checkpoint.tenant) ?? [];
    const at = chain.at(-1)?.index ?? 0;
    if (at !== checkpoint.index - 1) throw new ConflictError(`checkpoints of "${checkpoint.tenant}" are at ${at}, not ${checkpoint.index - 1}`);
    chain.push(copy(checkpoint));
    this.chains.set(checkpoint.tenant, chain);
  }

  async *all(tenant: string): AsyncIterable<Checkpoint> {
    for (const cp of [...(this.chains.get(tenant) ?? [])]) yield copy(cp);
  }

  /** Rewrites (or removes, when `change` returns undefined) a stored checkpoint: an attacker's edit, for tests. */
  tamper(tenant: string, index: number, change: (cp: Checkpoint) => Checkpoint | undefined): void {
    const chain = this.chains.get(tenant) ?? [];
    const at = chain.findIndex((c) => c.index === index);
    if (at < 0) throw new Error(`no checkpoint ${index} in tenant "${tenant}"`);
    const changed = change(copy(chain[at] as Checkpoint));
    if (changed) chain[at] = changed;
    else chain.splice(at, 1);
  }
}
