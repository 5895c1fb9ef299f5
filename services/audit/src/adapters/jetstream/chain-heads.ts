import type { Nats, Names } from '@assent/platform';
import type { ChainHeads } from '../../domain/ports.js';
import type { AuditRecord } from '../../domain/types.js';
import { auditStreamName, auditSubject } from './audit-stream.js';
import { decodeOrStandIn } from './record-codec.js';

/**
 * Reads a tenant's head straight from <ROOT>_AUDIT (the last message on its subject,
 * one request). The audit log keeps heads in memory for its own appends, which a
 * replica that is not the active consumer never makes; a checkpoint must sign what is
 * stored, so it reads here instead.
 */
export class JetStreamChainHeads implements ChainHeads {
  constructor(
    private readonly nats: Nats,
    private readonly n: Names,
  ) {}

  async current(tenant: string): Promise<AuditRecord | undefined> {
    const msg = await this.nats.jsm.streams.getMessage(auditStreamName(this.n), { last_by_subj: auditSubject(this.n, tenant) });
    return msg ? decodeOrStandIn(msg.data, tenant).at(-1) : undefined;
  }
}
