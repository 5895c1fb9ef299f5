/**
 * Printing for the local sinks (Slack server, webhook receiver): every call while it
 * is quiet, as the demo wants; once calls arrive faster than `burst` per second (a
 * bench), one summary line per second with counts per kind instead, since a line per
 * call at hundreds per second is itself a cost. Calls are printed again after a
 * quiet second.
 */
export interface SinkLog {
  (line: string, kind: string): void;
  stop(): void;
}

export function sinkLog(prefix: string, print: (line: string) => void, burst = 10): SinkLog {
  let inWindow = 0;
  let quiet = false;
  const kinds = new Map<string, number>();
  const flush = () => {
    if (quiet && kinds.size > 0) {
      const total = [...kinds.values()].reduce((a, b) => a + b, 0);
      const parts = [...kinds.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`);
      print(`${prefix} ${total} calls in the last second: ${parts.join(', ')}`);
    }
    if (inWindow <= burst && quiet) {
      quiet = false;
      print(`${prefix} quiet again: printing every call`);
    }
    kinds.clear();
    inWindow = 0;
  };
  const timer = setInterval(flush, 1000);
  timer.unref();
  const log = ((line: string, kind: string) => {
    inWindow++;
    if (!quiet && inWindow > burst) {
      quiet = true;
      print(`${prefix} more than ${burst} calls per second: printing a summary each second`);
    }
    if (quiet) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    else print(`${prefix} ${line}`);
  }) as SinkLog;
  log.stop = () => {
    clearInterval(timer);
    flush();
  };
  return log;
}
