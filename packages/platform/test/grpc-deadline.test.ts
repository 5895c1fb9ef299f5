import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, Status, type Server, type ServiceImplementation } from 'nice-grpc';
import { HealthDefinition } from 'nice-grpc-server-health';
import { createGrpcClient, openChannel, staticToken } from '@assent/platform';

/** A health server whose Check answers only when `release` is called, or never. */
describe('createGrpcClient deadlines', () => {
  let server: Server;
  let port = 0;
  const waiting: (() => void)[] = [];

  beforeAll(async () => {
    const impl: ServiceImplementation<HealthDefinition> = {
      check: () => new Promise((resolve) => waiting.push(() => resolve({ status: 1 }))),
      // eslint-disable-next-line require-yield -- never watched
      async *watch() {
        await Promise.resolve();
      },
    };
    server = createServer();
    server.add(HealthDefinition, impl);
    port = await server.listen('127.0.0.1:0');
  });
  afterAll(async () => {
    waiting.forEach((release) => release());
    await server.forceShutdown();
  });

  it('fails a call to a stuck peer with DEADLINE_EXCEEDED after deadlineMs', async () => {
    const channel = openChannel(`127.0.0.1:${port}`);
    const client = createGrpcClient(HealthDefinition, channel, staticToken('t'), { deadlineMs: 200 });
    const started = Date.now();
    await expect(client.check({ service: '' })).rejects.toMatchObject({ code: Status.DEADLINE_EXCEEDED });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    channel.close();
  });

  it('lets a call set its own deadline, and waits without one', async () => {
    const channel = openChannel(`127.0.0.1:${port}`);
    const client = createGrpcClient(HealthDefinition, channel, staticToken('t'), { deadlineMs: 50 });
    const answered = client.check({ service: '' }, { deadline: 5_000 });
    await new Promise((r) => setTimeout(r, 150));
    waiting.splice(0).forEach((release) => release());
    await expect(answered).resolves.toMatchObject({ status: 1 });
    const plain = createGrpcClient(HealthDefinition, channel, staticToken('t'));
    const late = plain.check({ service: '' });
    await new Promise((r) => setTimeout(r, 150));
    waiting.splice(0).forEach((release) => release());
    await expect(late).resolves.toMatchObject({ status: 1 });
    channel.close();
  });
});
