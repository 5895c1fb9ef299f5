import { randomBytes } from 'node:crypto';

/** Where tests find NATS and Redis: env overrides, else the local defaults. */
export const testEnv = {
  natsUrl: process.env['ASSENT_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222',
  redisUrl: process.env['ASSENT_TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  openFgaBin: process.env['ASSENT_TEST_OPENFGA_BIN'],
};

/** A unique subject root / stream prefix / Redis key prefix for one test. */
export function uniqueRoot(): string {
  return `t${randomBytes(5).toString('hex')}`;
}
