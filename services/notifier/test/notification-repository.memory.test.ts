import { MemoryNotificationRepository } from '../src/adapters/memory/notification-repository.js';
import { notificationRepositoryContract } from './contract/notification-repository.contract.js';

let n = 0;
notificationRepositoryContract('memory', async () => new MemoryNotificationRepository(), () => `tenant-${++n}`);
