import type { CpuReport } from './cpu.js';
import type { Latency } from './histogram.js';

export interface StepResult {
  step: string;
  latency: Latency;
}

/** Open-loop (`--rate`) figures: lifecycles are started on a schedule, whatever the latency. */
export interface PacedResult {
  /** Target starts per second. */
  target: number;
  started: number;
  /** Scheduled starts not made because `--concurrency` lifecycles were already in flight. */
  skipped: number;
}

export interface BenchReport {
  concurrency: number;
  seconds: number;
  steps: StepResult[];
  lifecycles: number;
  errors: Map<string, number>;
  paced?: PacedResult;
  cpu?: CpuReport;
  /** Seconds the platform's consumers needed after the run to finish the work it caused (audit, webhooks, Slack). */
  drainSeconds?: number;
}

const f = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const f2 = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

/** Right-aligned columns, the first left-aligned. */
export function formatTable(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return rows.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  '));
}

export const latencyHeader = ['step', 'count', 'per s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'];

/** One row per step: count, rate over `seconds`, p50/p95/p99/max in ms (HdrHistogram). */
export function latencyRows(steps: StepResult[], seconds: number): string[][] {
  const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(1) : n.toFixed(2));
  return steps.map((s) => [s.step, String(s.latency.count), f(s.latency.count / seconds), ms(s.latency.p(50)), ms(s.latency.p(95)), ms(s.latency.p(99)), ms(s.latency.max())]);
}

export function latencyTable(steps: StepResult[], seconds: number): string[] {
  return formatTable([latencyHeader, ...latencyRows(steps, seconds)]);
}

/** Per process: CPU seconds during the run, CPU ms per operation, share of the total. */
export function formatCpu(c: CpuReport): string {
  // Sub-millisecond costs (a cached Check) read better in microseconds.
  const micro = c.totalMsPerOp > 0 && c.totalMsPerOp < 1;
  const unit = `${micro ? 'µs' : 'ms'} CPU/${c.op}`;
  const per = (ms: number) => f2(micro ? ms * 1000 : ms);
  return [
    `CPU per process (${c.ops} ${c.op}s; /proc utime+stime):`,
    ...formatTable([
      ['process', 'CPU s', unit, '% of total'],
      ...c.rows.map((r) => [r.process, r.cpuSeconds.toFixed(2), per(r.msPerOp), r.percent.toFixed(1)]),
      ['total', c.totalSeconds.toFixed(2), per(c.totalMsPerOp), c.rows.length ? '100.0' : '-'],
    ]).map((l) => `  ${l}`),
    `  (bench client itself: ${c.clientSeconds.toFixed(2)} CPU s, not in the total)`,
  ].join('\n');
}

/** Human report: the percentile table, throughput, errors, and the CPU table when measured. */
export function formatReport(r: BenchReport): string {
  const errors = [...r.errors.entries()].map(([k, v]) => `${k}=${v}`).join(', ') || 'none';
  const paced = r.paced
    ? [
        `paced: target ${f(r.paced.target)}/s, started ${f(r.paced.started / r.seconds)}/s (${r.paced.started})` +
          `${r.paced.skipped ? `, ${r.paced.skipped} skipped at the in-flight cap of ${r.concurrency}` : ''}; latencies of ${r.steps.at(-1)?.step ?? 'the lifecycle'} count from the scheduled start`,
      ]
    : [];
  return [
    r.paced ? `open loop at ${f(r.paced.target)} lifecycles/s (at most ${r.concurrency} in flight), ${r.seconds.toFixed(1)} s` : `concurrency ${r.concurrency}, ${r.seconds.toFixed(1)} s`,
    ...latencyTable(r.steps, r.seconds),
    `lifecycles/s: ${f(r.lifecycles / r.seconds)} (${r.steps.at(-1)?.step ?? 'lifecycle'}, ${r.lifecycles} completed)`,
    ...(r.drainSeconds !== undefined
      ? [`sustained: ${f(r.lifecycles / (r.seconds + r.drainSeconds))} lifecycles/s counting the ${r.drainSeconds.toFixed(1)} s the platform needed afterwards to finish every event (audit, webhooks, Slack); CPU below covers both`]
      : []),
    ...paced,
    `errors: ${errors}`,
    ...(r.cpu ? [formatCpu(r.cpu)] : []),
  ].join('\n');
}

export function stepsJson(steps: StepResult[], seconds: number): Record<string, unknown> {
  return Object.fromEntries(
    steps.map((s) => [s.step, { count: s.latency.count, perSecond: s.latency.count / seconds, p50: s.latency.p(50), p95: s.latency.p(95), p99: s.latency.p(99), max: s.latency.max() }]),
  );
}

export function reportJson(r: BenchReport): Record<string, unknown> {
  return {
    concurrency: r.concurrency,
    seconds: r.seconds,
    lifecyclesPerSecond: r.lifecycles / r.seconds,
    ...(r.drainSeconds !== undefined ? { drainSeconds: r.drainSeconds, sustainedPerSecond: r.lifecycles / (r.seconds + r.drainSeconds) } : {}),
    steps: stepsJson(r.steps, r.seconds),
    errors: Object.fromEntries(r.errors),
    ...(r.paced ? { paced: { ...r.paced, startedPerSecond: r.paced.started / r.seconds } } : {}),
    ...(r.cpu ? { cpu: r.cpu } : {}),
  };
}
