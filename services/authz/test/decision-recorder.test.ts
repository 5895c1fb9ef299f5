import { describe, expect, it } from 'vitest';
import { newEvent, type AssentEvent } from '@assent/platform';
import { DecisionRecorder } from '../src/domain/decision-recorder.js';
import type { EventSink } from '../src/domain/ports.js';

const event = () => newEvent({ type: 'assent.authz.checked.v1', service: 'authz', subject: 'decision/x', tenant: 'acme', data: {} });

function setup(windowMs: number) {
  const clock = { t: new Date('2030-01-01T00:00:00Z'), now() { return new Date(this.t); } };
  const published: AssentEvent[] = [];
  let failNext = false;
  let gate: Promise<void> = Promise.resolve();
  const sink: EventSink = {
    async emit(e) {
      await gate;
      if (failNext) {
        failNext = false;
        throw new Error('stream down');
      }
      published.push(e);
    },
  };
  const recorder = new DecisionRecorder(sink, clock, windowMs);
  return { recorder, clock, published, fail: () => (failNext = true), hold: (p: Promise<void>) => (gate = p) };
}

describe('DecisionRecorder', () => {
  it('covers an identical decision within the window by the first record, and records it again after', async () => {
    const { recorder, clock, published } = setup(1_000);
    const first = event();
    expect(await recorder.sample('alice|ALLOW', () => first)).toBe(first.id);
    clock.t = new Date(clock.t.getTime() + 999);
    expect(await recorder.sample('alice|ALLOW', () => event())).toBe(first.id);
    const other = event();
    expect(await recorder.sample('alice|DENY', () => other)).toBe(other.id);
    clock.t = new Date(clock.t.getTime() + 1);
    const later = event();
    expect(await recorder.sample('alice|ALLOW', () => later)).toBe(later.id);
    expect(published.map((e) => e.id)).toEqual([first.id, other.id, later.id]);
  });

  it('lets concurrent identical decisions wait for one publish, and never covers by a failed one', async () => {
    const { recorder, published, fail, hold } = setup(1_000);
    let release = () => undefined as void;
    hold(new Promise<void>((r) => (release = r)));
    const a = event();
    const both = Promise.all([recorder.sample('k', () => a), recorder.sample('k', () => event())]);
    release();
    expect(await both).toEqual([a.id, a.id]);
    expect(published).toHaveLength(1);

    fail();
    await expect(recorder.sample('j', () => event())).rejects.toThrow(/stream down/);
    const retry = event();
    expect(await recorder.sample('j', () => retry)).toBe(retry.id);
  });

  it('records every decision that is not sampled, identical or not', async () => {
    const { recorder, published } = setup(1_000);
    await recorder.record(() => event());
    await recorder.record(() => event());
    expect(published).toHaveLength(2);
  });

  it('publishes every decision with a window of 0', async () => {
    const { recorder, published } = setup(0);
    await recorder.sample('k', () => event());
    await recorder.sample('k', () => event());
    expect(published).toHaveLength(2);
  });
});
