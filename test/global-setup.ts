/**
 * Integration tests' backing services: the local NATS and Redis (or the ones the
 * ASSENT_TEST_* variables name), else containers where an engine exists. The URLs
 * reach the test workers through the environment.
 */
import { containerEngineAvailable, resolveBackingServices, startContainers, tcpReachable } from '@assent/testkit';

export default async function setup(): Promise<() => Promise<void>> {
  const services = await resolveBackingServices({
    env: process.env,
    reachable: tcpReachable,
    containerEngine: () => containerEngineAvailable(process.env),
    startContainers,
  });
  process.env['ASSENT_TEST_NATS_URL'] = services.natsUrl;
  process.env['ASSENT_TEST_REDIS_URL'] = services.redisUrl;
  if (services.source === 'containers') process.stdout.write(`integration tests: NATS ${services.natsUrl}, Redis ${services.redisUrl} (testcontainers)\n`);
  return () => services.stop();
}
