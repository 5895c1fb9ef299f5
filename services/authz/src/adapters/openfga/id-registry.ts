/**
 * Where replicas agree on OpenFGA ids (the store for a name, the model for a
 * model hash): a key-value store with create-if-absent and compare-and-set, so
 * of several replicas proposing at once exactly one proposal is kept
 * (adapters/jetstream/kv-id-registry.ts; in-memory twin in adapters/memory).
 */
export interface IdRegistry {
  get(key: string): Promise<{ value: string; revision: number } | undefined>;
  /** False when another value was there first. */
  create(key: string, value: string): Promise<boolean>;
  /** Replaces the value at `revision`; false when it changed meanwhile. */
  update(key: string, value: string, revision: number): Promise<boolean>;
}

export interface Candidate {
  id: string;
  /** True when this replica made it, so it must discard it if another id wins. */
  mine: boolean;
}

/**
 * The id every replica uses for `key`: the registered one while it is still
 * valid, otherwise this replica's proposal if it wins the compare-and-set, or
 * the winner's (discarding a proposal this replica made for nothing).
 */
export async function agreeOnId(
  registry: IdRegistry,
  key: string,
  ops: { valid(id: string): Promise<boolean>; propose(): Promise<Candidate>; discard(id: string): Promise<void> },
): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await registry.get(key);
    if (current && (await ops.valid(current.value))) return current.value;
    const candidate = await ops.propose();
    const won = current ? await registry.update(key, candidate.id, current.revision) : await registry.create(key, candidate.id);
    if (won) return candidate.id;
    if (candidate.mine) {
      // Another replica may have adopted this very proposal (a store found by name
      // before it was registered) and registered it first: then it is the winner,
      // and discarding it would pull it from under every replica.
      const winner = await registry.get(key);
      if (winner?.value === candidate.id) return candidate.id;
      await ops.discard(candidate.id);
    }
  }
  throw new Error(`no agreement on ${key} after 5 attempts`);
}
