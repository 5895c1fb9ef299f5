import { describe, expect, it } from 'vitest';
import { KeyedLanes } from '../src/nats/keyed-lanes.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('KeyedLanes', () => {
  it('runs one key in push order, one batch at a time, and keys in parallel', async () => {
    const log: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const lanes = new KeyedLanes<string>({
      concurrency: 4,
      maxBatch: 10,
      run: async (key, items) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await tick();
        log.push(`${key}:${items.join(',')}`);
        running--;
      },
    });
    lanes.push('a', 'a1');
    lanes.push('b', 'b1');
    lanes.push('a', 'a2');
    lanes.push('a', 'a3');
    lanes.push('b', 'b2');
    await lanes.idle();
    // a1 started alone; a2 and a3 queued behind it and ran together as one batch.
    expect(log.filter((l) => l.startsWith('a'))).toEqual(['a:a1', 'a:a2,a3']);
    expect(log.filter((l) => l.startsWith('b'))).toEqual(['b:b1', 'b:b2']);
    expect(maxRunning).toBe(2);
    expect(lanes.size()).toBe(0);
  });

  it('never runs more lanes than the concurrency and never two batches of one key at once', async () => {
    const active = new Set<string>();
    let peak = 0;
    const lanes = new KeyedLanes<number>({
      concurrency: 3,
      maxBatch: 1,
      run: async (key) => {
        expect(active.has(key)).toBe(false);
        active.add(key);
        peak = Math.max(peak, active.size);
        await tick();
        active.delete(key);
      },
    });
    for (let i = 0; i < 60; i++) lanes.push(`k${i % 7}`, i);
    await lanes.idle();
    expect(peak).toBe(3);
  });

  it('tells when there is room again and hands back what has not started', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const lanes = new KeyedLanes<number>({ concurrency: 1, maxBatch: 1, run: () => gate });
    lanes.push('x', 1);
    lanes.push('x', 2);
    lanes.push('y', 3);
    expect(lanes.size()).toBe(3);
    let roomy = false;
    void lanes.room(2).then(() => (roomy = true));
    await tick();
    expect(roomy).toBe(false);
    expect(lanes.drainQueued().sort()).toEqual([2, 3]);
    await tick();
    expect(roomy).toBe(true);
    release();
    await lanes.idle();
  });

  it('a resting lane gives its slot to other keys and keeps its key', async () => {
    const log: string[] = [];
    let release: () => void = () => undefined;
    const wait = new Promise<void>((r) => (release = r));
    const lanes = new KeyedLanes<string>({
      concurrency: 1,
      maxBatch: 1,
      run: async (key, items, lane) => {
        log.push(`start ${items[0]}`);
        if (items[0] === 'a1') await lane.rest(wait);
        log.push(`end ${items[0]}`);
      },
    });
    lanes.push('a', 'a1');
    lanes.push('a', 'a2');
    lanes.push('b', 'b1');
    await tick();
    // With one slot, b ran while a1 rested; a2 did not overtake a1.
    expect(log).toEqual(['start a1', 'start b1', 'end b1']);
    release();
    await lanes.idle();
    expect(log.slice(3)).toEqual(['end a1', 'start a2', 'end a2']);
  });

  it('a rested lane goes on before keys that have not started', async () => {
    const log: string[] = [];
    const gates = new Map<string, () => void>();
    const gate = (name: string) => new Promise<void>((r) => gates.set(name, r));
    const lanes = new KeyedLanes<string>({
      concurrency: 1,
      maxBatch: 1,
      run: async (_key, items, lane) => {
        const item = items[0] as string;
        log.push(`start ${item}`);
        if (item === 'a1') await lane.rest(gate('a1'));
        if (item === 'b1') await gate('b1');
        log.push(`end ${item}`);
      },
    });
    lanes.push('a', 'a1');
    lanes.push('b', 'b1');
    await tick();
    lanes.push('c', 'c1');
    gates.get('a1')?.();
    await tick();
    gates.get('b1')?.();
    await lanes.idle();
    expect(log).toEqual(['start a1', 'start b1', 'end b1', 'end a1', 'start c1', 'end c1']);
  });
});
