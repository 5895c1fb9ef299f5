#!/usr/bin/env node
// An outside consumer of one tenant's Assent events, reading from the event gateway
// with the credentials `assentctl events credentials create` gave it:
//
//   node packages/cli/examples/event-consumer.mjs --url nats://127.0.0.1:4224 \
//     --creds siem.creds --consumer siem [--count 10]
//
// The credentials reach the tenant's stream through imports under the JetStream API
// prefix the credential came with (--api-prefix, default ASSENT.JS.API): set it as
// `apiPrefix` in any NATS client's JetStream options.
//
// It pulls from its durable consumer, prints each CloudEvent as one JSON line and
// acknowledges it after printing, so a restart continues after the last event it
// acknowledged. It exits after --count events, on Ctrl-C, or (status 2) when the
// gateway refuses or revokes its credentials.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { jetstream } from '@nats-io/jetstream';
import { connect, credsAuthenticator } from '@nats-io/transport-node';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    creds: { type: 'string' },
    consumer: { type: 'string' },
    stream: { type: 'string', default: 'EVENTS' },
    'api-prefix': { type: 'string', default: 'ASSENT.JS.API' },
    count: { type: 'string' },
  },
});
if (!values.url || !values.creds || !values.consumer) {
  process.stderr.write('usage: event-consumer.mjs --url <nats url> --creds <file> --consumer <name> [--stream EVENTS] [--api-prefix ASSENT.JS.API] [--count n]\n');
  process.exit(64);
}
const limit = values.count === undefined ? Infinity : Number(values.count);

let nc;
try {
  nc = await connect({ servers: values.url, authenticator: credsAuthenticator(readFileSync(values.creds)), name: `event-consumer-${values.consumer}` });
} catch (err) {
  process.stderr.write(`cannot connect: ${err.message}\n`);
  process.exit(2);
}
// The gateway closes the connection when the credentials are revoked.
let refused = false;
(async () => {
  for await (const s of nc.status()) {
    if (s.type === 'error' && /revoked|authorization/i.test(String(s.error?.message ?? s.error))) refused = true;
  }
})();
process.once('SIGINT', () => void nc.drain());

const consumer = await jetstream(nc, { apiPrefix: values['api-prefix'] }).consumers.get(values.stream, values.consumer);
const messages = await consumer.consume({ max_messages: 100 });
nc.closed().then(() => messages.stop());
let seen = 0;
for await (const m of messages) {
  process.stdout.write(`${JSON.stringify({ subject: m.subject, event: m.json() })}\n`);
  m.ack();
  if (++seen >= limit) break;
}
if (seen >= limit) {
  await nc.drain();
  process.exit(0);
}
const err = await nc.closed();
if (err || refused) {
  process.stderr.write(`connection closed: ${err?.message ?? 'credentials revoked'}\n`);
  process.exit(2);
}
