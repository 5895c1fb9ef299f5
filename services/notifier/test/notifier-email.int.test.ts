import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kvm } from '@nats-io/kv';
import { createLogger } from '@assent/platform';
import { approvalsv1 } from '@assent/proto';
import { cleanupNats, cleanupRedis, commonTestEnv, registerTenants, startSmtpSink, startTestIssuer, uniqueRoot, type ReceivedMail, type SmtpSink, type TestIssuer } from '@assent/testkit';
import { KvEmailDirectory, emailDirectoryBucket, openEmailDirectoryBucket } from '../src/adapters/jetstream/email-directory.js';
import { loadConfig } from '../src/config.js';
import { startNotifier, type RunningNotifier } from '../src/main.js';
import { openEventBus } from './support/event-bus.js';
import { LINK_SECRET, linkIn } from './support/email-fixtures.js';
import { ulidLike } from './support/fixtures.js';

const root = uniqueRoot();
const portal = 'https://assent.example.test';
let issuer: TestIssuer;
let sink: SmtpSink;
let notifier: RunningNotifier;
let bus: Awaited<ReturnType<typeof openEventBus>>;
let directory: KvEmailDirectory;
const about = (requestId: string): ReceivedMail[] => sink.received.filter((m) => m.text.includes(requestId));

beforeAll(async () => {
  await registerTenants(root, ['acme']);
  [issuer, sink] = await Promise.all([startTestIssuer(), startSmtpSink()]);
  bus = await openEventBus(root);
  directory = await KvEmailDirectory.open(await openEmailDirectoryBucket(bus.nats.nc, root), createLogger('test', 'silent'));
  await directory.set('acme', 'bob', 'bob@acme.test');
  await directory.set('acme', 'carol', 'carol@acme.test');
  notifier = await startNotifier(
    loadConfig({
      ...commonTestEnv(root, issuer),
      NOTIFIER_GRPC_PORT: '0',
      NOTIFIER_HTTP_PORT: '0',
      NOTIFIER_PORTAL_BASE_URL: portal,
      NOTIFIER_SMTP_HOST: sink.host,
      NOTIFIER_SMTP_PORT: String(sink.port),
      NOTIFIER_EMAIL_FROM: 'Assent <assent@acme.test>',
      NOTIFIER_EMAIL_LINK_SECRET: LINK_SECRET,
    }),
  );
});

afterAll(async () => {
  await notifier?.stop();
  await directory?.stop();
  // KV streams are named KV_<bucket>, which cleanupNats(root) does not match.
  if (bus) await (await new Kvm(bus.nats.nc).open(emailDirectoryBucket(root))).destroy().catch(() => undefined);
  await bus?.close();
  await Promise.all([sink?.close(), issuer?.stop(), cleanupNats(root), cleanupRedis(root)]);
});

describe('notifier: approval events → email over SMTP', () => {
  const requestId = ulidLike();

  it('mails each approver a text and an HTML part with their own link, once even when the event comes again', async () => {
    const event = bus.requested(requestId, '');
    await bus.publish(event);
    await sink.waitFor(() => about(requestId).length === 2);
    await bus.consumed(await bus.republish(event));
    const mails = about(requestId);
    expect(mails.map((m) => m.envelope.to).sort()).toEqual([['bob@acme.test'], ['carol@acme.test']]);

    const bob = mails.find((m) => m.to.includes('bob@acme.test')) as ReceivedMail;
    expect(bob.from).toBe('assent@acme.test');
    expect(bob.subject).toBe('Approval needed: payouts.change_details on payout-account/42 for alice');
    expect(bob.raw).toMatch(/Content-Type: multipart\/alternative/i);
    expect(bob.raw).toMatch(/Content-Type: text\/plain/i);
    expect(bob.raw).toMatch(/Content-Type: text\/html/i);
    expect(bob.messageId).toMatch(/^<[0-9a-f]{32}@assent\.notifier>$/);
    const link = linkIn(bob.text);
    expect(link.startsWith(`${portal}/email/open?token=`)).toBe(true);
    expect(bob.html).toContain(`href="${link.replace(/&/g, '&amp;')}"`);
    expect(bob.text).toContain('Vendor moved banks <!channel>');
    expect(bob.html).toContain('Vendor moved banks &lt;!channel&gt;');
    for (const part of [bob.text, bob.html]) {
      expect(part).toContain('payout-details-change');
      expect(part).toContain(`${portal}/requests/acme/${requestId}`);
    }
    const carol = mails.find((m) => m.to.includes('carol@acme.test')) as ReceivedMail;
    expect(linkIn(carol.text)).not.toBe(link);
  });

  it('tells the approvers who did not act how it ended', async () => {
    const seq = (await bus.publish(bus.decided(requestId, approvalsv1.Outcome.OUTCOME_APPROVE, 'bob'))).seq;
    await sink.waitFor(() => about(requestId).length === 3);
    await bus.consumed(seq);
    const completion = about(requestId)[2] as ReceivedMail;
    expect(completion.envelope.to).toEqual(['carol@acme.test']);
    expect(completion.subject).toBe('Approved: payouts.change_details on payout-account/42 for alice');
    expect(completion.text).toContain('Approved by bob. Nothing more is needed from you');
    expect(about(requestId)).toHaveLength(3);
  });

  it('waits out an SMTP server that says "try again later": delayed, sent once each, nothing parked', async () => {
    const id = ulidLike();
    sink.refuseNext(1, 451);
    const seq = (await bus.publish(bus.requested(id, ''))).seq;
    await sink.waitFor(() => about(id).length === 2, 15_000);
    await bus.consumed(seq);
    expect(about(id).map((m) => m.envelope.to[0]).sort()).toEqual(['bob@acme.test', 'carol@acme.test']);
    expect(await bus.lastParked()).toBeUndefined();
  });

  it('waits out an SMTP server that is down, and sends when it is back', async () => {
    const port = sink.port;
    const before = sink.received;
    await sink.close();
    const id = ulidLike();
    const seq = (await bus.publish(bus.requested(id, ''))).seq;
    await new Promise((r) => setTimeout(r, 1_500));
    sink = await startSmtpSink({ port });
    await sink.waitFor(() => about(id).length === 2, 20_000);
    await bus.consumed(seq);
    expect(before.filter((m) => m.text.includes(id))).toEqual([]);
    expect(await bus.lastParked()).toBeUndefined();
  }, 30_000);
});
