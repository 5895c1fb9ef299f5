import type { Nats } from '@assent/platform';

/** What the platform's durable consumers still have to do: not yet delivered plus delivered and not acknowledged. */
export async function backlog(nats: Nats, streamPrefix: string): Promise<number> {
  let total = 0;
  for await (const s of nats.jsm.streams.list()) {
    if (!s.config.name.startsWith(streamPrefix)) continue;
    for await (const c of nats.jsm.consumers.list(s.config.name)) {
      // Durable consumers are the pipeline; ordered ones (watches, mirrors) just follow.
      if (c.config.durable_name) total += c.num_pending + c.num_ack_pending;
    }
  }
  return total;
}

/**
 * Waits until every durable consumer of the platform has caught up, polling every
 * `intervalMs`; resolves with the seconds it took (0 if nothing was left), or
 * rejects after `timeoutMs`. The lifecycle count is only sustainable if the
 * downstream work it caused (audit, webhooks, Slack) also finished: the bench
 * reports rates and CPU over the run plus this drain.
 */
export async function waitForDrain(nats: Nats, streamPrefix: string, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<number> {
  const started = Date.now();
  const timeoutMs = opts.timeoutMs ?? 300_000;
  for (;;) {
    const left = await backlog(nats, streamPrefix);
    if (left === 0) return (Date.now() - started) / 1000;
    if (Date.now() - started > timeoutMs) throw new Error(`the platform still had ${left} messages to process ${timeoutMs / 1000} s after the run`);
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 250));
  }
}
