import type { Latency } from './histogram.js';

export interface StepResult {
  step: string;
  latency: Latency;
}

export interface BenchReport {
  concurrency: number;
  seconds: number;
  steps: StepResult[];
  lifecycles: number;
  errors: Map<string, number>;
}

const f = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));

/** Human table: one row per step with throughput and p50/p95/p99/max. */
export function formatReport(r: BenchReport): string {
  const rows = [
    ['step', 'count', 'per s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
    ...r.steps.map((s) => [s.step, String(s.latency.count), f(s.latency.count / r.seconds), f(s.latency.p(50)), f(s.latency.p(95)), f(s.latency.p(99)), f(s.latency.max())]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  const lines = rows.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  '));
  const errors = [...r.errors.entries()].map(([k, v]) => `${k}=${v}`).join(', ') || 'none';
  return [
    `concurrency ${r.concurrency}, ${r.seconds.toFixed(1)} s`,
    ...lines,
    `lifecycles/s: ${f(r.lifecycles / r.seconds)} (${r.steps.at(-1)?.step ?? 'lifecycle'}, ${r.lifecycles} completed)`,
    `errors: ${errors}`,
  ].join('\n');
}

export function reportJson(r: BenchReport): Record<string, unknown> {
  return {
    concurrency: r.concurrency,
    seconds: r.seconds,
    lifecyclesPerSecond: r.lifecycles / r.seconds,
    steps: Object.fromEntries(
      r.steps.map((s) => [s.step, { count: s.latency.count, perSecond: s.latency.count / r.seconds, p50: s.latency.p(50), p95: s.latency.p(95), p99: s.latency.p(99), max: s.latency.max() }]),
    ),
    errors: Object.fromEntries(r.errors),
  };
}
