import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { deliveryv1 } from '@assent/proto';
import type { Session } from '../session.js';
import { renderFields, renderTable } from '../output/table.js';
import { iso } from '../output/values.js';
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

  const credentials = events
    .command('credentials')
    .description("credentials for an outside consumer to read the tenant's events from the event gateway (NATS)");

  credentials
    .command('create')
    .description('make a durable pull consumer (or reuse one) and a credential that may read only this tenant\'s stream; prints it once')
    .requiredOption('--consumer <name>', 'durable consumer to read (1-32 lowercase letters, digits or "-"); an existing one keeps its position')
    .option('--out <file>', 'write the NATS credentials file here (mode 0600) instead of printing it')
    .action(async (opts: { consumer: string; out?: string }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('delivery', (c, o) => c.createStreamCredential({ tenant: ctx.tenant, consumer: opts.consumer }, o));
      if (opts.out) writeFileSync(opts.out, res.creds, { mode: 0o600 });
      if (ctx.json) return ctx.printJson(deliveryv1.CreateStreamCredentialResponse.toJSON(opts.out ? { ...res, creds: '' } : res));
      const c = res.credential;
      ctx.print(renderFields([
        ['id', c?.id],
        ['consumer', c?.consumer],
        ['url', res.url],
        ['stream', res.stream],
        ['subjects', res.subjects],
        ['api prefix', res.apiPrefix],
        ['public key', c?.publicKey],
        ['created', iso(c?.createdAt)],
        ['creds', opts.out ? `written to ${opts.out}` : undefined],
      ]));
      if (!opts.out) ctx.print(res.creds);
      ctx.note('warning: store the credentials now; they are shown only this once (revoke with `assentctl events credentials revoke <id>`)');
    });

  credentials
    .command('list')
    .description("list the tenant's stream credentials")
    .action(async (_opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('delivery', (c, o) => c.listStreamCredentials({ tenant: ctx.tenant }, o));
      if (ctx.json) return ctx.printJson(deliveryv1.ListStreamCredentialsResponse.toJSON(res));
      if (!res.credentials.length) return ctx.print('no stream credentials');
      ctx.print(renderTable(
        ['ID', 'CONSUMER', 'CREATED', 'BY', 'REVOKED'],
        res.credentials.map((c) => [c.id, c.consumer, iso(c.createdAt), c.createdBy, c.revokedAt ? iso(c.revokedAt) : '-']),
      ));
    });

  credentials
    .command('revoke')
    .description('void a credential now: the gateway closes its connections and refuses it')
    .argument('<id>', 'credential id from `events credentials list`')
    .action(async (id: string, _opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('delivery', (c, o) => c.revokeStreamCredential({ tenant: ctx.tenant, id }, o));
      if (ctx.json) return ctx.printJson(deliveryv1.RevokeStreamCredentialResponse.toJSON(res));
      ctx.print(`revoked ${res.credential?.id ?? id} (consumer ${res.credential?.consumer ?? '?'}) at ${iso(res.credential?.revokedAt)}`);
    });
}
