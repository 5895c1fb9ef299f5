import { MemoryIdRegistry } from '../src/adapters/memory/id-registry.js';
import { idRegistryContract } from './contract/id-registry.contract.js';

idRegistryContract('memory', async () => {
  const shared = new MemoryIdRegistry();
  return [shared, shared, shared];
});
