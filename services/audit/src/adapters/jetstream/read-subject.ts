import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import type { Nats } from '@assent/platform';

export interface StoredMessage {
  /** Stream sequence. */
  seq: number;
  data: Uint8Array;
}

const BATCH = 256;

/**
 * Reads the messages of one subject from stream sequence `fromSeq` on, in order, as
 * they were when the read started. Uses a short-lived ephemeral consumer (single
 * `filter_subject`: the server is 2.9, which has no `filter_subjects`), fetched in
 * batches so long chains stream rather than costing one request per record. The
 * consumer is deleted when the caller stops reading; inactive_threshold removes it
 * if this process dies first.
 */
export async function* readSubject(nats: Nats, stream: string, subject: string, fromSeq: number): AsyncGenerator<StoredMessage> {
  const info = await nats.jsm.consumers.add(stream, {
    filter_subject: subject,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: Math.max(1, fromSeq),
    ack_policy: AckPolicy.None,
    inactive_threshold: nanos(60_000),
    mem_storage: true,
    num_replicas: 1,
  });
  try {
    // The snapshot: messages appended after this point are not read.
    let remaining = info.num_pending;
    const consumer = nats.js.consumers.getConsumerFromInfo(info);
    while (remaining > 0) {
      const batch = await consumer.fetch({ max_messages: Math.min(BATCH, remaining), expires: 10_000 });
      let received = 0;
      for await (const msg of batch) {
        received++;
        remaining--;
        yield { seq: msg.seq, data: msg.data };
      }
      if (received === 0) throw new Error(`stream ${stream} stopped delivering ${subject} with ${remaining} messages pending`);
    }
  } finally {
    await nats.jsm.consumers.delete(stream, info.name).catch(() => undefined);
  }
}
