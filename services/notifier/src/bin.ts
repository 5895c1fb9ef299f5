import { runService } from '@assent/platform';
import { loadConfig } from './config.js';
import { startNotifier } from './main.js';

await runService('notifier', loadConfig, startNotifier);
