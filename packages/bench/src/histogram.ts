import * as hdr from 'hdr-histogram-js';

/** Latency recorder in microseconds (HdrHistogram: accurate percentiles at any rate). */
export class Latency {
  private readonly h = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });
  count = 0;

  record(startNs: bigint): void {
    const us = Number((process.hrtime.bigint() - startNs) / 1000n);
    this.h.recordValue(Math.max(1, us));
    this.count++;
  }

  /** Records a duration measured elsewhere (e.g. between two timestamps). */
  recordMs(ms: number): void {
    this.h.recordValue(Math.max(1, Math.round(ms * 1000)));
    this.count++;
  }

  /** Milliseconds at the given percentile. */
  p(percentile: number): number {
    return this.h.getValueAtPercentile(percentile) / 1000;
  }

  max(): number {
    return this.h.maxValue / 1000;
  }
}
