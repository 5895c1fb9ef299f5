import nodemailer, { type Transporter } from 'nodemailer';
import type { Mailer, OutgoingEmail } from '../../domain/ports.js';
import { classifySmtpError } from './classify-smtp-error.js';

export interface SmtpOptions {
  host: string;
  port: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  user: string | undefined;
  pass: string | undefined;
  /** The From header, e.g. `Assent <assent@example.com>`. */
  from: string;
}

/** A slow server fails the send within these bounds, so the consumer retries instead of waiting forever. */
const TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/**
 * SMTP through nodemailer, with a small connection pool. nodemailer does not retry;
 * the JetStream consumer owns retries (backoff, parking), as for Slack.
 */
export class SmtpMailer implements Mailer {
  private readonly transport: Transporter;

  constructor(private readonly opts: SmtpOptions) {
    this.transport = nodemailer.createTransport({
      host: opts.host,
      port: opts.port,
      secure: opts.secure,
      ...(opts.user ? { auth: { user: opts.user, pass: opts.pass ?? '' } } : {}),
      pool: true,
      maxConnections: 4,
      ...TIMEOUTS,
    });
  }

  async send(m: OutgoingEmail): Promise<{ messageId: string }> {
    try {
      const info = await this.transport.sendMail({ from: this.opts.from, to: m.to, subject: m.subject, text: m.text, html: m.html, messageId: m.messageId });
      return { messageId: String(info.messageId ?? m.messageId) };
    } catch (err) {
      throw classifySmtpError(err);
    }
  }

  /** Whether the server answers and takes the login; used at boot to say whether email works. */
  async verify(): Promise<void> {
    try {
      await this.transport.verify();
    } catch (err) {
      throw classifySmtpError(err);
    }
  }

  close(): void {
    this.transport.close();
  }
}
