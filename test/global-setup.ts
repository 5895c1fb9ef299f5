/**
 * Integration tests' backing services: private NATS and Redis with authentication on
 * where their binaries are installed (or the ones the ASSENT_TEST_* variables name),
 * else the local ones, else containers where an engine exists. The URLs reach the
 * test workers through the environment.
 */
import { containerEngineAvailable, resolveBackingServices, startContainers, startPrivateServers, tcpReachable } from '@assent/testkit';

export default async function setup(): Promise<() => Promise<void>> {
  const services = await resolveBackingServices({
    env: process.env,
    reachable: tcpReachable,
    containerEngine: () => containerEngineAvailable(process.env),
    startContainers,
    startPrivate: startPrivateServers,
  });
  process.env['ASSENT_TEST_NATS_URL'] = services.natsUrl;
  process.env['ASSENT_TEST_REDIS_URL'] = services.redisUrl;
  if (services.source === 'containers') process.stdout.write(`integration tests: NATS ${services.natsUrl}, Redis ${services.redisUrl} (testcontainers)\n`);
  if (services.source === 'private') process.stdout.write('integration tests: private NATS and Redis with authentication on\n');
  return () => services.stop();
}
