import { describe, expect, it } from 'vitest';
import { createLogger } from '@assent/platform';
import { watchAppends } from '../src/domain/watch-appends.js';
import { recordEvent } from '../src/domain/commands/record-event.js';
import type { CheckpointLog } from '../src/domain/ports.js';
import { startCheckpointSchedule } from '../src/transport/schedule/checkpoint-schedule.js';
import { memoryDeps, sourceEvent } from './support/deps.js';
import { collect } from './support/records.js';

const logger = createLogger('audit-test', 'silent');

describe('checkpoint schedule', () => {
  it('signs only the tenants whose head moved since the last tick', async () => {
    const base = memoryDeps();
    const touched: string[] = [];
    const deps = { ...base, log: watchAppends(base.log, (t) => touched.push(t)) };
    const schedule = startCheckpointSchedule({ deps, intervalMs: 3_600_000, logger });
    try {
      for (const tenant of ['acme', 'globex', 'acme']) await recordEvent(deps, sourceEvent({ tenant }));
      touched.splice(0).forEach((t) => schedule.touched(t));
      await schedule.runOnce();
      expect((await collect(base.checkpoints.all('acme'))).map((c) => c.sequence)).toEqual([2]);
      expect((await collect(base.checkpoints.all('globex'))).map((c) => c.sequence)).toEqual([1]);

      await recordEvent(deps, sourceEvent({ tenant: 'globex' }));
      touched.splice(0).forEach((t) => schedule.touched(t));
      await schedule.runOnce();
      expect(await collect(base.checkpoints.all('acme'))).toHaveLength(1);
      expect((await collect(base.checkpoints.all('globex'))).map((c) => c.sequence)).toEqual([1, 2]);
    } finally {
      await schedule.stop();
    }
  });

  it('starts from every chain it is told of, and retries a tenant that failed', async () => {
    const deps = memoryDeps();
    await recordEvent(deps, sourceEvent({ tenant: 'acme' }));
    let failures = 1;
    const flaky: CheckpointLog = {
      last: (t) => deps.checkpoints.last(t),
      all: (t) => deps.checkpoints.all(t),
      append: async (cp) => {
        if (failures-- > 0) throw new Error('nats went away');
        return deps.checkpoints.append(cp);
      },
    };
    const schedule = startCheckpointSchedule({ deps: { ...deps, checkpoints: flaky }, intervalMs: 3_600_000, logger, initialTenants: async () => ['acme', 'initech'] });
    try {
      await schedule.runOnce();
      expect(await deps.checkpoints.last('acme')).toBeUndefined();
      await schedule.runOnce();
      expect((await deps.checkpoints.last('acme'))?.sequence).toBe(1);
      expect(await deps.checkpoints.last('initech')).toBeUndefined();
    } finally {
      await schedule.stop();
    }
  });

  it('ticks on its own every interval', async () => {
    const deps = memoryDeps();
    await recordEvent(deps, sourceEvent({ tenant: 'acme' }));
    const schedule = startCheckpointSchedule({ deps, intervalMs: 100, logger, initialTenants: async () => ['acme'] });
    try {
      await expect.poll(() => deps.checkpoints.last('acme'), { timeout: 2_000 }).toMatchObject({ sequence: 1 });
    } finally {
      await schedule.stop();
    }
  });
});
