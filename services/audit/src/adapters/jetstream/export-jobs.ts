import { ConflictError, KvMirror, openKvBucket, streamReplicas, type Logger, type Nats, type Names } from '@assent/platform';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { KV } from '@nats-io/kv';
import type { ExportJob, Versioned } from '../../domain/export/export-job.js';
import type { ExportJobs } from '../../domain/export/export-ports.js';
import { decodeExportJob, encodeExportJob } from './export-job-codec.js';

/** Jobs (and their files) are kept this long after their last change. */
export const EXPORT_TTL_MS = 7 * 24 * 3_600_000;

export const exportJobsBucket = (n: Names): string => `${n.upper}_audit_exports`;

const lostRace = (err: unknown) =>
  err instanceof JetStreamApiError && (err.code === JetStreamApiCodes.StreamWrongLastSequence || err.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);

/**
 * Export jobs in the <ROOT>_audit_exports KV bucket, one key per job id, expiring
 * seven days after their last write. Writes are compare-and-set on the key's
 * revision (kv.create / kv.update), so one replica runs a job. Reads (GetExport,
 * ListExports, the workers' look for work) come from a watch-fed mirror, which a
 * write waits for, so a replica reads its own writes and no request lists keys; an id
 * the mirror has not seen yet (created on another replica just now) is read once.
 */
export class JetStreamExportJobs implements ExportJobs {
  private constructor(
    private readonly kv: KV,
    private readonly mirror: KvMirror<Versioned<ExportJob>>,
  ) {}

  static async open(nats: Nats, n: Names, logger: Logger): Promise<JetStreamExportJobs> {
    const kv = await openKvBucket(nats.nc, exportJobsBucket(n), { history: 1, ttl: EXPORT_TTL_MS, replicas: streamReplicas() });
    return new JetStreamExportJobs(kv, await KvMirror.start(kv, (e) => ({ value: decodeExportJob(e.string()), revision: e.revision }), logger));
  }

  /** Whether the mirror follows the bucket (part of /readyz). */
  live(): boolean {
    return this.mirror.live();
  }

  async create(job: ExportJob): Promise<number> {
    const revision = await this.kv.create(job.id, encodeExportJob(job));
    await this.mirror.waitFor(revision);
    return revision;
  }

  async get(id: string): Promise<Versioned<ExportJob> | undefined> {
    const mirrored = this.mirror.get(id);
    if (mirrored) return mirrored;
    // Created a moment ago on another replica, not yet seen by this one's watch: one read.
    const e = await this.kv.get(id);
    return e && e.operation === 'PUT' ? { value: decodeExportJob(e.string()), revision: e.revision } : undefined;
  }

  async list(tenant: string): Promise<ExportJob[]> {
    return this.mirror
      .withPrefix('')
      .map((j) => j.value)
      .filter((j) => j.tenant === tenant)
      .reverse();
  }

  async update(job: ExportJob, revision: number): Promise<number> {
    let next: number;
    try {
      next = await this.kv.update(job.id, encodeExportJob(job), revision);
    } catch (err) {
      if (lostRace(err)) throw new ConflictError(`export "${job.id}" changed since revision ${revision}`);
      throw err;
    }
    await this.mirror.waitFor(next);
    return next;
  }

  async claimable(staleBefore: Date): Promise<Versioned<ExportJob>[]> {
    return this.mirror.withPrefix('').filter(({ value: j }) => j.state === 'PENDING' || (j.state === 'RUNNING' && (j.heartbeatAt ?? j.updatedAt) < staleBefore));
  }

  async stop(): Promise<void> {
    await this.mirror.stop();
  }
}
