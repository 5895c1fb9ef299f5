import type { AuditLog } from './ports.js';

/**
 * Wraps an audit log so that every successful append names its tenant to
 * `onAppend`: how the checkpoint schedule learns which heads moved without listing
 * or scanning tenants.
 */
export function watchAppends(log: AuditLog, onAppend: (tenant: string) => void): AuditLog {
  return {
    head: (tenant) => log.head(tenant),
    hasEvent: (tenant, eventId) => log.hasEvent(tenant, eventId),
    knownEvents: (tenant, eventIds) => log.knownEvents(tenant, eventIds),
    list: (tenant, after, limit, filters) => log.list(tenant, after, limit, filters),
    all: (tenant) => log.all(tenant),
    query: (tenant, query, position, limit) => log.query(tenant, query, position, limit),
    async append(records, expectedHeadSequence) {
      const result = await log.append(records, expectedHeadSequence);
      const tenant = records[0]?.tenant;
      if (!result.duplicate && tenant) onAppend(tenant);
      return result;
    },
  };
}
