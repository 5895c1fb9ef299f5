import { describe, expect, it } from 'vitest';
import { Latency } from './histogram.js';
import { formatReport, reportJson } from './report.js';

describe('bench report', () => {
  it('prints per-step throughput and percentiles from recorded latencies', () => {
    const l = new Latency();
    const now = process.hrtime.bigint();
    // 100 samples at ~1..100 ms (recorded as "started that long ago").
    for (let ms = 1; ms <= 100; ms++) l.record(now - BigInt(ms) * 1_000_000n);
    const report = { concurrency: 4, seconds: 10, steps: [{ step: 'create', latency: l }], lifecycles: 50, errors: new Map([['UNAVAILABLE', 2]]) };
    const json = reportJson(report) as { lifecyclesPerSecond: number; steps: Record<string, { p50: number; p99: number; perSecond: number }> };
    expect(json.lifecyclesPerSecond).toBe(5);
    expect(json.steps['create']?.perSecond).toBe(10);
    expect(json.steps['create']?.p50).toBeGreaterThanOrEqual(50);
    expect(json.steps['create']?.p50).toBeLessThan(52);
    expect(json.steps['create']?.p99).toBeGreaterThanOrEqual(99);
    const text = formatReport(report);
    expect(text).toContain('lifecycles/s: 5.0 (create, 50 completed)');
    expect(text).toContain('UNAVAILABLE=2');
    expect(text).toMatch(/create\s+100\s+10\.0/);
  });
});
