import { MemoryRequestRepository } from '../src/adapters/memory/request-repository.js';
import { requestRepositoryContract } from './contract/request-repository.contract.js';

let n = 0;
requestRepositoryContract('memory', async () => new MemoryRequestRepository(), () => `tenant-${++n}`);
