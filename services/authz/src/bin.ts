import { runService } from '@assent/platform';
import { loadConfig } from './config.js';
import { startAuthz } from './main.js';

await runService('authz', loadConfig, startAuthz);
