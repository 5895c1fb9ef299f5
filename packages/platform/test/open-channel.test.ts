import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, createServer, type Server, type ServiceImplementation } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { openChannel } from '../src/grpc/client.js';

/** Two health servers on free ports that count the calls each one answers. */
describe('openChannel', () => {
  const servers: Server[] = [];
  const ports: number[] = [];
  const answered = [0, 0];

  beforeAll(async () => {
    for (const i of [0, 1]) {
      const impl: ServiceImplementation<HealthDefinition> = {
        check() {
          answered[i] = (answered[i] ?? 0) + 1;
          return Promise.resolve({ status: 1 });
        },
        // eslint-disable-next-line require-yield -- the test never watches
        async *watch() {
          await Promise.resolve();
        },
      };
      const server = createServer();
      server.add(HealthDefinition, impl);
      ports.push(await server.listen('127.0.0.1:0'));
      servers.push(server);
    }
  });
  afterAll(async () => {
    for (const s of servers) await s.shutdown();
  });

  const callTimes = async (target: string, n: number) => {
    answered.fill(0);
    const channel = openChannel(target);
    const client = createClient(HealthDefinition, channel);
    for (let i = 0; i < n; i++) await client.check({ service: '' });
    channel.close();
    return [...answered];
  };

  it('keeps a single host:port on one connection', async () => {
    expect(await callTimes(`127.0.0.1:${ports[0]}`, 4)).toEqual([4, 0]);
  });

  it('round-robins over an ipv4: replica list', async () => {
    // The first calls may go to whichever replica connected first; then calls alternate.
    const [a = 0, b = 0] = await callTimes(`ipv4:127.0.0.1:${ports[0]},127.0.0.1:${ports[1]}`, 20);
    expect(a + b).toBe(20);
    expect(Math.min(a, b)).toBeGreaterThanOrEqual(7);
  });

  it('reads a bare comma-separated list as ipv4:', async () => {
    const [a = 0, b = 0] = await callTimes(`127.0.0.1:${ports[0]},127.0.0.1:${ports[1]}`, 20);
    expect(Math.min(a, b)).toBeGreaterThanOrEqual(7);
  });
});
