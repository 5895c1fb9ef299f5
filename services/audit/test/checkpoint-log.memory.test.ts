import { MemoryCheckpointLog } from '../src/adapters/memory/checkpoint-log.js';
import { checkpointLogContract } from './contract/checkpoint-log.contract.js';

let n = 0;
checkpointLogContract('memory', async () => new MemoryCheckpointLog(), () => `tenant-${++n}`);
