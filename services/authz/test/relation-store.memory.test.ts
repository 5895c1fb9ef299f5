import { MemoryRelationStore } from '../src/adapters/memory/relation-store.js';
import { relationStoreContract } from './contract/relation-store.contract.js';

let n = 0;
relationStoreContract('memory', async () => new MemoryRelationStore(), () => `tenant-${++n}`);
