import { describe, expect, it } from 'vitest';
import { createLogger, type Deduper } from '@assent/platform';
import { MemoryAttemptLog } from '../src/adapters/memory/attempt-log.js';
import type { AttemptLog } from '../src/domain/ports.js';
import type { Attempt } from '../src/domain/types.js';
import { attemptLogNeverFailing, markNeverFailing } from '../src/transport/nats/best-effort.js';

const logger = createLogger('test', 'silent');
const down = () => Promise.reject(new Error('connection refused'));
const attempt: Attempt = {
  tenant: 'acme',
  endpointId: '01J0000000000000000000000E',
  eventId: '01J00000000000000000000001',
  eventType: 'assent.approval.decided.v1',
  attempt: 1,
  result: 'SUCCEEDED',
  outcome: 'delivered',
  httpStatus: 200,
  error: '',
  durationMs: 3,
  at: new Date('2030-01-01T00:00:00Z'),
};

describe('worker side effects that must not fail a task after its POST', () => {
  it('an attempt log that is down does not fail the task; a working one records', async () => {
    const broken: AttemptLog = { record: down, list: async () => [] };
    await expect(attemptLogNeverFailing(broken, logger).record(attempt)).resolves.toBeUndefined();
    const inner = new MemoryAttemptLog();
    await attemptLogNeverFailing(inner, logger).record(attempt);
    expect(await attemptLogNeverFailing(inner, logger).list('acme', undefined, 10)).toEqual([attempt]);
  });

  it('a failed mark is swallowed, but a failed lookup still surfaces', async () => {
    const broken: Deduper = { seen: down, mark: down };
    const d = markNeverFailing(broken, logger);
    await expect(d.mark('t')).resolves.toBeUndefined();
    await expect(d.seen('t')).rejects.toThrow('connection refused');
  });
});
