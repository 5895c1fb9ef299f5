import { MemoryInboxIndex } from '../src/adapters/memory/inbox-index.js';
import { inboxIndexContract } from './contract/inbox-index.contract.js';

let n = 0;
inboxIndexContract('memory', async () => new MemoryInboxIndex(), () => `tenant-${++n}`);
