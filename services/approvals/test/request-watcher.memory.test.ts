import { MemoryRequestRepository } from '../src/adapters/memory/request-repository.js';
import { MemoryRequestWatcher } from '../src/adapters/memory/request-watcher.js';
import { requestWatcherContract } from './contract/request-watcher.contract.js';

let n = 0;
requestWatcherContract(
  'memory',
  async () => {
    const requests = new MemoryRequestRepository();
    return { requests, watcher: new MemoryRequestWatcher(requests) };
  },
  () => `tenant-${++n}`,
);
