export { testEnv, uniqueRoot } from './env.js';
export { openFgaBinary, startOpenFga } from './openfga.js';
export type { RunningOpenFga } from './openfga.js';
export { cleanupNats, cleanupRedis } from './cleanup.js';
export { commonTestEnv, startTestIssuer } from './issuer.js';
export type { TestIssuer } from './issuer.js';
