import { MemoryAuditLog } from '../src/adapters/memory/audit-log.js';
import { auditLogContract } from './contract/audit-log.contract.js';

let n = 0;
auditLogContract('memory', async () => new MemoryAuditLog(), () => `tenant-${++n}`);
