import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@assent/platform';
import { DeliveryRejectedError, DeliveryRetryableError } from '../src/domain/errors.js';
import { WebSlackGateway, createSlackClient } from '../src/adapters/slack/web-slack-gateway.js';
import { slackGatewayContract } from './contract/slack-gateway.contract.js';
import { startSlackServer, type SlackServer } from '@assent/testkit';

const servers: SlackServer[] = [];
const logger = createLogger('test', 'silent');
const gatewayFor = (server: SlackServer, token = server.token) => new WebSlackGateway(createSlackClient({ token, apiUrl: server.url, logger }));

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

slackGatewayContract('web api', async (channels) => {
  const server = await startSlackServer({ channels });
  servers.push(server);
  return {
    gateway: gatewayFor(server),
    messages: (channel) => (server.messages.get(channel) ?? []).map((m) => ({ ts: m.ts, text: m.text, blocks: m.blocks, threadTs: m.threadTs })),
  };
});

describe('WebSlackGateway against the local Slack server', () => {
  it('sends the bot token and maps auth failures to rejections', async () => {
    const server = await startSlackServer({ channels: ['approvals'] });
    servers.push(server);
    expect(await gatewayFor(server).identity()).toEqual({ team: 'Assent Test', user: 'assent' });
    await expect(gatewayFor(server, 'xoxb-wrong').postMessage({ channel: 'approvals', text: 'x' })).rejects.toSatisfy(
      (err: unknown) => err instanceof DeliveryRejectedError && err.code === 'invalid_auth',
    );
  });

  it('gives back a rate-limited call at once, with Retry-After, without retrying it itself', async () => {
    const server = await startSlackServer({ channels: ['approvals'] });
    servers.push(server);
    server.rateLimitNext(1);
    const started = Date.now();
    const err = await gatewayFor(server).postMessage({ channel: 'approvals', text: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryRetryableError);
    expect(err).toMatchObject({ code: 'ratelimited', retryAfterMs: 1000 });
    expect(Date.now() - started).toBeLessThan(900);
    expect(server.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
    expect(server.messages.size).toBe(0);
  });

  it('treats an unreachable Slack as retryable', async () => {
    const server = await startSlackServer();
    await server.close();
    const err = await gatewayFor(server).postMessage({ channel: 'approvals', text: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryRetryableError);
    expect(err).toMatchObject({ code: 'request_failed' });
  });
});
