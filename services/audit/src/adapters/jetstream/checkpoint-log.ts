import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import { ConflictError, type Nats, type Names } from '@assent/platform';
import type { Checkpoint } from '../../domain/checkpoint.js';
import type { CheckpointLog } from '../../domain/ports.js';
import { auditStreamName } from './audit-stream.js';
import { decodeCheckpoint, encodeCheckpoint } from './checkpoint-codec.js';
import { checkpointSubject, ensureCheckpointStream } from './checkpoint-stream.js';
import { readSubject } from './read-subject.js';

/**
 * Each tenant's checkpoints are the subject <root>.auditcp.<tenant> of the
 * <ROOT>_AUDIT_CHECKPOINTS stream, one message each. An append is a compare-and-set
 * on the subject's last stream sequence (Nats-Expected-Last-Subject-Sequence), so
 * two replicas never both append a checkpoint at the same index. Checkpoints are
 * rare (at most one per tenant per interval), so an append reads the newest one
 * from the stream rather than caching it: two round trips.
 */
export class JetStreamCheckpointLog implements CheckpointLog {
  private constructor(
    private readonly nats: Nats,
    private readonly n: Names,
    readonly stream: string,
  ) {}

  static async open(nats: Nats, n: Names): Promise<JetStreamCheckpointLog> {
    return new JetStreamCheckpointLog(nats, n, await ensureCheckpointStream(nats, n));
  }

  private async newest(tenant: string): Promise<{ checkpoint: Checkpoint; streamSeq: number } | undefined> {
    const msg = await this.nats.jsm.streams.getMessage(this.stream, { last_by_subj: checkpointSubject(this.n, tenant) });
    return msg ? { checkpoint: decodeCheckpoint(msg.data, tenant), streamSeq: msg.seq } : undefined;
  }

  async last(tenant: string): Promise<Checkpoint | undefined> {
    return (await this.newest(tenant))?.checkpoint;
  }

  async append(checkpoint: Checkpoint): Promise<void> {
    const { tenant, index } = checkpoint;
    const newest = await this.newest(tenant);
    const at = newest?.checkpoint.index ?? 0;
    if (at !== index - 1) throw new ConflictError(`checkpoints of "${tenant}" are at ${at}, not ${index - 1}`);
    try {
      const ack = await this.nats.js.publish(checkpointSubject(this.n, tenant), encodeCheckpoint(checkpoint), {
        msgID: `${tenant}:checkpoint:${index}`,
        expect: { lastSubjectSequence: newest?.streamSeq ?? 0 },
      });
      // Within the dedupe window, another replica's checkpoint at this index is already stored.
      if (ack.duplicate) throw new ConflictError(`checkpoint ${index} of "${tenant}" was appended by another writer`);
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamWrongLastSequence) {
        throw new ConflictError(`checkpoints of "${tenant}" moved past ${index - 1}`);
      }
      throw err;
    }
  }

  async *all(tenant: string): AsyncIterable<Checkpoint> {
    for await (const msg of readSubject(this.nats, this.stream, checkpointSubject(this.n, tenant), 1)) {
      yield decodeCheckpoint(msg.data, tenant);
    }
  }

  /** Tenants with an audit chain (one stream info call): what the schedule checks once at start. */
  static async chainTenants(nats: Nats, n: Names): Promise<string[]> {
    const prefix = `${n.root}.audit.`;
    const info = await nats.jsm.streams.info(auditStreamName(n), { subjects_filter: `${prefix}*` });
    return Object.keys(info.state.subjects ?? {}).map((s) => s.slice(prefix.length));
  }
}
