/**
 * Starts `run(scheduledNs)` `rate` times per second for `seconds`, on a fixed schedule
 * whatever the latency (open loop: a slow platform does not slow the arrivals, so the
 * latency seen is what callers at that rate would see). At most `maxInFlight` runs are
 * in flight; a start due while at the cap is skipped and counted. Resolves when every
 * started run has finished.
 */
export async function openLoop(
  opts: { rate: number; seconds: number; maxInFlight: number },
  run: (scheduledNs: bigint) => Promise<void>,
): Promise<{ started: number; skipped: number }> {
  const intervalNs = BigInt(Math.round(1e9 / opts.rate));
  const startNs = process.hrtime.bigint();
  const total = Math.floor(opts.rate * opts.seconds);
  const running = new Set<Promise<void>>();
  let k = 0;
  let started = 0;
  let skipped = 0;
  while (k < total) {
    const now = process.hrtime.bigint();
    // Start everything due by now (timers fire late; catching up keeps the rate).
    for (let due = startNs + BigInt(k) * intervalNs; k < total && due <= now; due = startNs + BigInt(k) * intervalNs) {
      k++;
      if (running.size >= opts.maxInFlight) {
        skipped++;
        continue;
      }
      started++;
      const p = run(due).finally(() => running.delete(p));
      running.add(p);
    }
    const nextNs = startNs + BigInt(k) * intervalNs - process.hrtime.bigint();
    if (k < total) await new Promise((r) => setTimeout(r, Math.max(0, Math.min(50, Number(nextNs / 1_000_000n)))));
  }
  await Promise.all(running);
  return { started, skipped };
}
