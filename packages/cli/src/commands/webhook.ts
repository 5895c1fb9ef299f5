import type { Command } from 'commander';
import { deliveryv1 } from '@assent/proto';
import type { Session } from '../session.js';
import { collect } from '../options/collect.js';
import { positiveInt } from '../options/positive-int.js';
import { renderFields, renderTable } from '../output/table.js';
import { enumLabel, iso } from '../output/values.js';

export function registerWebhookCommands(program: Command, session: Session): void {
  const webhook = program.command('webhook').description('manage webhook endpoints and inspect deliveries');

  webhook
    .command('create')
    .description('register an endpoint; prints its signing secret once')
    .requiredOption('--url <url>', 'HTTPS URL that receives the CloudEvents')
    .option('--event-type <type>', 'deliver only this CloudEvents type (repeatable; default all)', collect, [])
    .option('--description <text>', 'what the endpoint is for')
    .action(async (opts: { url: string; eventType: string[]; description?: string }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('delivery', (c, o) =>
        c.createEndpoint({ tenant: ctx.tenant, url: opts.url, description: opts.description ?? '', eventTypes: opts.eventType }, o),
      );
      if (ctx.json) ctx.printJson(deliveryv1.CreateEndpointResponse.toJSON(res));
      else {
        const e = res.endpoint;
        ctx.print(renderFields([
          ['id', e?.id],
          ['url', e?.url],
          ['description', e?.description],
          ['event types', eventTypes(e?.eventTypes ?? [])],
          ['created', iso(e?.createdAt)],
          ['secret', e?.secret],
        ]));
      }
      ctx.note('warning: store the signing secret now; it is shown only this once and cannot be retrieved later');
    });

  webhook
    .command('list')
    .description("list the tenant's endpoints")
    .action(async (_opts: unknown, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('delivery', (c, o) => c.listEndpoints({ tenant: ctx.tenant }, o));
      if (ctx.json) return ctx.printJson(deliveryv1.ListEndpointsResponse.toJSON(res));
      if (!res.endpoints.length) return ctx.print('no webhook endpoints');
      ctx.print(renderTable(
        ['ID', 'URL', 'EVENT TYPES', 'DESCRIPTION', 'CREATED'],
        res.endpoints.map((e) => [e.id, e.url, eventTypes(e.eventTypes), e.description || '-', iso(e.createdAt)]),
      ));
    });

  webhook
    .command('attempts')
    .description('show delivery attempts to an endpoint, newest first')
    .argument('<endpointId>', 'endpoint id from webhook list')
    .option('--limit <n>', 'how many attempts', positiveInt)
    .action(async (endpointId: string, opts: { limit?: number }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('delivery', (c, o) => c.listAttempts({ tenant: ctx.tenant, endpointId, pageSize: opts.limit ?? 0 }, o));
      if (ctx.json) return ctx.printJson(deliveryv1.ListAttemptsResponse.toJSON(res));
      if (!res.attempts.length) return ctx.print('no delivery attempts');
      ctx.print(renderTable(
        ['AT', 'EVENT TYPE', 'EVENT ID', 'ATTEMPT', 'RESULT', 'HTTP', 'DURATION', 'ERROR'],
        res.attempts.map((a) => [
          iso(a.at),
          a.eventType,
          a.eventId,
          String(a.attempt),
          enumLabel(deliveryv1.attemptResultToJSON(a.result), 'ATTEMPT_RESULT_'),
          a.httpStatus ? String(a.httpStatus) : '-',
          `${a.durationMs}ms`,
          a.error || '-',
        ]),
      ));
    });
}

function eventTypes(types: string[]): string {
  return types.length ? types.join(', ') : 'all';
}
