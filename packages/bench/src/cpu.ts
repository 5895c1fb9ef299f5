import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** One process of the local platform, as `make up` lists it in .assent/pids.json. */
export interface PlatformProcess {
  name: string;
  pid: number;
}

export interface CpuRow {
  process: string;
  cpuSeconds: number;
  /** CPU milliseconds per operation (lifecycle or check). */
  msPerOp: number;
  /** Share of the platform's total, in percent. */
  percent: number;
}

export interface CpuReport {
  /** What one operation is ("lifecycle", "check"). */
  op: string;
  ops: number;
  rows: CpuRow[];
  totalSeconds: number;
  totalMsPerOp: number;
  /** The bench's own CPU (the load generator), not in the total. */
  clientSeconds: number;
}

/** The processes `make up` recorded that are still alive; empty when make up did not write the file. */
export function platformProcesses(file: string): PlatformProcess[] {
  if (!existsSync(file)) return [];
  const { processes } = JSON.parse(readFileSync(file, 'utf8')) as { processes: PlatformProcess[] };
  return processes.filter((p) => cpuTicks(p.pid) !== undefined);
}

let tick: number | undefined;
/** Clock ticks per second for /proc times (`getconf CLK_TCK`, 100 on Linux in practice). */
export function clockTick(): number {
  if (tick === undefined) {
    try {
      tick = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      tick = 100;
    }
  }
  return tick;
}

/** utime + stime of a process in clock ticks, from /proc/<pid>/stat; undefined when it is gone. */
function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)" start at field 3 (state); utime and stime are fields 14 and 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return undefined;
  }
}

export interface CpuSample {
  at: Map<number, number>;
  client: NodeJS.CpuUsage;
}

export function sampleCpu(processes: PlatformProcess[]): CpuSample {
  return { at: new Map(processes.map((p) => [p.pid, cpuTicks(p.pid) ?? 0])), client: process.cpuUsage() };
}

/** CPU each process spent between two samples, per operation, largest first. */
export function cpuReport(processes: PlatformProcess[], before: CpuSample, after: CpuSample, op: string, ops: number): CpuReport {
  const hz = clockTick();
  const spent = processes.map((p) => ({ process: p.name, cpuSeconds: ((after.at.get(p.pid) ?? 0) - (before.at.get(p.pid) ?? 0)) / hz }));
  const totalSeconds = spent.reduce((a, r) => a + r.cpuSeconds, 0);
  const perOp = (s: number) => (ops > 0 ? (s * 1000) / ops : 0);
  const rows = spent
    .map((r) => ({ ...r, msPerOp: perOp(r.cpuSeconds), percent: totalSeconds > 0 ? (100 * r.cpuSeconds) / totalSeconds : 0 }))
    .sort((a, b) => b.cpuSeconds - a.cpuSeconds);
  const client = after.client.user + after.client.system - (before.client.user + before.client.system);
  return { op, ops, rows, totalSeconds, totalMsPerOp: perOp(totalSeconds), clientSeconds: client / 1e6 };
}
