import { runService } from '@assent/platform';
import { loadConfig } from './config.js';
import { startAudit } from './main.js';

await runService('audit', loadConfig, startAudit);
