import type { Mailer, OutgoingEmail } from '../../domain/ports.js';

/** In-memory twin of the SMTP mailer: keeps what was sent; `failNext` injects the errors the real one classifies. */
export class MemoryMailer implements Mailer {
  readonly sent: OutgoingEmail[] = [];
  private failures: Error[] = [];

  failNext(...errors: Error[]): void {
    this.failures.push(...errors);
  }

  async send(m: OutgoingEmail): Promise<{ messageId: string }> {
    const err = this.failures.shift();
    if (err) throw err;
    this.sent.push({ ...m });
    return { messageId: m.messageId };
  }
}
