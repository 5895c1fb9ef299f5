import { MemoryAttemptLog } from '../src/adapters/memory/attempt-log.js';
import { MemoryEndpointRepository } from '../src/adapters/memory/endpoint-repository.js';
import { MemoryHostResolver } from '../src/adapters/memory/host-resolver.js';
import { MemoryTaskQueue } from '../src/adapters/memory/task-queue.js';
import { ScriptedWebhookSender } from '../src/adapters/memory/webhook-sender.js';
import { attemptLogContract } from './contract/attempt-log.contract.js';
import { endpointRepositoryContract } from './contract/endpoint-repository.contract.js';
import { hostResolverContract } from './contract/host-resolver.contract.js';
import { taskQueueContract } from './contract/task-queue.contract.js';
import { webhookSenderContract } from './contract/webhook-sender.contract.js';

let n = 0;
const tenantOf = () => `tenant-${++n}`;

endpointRepositoryContract('memory', async () => new MemoryEndpointRepository(), tenantOf);
attemptLogContract('memory', async () => new MemoryAttemptLog(), tenantOf);
taskQueueContract('memory', async () => {
  const queue = new MemoryTaskQueue();
  return { queue, queued: async () => queue.tasks };
});
hostResolverContract('memory', async () => new MemoryHostResolver());
webhookSenderContract('scripted', async () => {
  const sender = new ScriptedWebhookSender();
  return {
    sender,
    async target(b) {
      const url = `https://target-${++n}.example.com/in`;
      if ('status' in b) sender.reply(b);
      else sender.reply({ error: 'hang' in b ? 'no response within 200 ms' : 'ECONNREFUSED', timedOut: 'hang' in b });
      return { url, received: () => sender.requests.filter((r) => r.url === url) };
    },
  };
});
