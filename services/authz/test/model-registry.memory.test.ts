import { MemoryIdRegistry } from '../src/adapters/memory/id-registry.js';
import { modelRegistryContract } from './contract/model-registry.contract.js';

modelRegistryContract('memory', async () => {
  const shared = new MemoryIdRegistry();
  return [shared, shared];
});
