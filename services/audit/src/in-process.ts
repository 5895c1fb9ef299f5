// What a program in the same process (the audit query benchmark) may drive directly:
// the JetStream audit log and its Redis indexes, without gRPC in front.
export { BLOCK, JetStreamAuditLog } from './adapters/jetstream/audit-log.js';
export { RedisEventIndex } from './adapters/redis/event-index.js';
export type { AuditRecord, CanonicalFields, RecordQuery } from './domain/types.js';
