import { MemoryEmailDirectory } from '../../src/adapters/memory/email-directory.js';
import { MemoryLinkGuard } from '../../src/adapters/memory/link-guard.js';
import { MemoryMailer } from '../../src/adapters/memory/mailer.js';
import { JoseLinkTokens } from '../../src/adapters/jose/jose-link-tokens.js';
import type { EmailChannel } from '../../src/domain/ports.js';
import { memoryDeps } from './fixtures.js';

export const LINK_SECRET = 'test-secret-test-secret-test-secret-0123';

/** Notifier dependencies with the email channel on in-memory twins (bob and carol have addresses in acme). */
export function emailDeps(opts: { slack?: boolean } = {}) {
  const base = memoryDeps({ slack: opts.slack ?? false });
  const mailer = new MemoryMailer();
  const directory = new MemoryEmailDirectory({ acme: { bob: 'bob@acme.test', carol: 'carol@acme.test' } });
  const links = new JoseLinkTokens(LINK_SECRET);
  const email: EmailChannel = { mailer, directory, links, publicBaseUrl: 'https://assent.example.test', linkTtlSeconds: 3600 };
  base.deps.email = email;
  return { ...base, mailer, directory, links, guard: new MemoryLinkGuard(), email };
}

/** The signed link in an email's text part. */
export function linkIn(text: string): string {
  const m = /https?:\/\/\S+\/email\/open\?token=[\w.%-]+/.exec(text);
  if (!m) throw new Error(`no email link in:\n${text}`);
  return m[0];
}
