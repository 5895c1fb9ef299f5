import { MemoryIdempotencyStore } from '../src/adapters/memory/others.js';
import { idempotencyStoreContract } from './contract/idempotency-store.contract.js';

let n = 0;
idempotencyStoreContract('memory', async () => new MemoryIdempotencyStore(), () => `tenant-${++n}`);
