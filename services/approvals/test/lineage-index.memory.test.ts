import { MemoryLineageIndex } from '../src/adapters/memory/lineage-index.js';
import { lineageIndexContract } from './contract/lineage-index.contract.js';

let n = 0;
lineageIndexContract('memory', async () => new MemoryLineageIndex(), () => `tenant-${++n}`);
