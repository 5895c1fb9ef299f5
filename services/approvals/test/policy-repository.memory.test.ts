import { MemoryPolicyRepository } from '../src/adapters/memory/policy-repository.js';
import { policyRepositoryContract } from './contract/policy-repository.contract.js';

let n = 0;
policyRepositoryContract(
  'memory',
  async () => {
    const repo = new MemoryPolicyRepository();
    // As the JetStream store: saving does not put a version in effect by itself.
    repo.onSaved = async () => undefined;
    return repo;
  },
  () => `tenant-${++n}`,
);
