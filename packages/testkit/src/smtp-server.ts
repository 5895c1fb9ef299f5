import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/** One message the sink accepted, parsed from its MIME source. */
export interface ReceivedMail {
  /** Envelope (MAIL FROM / RCPT TO), as the client sent it. */
  envelope: { from: string; to: string[] };
  from: string;
  to: string[];
  subject: string;
  messageId: string;
  /** The text/plain part; empty when there is none. */
  text: string;
  /** The text/html part; empty when there is none. */
  html: string;
  /** The raw message as received. */
  raw: string;
}

export interface SmtpSink {
  host: string;
  port: number;
  received: ReceivedMail[];
  /** The next `n` messages are refused with this SMTP reply (e.g. 451 = try again later, 550 = never). */
  refuseNext(n: number, code: number, message?: string): void;
  waitFor(predicate: (sink: SmtpSink) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

const addresses = (a: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => v.address ?? '')).filter(Boolean);

/**
 * A local SMTP server (the `smtp-server` package: the real protocol, for the real
 * nodemailer client) that keeps every message it accepts, parsed. Plain SMTP, no
 * STARTTLS, any login accepted: it is a sink for tests and `make up`, never a relay.
 */
export async function startSmtpSink(
  opts: {
    /** Defaults to 0 (a free port); `make up` pins one. */
    port?: number;
    /** Called with each accepted message (the local demo prints it). */
    onMessage?: (mail: ReceivedMail) => void;
  } = {},
): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  let refusals: { left: number; code: number; message: string } | undefined;
  const options: SMTPServerOptions = {
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    onAuth: (_auth, _session, cb) => cb(null, { user: 'sink' }),
    logger: false,
    size: 10 * 1024 * 1024,
    // Close drops open connections at once (an outage), instead of waiting 30 s for clients to leave.
    closeTimeout: 50,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (refusals && refusals.left > 0) {
          refusals.left--;
          const err = Object.assign(new Error(refusals.message), { responseCode: refusals.code });
          return cb(err);
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (m) => {
            const mail: ReceivedMail = {
              envelope: {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to: session.envelope.rcptTo.map((r) => r.address),
              },
              from: addresses(m.from)[0] ?? '',
              to: addresses(m.to),
              subject: m.subject ?? '',
              messageId: m.messageId ?? '',
              text: m.text ?? '',
              html: typeof m.html === 'string' ? m.html : '',
              raw,
            };
            received.push(mail);
            opts.onMessage?.(mail);
            cb();
          },
          (err: Error) => cb(err),
        );
      });
    },
  };
  const server = new SMTPServer(options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  // Errors on client sockets (a client that hangs up) must not crash the process.
  server.on('error', () => undefined);
  const { port } = server.server.address() as AddressInfo;
  const sink: SmtpSink = {
    host: '127.0.0.1',
    port,
    received,
    refuseNext(n, code, message = code >= 500 ? 'Mailbox unavailable' : 'Try again later') {
      refusals = { left: n, code, message };
    },
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(sink)) {
        if (Date.now() > deadline) throw new Error(`SMTP sink: condition not met in ${timeoutMs} ms (${received.length} messages received)`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return sink;
}
