import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { natsServers } from '@assent/platform';
import { cleanupNats, testEnv, uniqueRoot } from '@assent/testkit';
import { KvSlackUserDirectory, openSlackUserBucket } from '../src/adapters/jetstream/slack-user-directory.js';
import { MemorySlackUserDirectory } from '../src/adapters/memory/slack-interaction.js';
import type { SlackUserDirectory } from '../src/domain/slack/interaction-ports.js';

const root = uniqueRoot();
let nc: NatsConnection;
beforeAll(async () => {
  nc = await connect(natsServers(testEnv.natsUrl));
});
afterAll(async () => {
  await nc?.close();
  await cleanupNats(root);
});

function suite(name: string, make: () => Promise<SlackUserDirectory>) {
  describe(`${name} Slack user directory`, () => {
    it("maps a tenant's Slack users to its principals, and nobody from another workspace", async () => {
      const d = await make();
      await d.set('acme', 'T0ACME', 'U0BOB', 'bob');
      await d.set('acme', 'T0ACME', 'U0CAROL', 'okta:carol');
      expect(await d.principalOf('acme', 'T0ACME', 'U0BOB')).toBe('bob');
      expect(await d.principalOf('acme', 'T0OTHER', 'U0BOB')).toBeUndefined();
      expect(await d.principalOf('globex', 'T0ACME', 'U0BOB')).toBeUndefined();
      expect(await d.slackUserOf('acme', 'okta:carol')).toBe('U0CAROL');
      // Relinking a person moves them; removing forgets.
      await d.set('acme', 'T0ACME', 'U0BOB2', 'bob');
      expect(await d.principalOf('acme', 'T0ACME', 'U0BOB')).toBeUndefined();
      expect(await d.remove('acme', 'U0BOB2')).toBe(true);
      expect(await d.remove('acme', 'U0BOB2')).toBe(false);
      expect(await d.slackUserOf('acme', 'bob')).toBeUndefined();
    });
  });
}

suite('memory', async () => new MemorySlackUserDirectory());
suite('JetStream KV', async () => new KvSlackUserDirectory(await openSlackUserBucket(nc, root)));
