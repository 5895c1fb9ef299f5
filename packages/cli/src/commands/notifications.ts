import type { Command } from 'commander';
import { notifierv1 } from '@assent/proto';
import type { Session } from '../session.js';
import { positiveInt } from '../options/positive-int.js';
import { renderTable } from '../output/table.js';
import { enumLabel, iso } from '../output/values.js';

export function registerNotificationsCommands(program: Command, session: Session): void {
  const notifications = program.command('notifications').description('see what was sent to humans (Slack, email)');

  notifications
    .command('list')
    .description('list sent notifications')
    .option('--request <id>', 'only notifications about this approval request')
    .option('--limit <n>', 'how many notifications', positiveInt)
    .action(async (opts: { request?: string; limit?: number }, command: Command) => {
      const ctx = session.context(command);
      const res = await ctx.call('notifier', (c, o) =>
        c.listNotifications({ tenant: ctx.tenant, requestId: opts.request ?? '', pageSize: opts.limit ?? 0 }, o),
      );
      if (ctx.json) return ctx.printJson(notifierv1.ListNotificationsResponse.toJSON(res));
      if (!res.notifications.length) return ctx.print('no notifications');
      ctx.print(renderTable(
        ['SENT', 'CHANNEL', 'DESTINATION', 'REQUEST', 'EVENT TYPE', 'REF'],
        res.notifications.map((n) => [
          iso(n.sentAt),
          enumLabel(notifierv1.channelToJSON(n.channel), 'CHANNEL_'),
          n.destination,
          n.requestId || '-',
          n.eventType,
          n.providerRef || '-',
        ]),
      ));
    });
}
