import { describe, expect, it } from 'vitest';
import { ConflictError } from '@assent/platform/domain';
import { checkpointHash, signCheckpoint, type Checkpoint } from '../../src/domain/checkpoint.js';
import type { CheckpointLog } from '../../src/domain/ports.js';
import { newKeyRing } from '../support/deps.js';
import { collect } from '../support/records.js';

const keys = newKeyRing();

/** A signed checkpoint following `prev` (or the first). */
export function nextCheckpoint(tenant: string, prev: Checkpoint | undefined, sequence = (prev?.sequence ?? 0) + 3): Checkpoint {
  return signCheckpoint(keys, {
    tenant,
    index: (prev?.index ?? 0) + 1,
    sequence,
    headHash: `${sequence}`.padStart(64, '0'),
    time: new Date(Date.UTC(2030, 0, 1, 0, sequence)),
    prevCheckpointHash: prev ? checkpointHash(prev) : '',
  });
}

/** One contract for every CheckpointLog: the JetStream adapter and its in-memory twin. */
export function checkpointLogContract(name: string, make: () => Promise<CheckpointLog>, tenantOf: () => string): void {
  describe(`CheckpointLog contract: ${name}`, () => {
    it('starts every tenant with no checkpoints', async () => {
      const log = await make();
      const t = tenantOf();
      expect(await log.last(t)).toBeUndefined();
      expect(await collect(log.all(t))).toEqual([]);
    });

    it('appends checkpoints in order and returns them exactly as written', async () => {
      const log = await make();
      const t = tenantOf();
      const first = nextCheckpoint(t, undefined);
      const second = nextCheckpoint(t, first);
      await log.append(first);
      await log.append(second);
      expect(await log.last(t)).toEqual(second);
      expect(await collect(log.all(t))).toEqual([first, second]);
    });

    it('refuses a checkpoint that does not follow the newest one (compare-and-set)', async () => {
      const log = await make();
      const t = tenantOf();
      const first = nextCheckpoint(t, undefined);
      await log.append(first);
      // Two replicas sign the same next index: only one lands.
      const a = nextCheckpoint(t, first, 10);
      const b = nextCheckpoint(t, first, 11);
      await log.append(a);
      await expect(log.append(b)).rejects.toBeInstanceOf(ConflictError);
      await expect(log.append(nextCheckpoint(t, undefined, 12))).rejects.toBeInstanceOf(ConflictError);
      expect((await collect(log.all(t))).map((c) => c.sequence)).toEqual([first.sequence, 10]);
    });

    it('keeps tenants apart', async () => {
      const log = await make();
      const [a, b] = [tenantOf(), tenantOf()];
      await log.append(nextCheckpoint(a, undefined));
      expect(await log.last(b)).toBeUndefined();
      await log.append(nextCheckpoint(b, undefined, 7));
      expect((await collect(log.all(a))).map((c) => c.tenant)).toEqual([a]);
      expect((await log.last(b))?.sequence).toBe(7);
    });
  });
}
