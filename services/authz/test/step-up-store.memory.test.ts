import { MemoryStepUpStore } from '../src/adapters/memory/step-up-store.js';
import { stepUpStoreContract } from './contract/step-up-store.contract.js';

let n = 0;
const clock = { t: Date.parse('2030-01-01T00:00:00Z') };
stepUpStoreContract(
  'memory',
  async () => new MemoryStepUpStore(() => new Date(clock.t)),
  () => `tenant-${++n}`,
  async (ms) => {
    clock.t += ms;
  },
);
