import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Session } from '../session.js';
import { positiveInt } from '../options/positive-int.js';
import { watchEvents } from '../events/watch-events.js';

/** The operator URL `make up` writes for its own NATS (with credentials), if any. */
function localNatsUrl(): string | undefined {
  return existsSync('.assent/nats.url') ? readFileSync('.assent/nats.url', 'utf8').trim() || undefined : undefined;
}

export function registerEventsCommands(program: Command, session: Session, env: Record<string, string | undefined>): void {
  const events = program.command('events').description("follow the tenant's CloudEvents on NATS");

  events
    .command('watch')
    .description('print each event as it happens (time, type, subject, id), or one JSON object per line with -o json')
    .option('--nats <url>', 'NATS server(s), comma-separated, optionally nats://user:password@host:port (env: ASSENT_NATS_URL; default: the one `make up` wrote to .assent/nats.url, else nats://127.0.0.1:4222)')
    .option('--root <root>', 'subject root (env: ASSENT_SUBJECT_ROOT, default: assent)')
    .option('--type <glob>', 'only event types matching this glob, e.g. "assent.approval.*"')
    .option('--count <n>', 'exit after this many events', positiveInt)
    .action(async (opts: { nats?: string; root?: string; type?: string; count?: number }, command: Command) => {
      const ctx = session.context(command);
      await watchEvents(ctx, {
        nats: opts.nats || env['ASSENT_NATS_URL'] || localNatsUrl() || 'nats://127.0.0.1:4222',
        root: opts.root || env['ASSENT_SUBJECT_ROOT'] || 'assent',
        type: opts.type,
        count: opts.count,
      });
    });
}
