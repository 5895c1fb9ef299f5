import { runService } from '@assent/platform';
import { loadConfig } from './config.js';
import { startDelivery } from './main.js';

await runService('delivery', loadConfig, startDelivery);
