import { runService } from '@assent/platform';
import { loadConfig } from './config.js';
import { startApprovals } from './main.js';

await runService('approvals', loadConfig, startApprovals);
