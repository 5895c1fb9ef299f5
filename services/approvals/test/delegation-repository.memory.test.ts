import { MemoryDelegationRepository } from '../src/adapters/memory/delegation-repository.js';
import { delegationRepositoryContract } from './contract/delegation-repository.contract.js';

let n = 0;
delegationRepositoryContract('memory', async () => new MemoryDelegationRepository(), () => `tenant-${++n}`);
