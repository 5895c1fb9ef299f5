import { MemorySlackGateway } from '../src/adapters/memory/slack-gateway.js';
import { slackGatewayContract } from './contract/slack-gateway.contract.js';

slackGatewayContract('memory', async (channels) => {
  const gateway = new MemorySlackGateway(channels);
  return { gateway, messages: (channel) => gateway.messages(channel).map((m) => ({ ts: m.ts, text: m.text, blocks: m.blocks, threadTs: m.threadTs })) };
});
