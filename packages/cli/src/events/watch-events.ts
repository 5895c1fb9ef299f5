import process from 'node:process';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { natsServers, parseEvent, type AssentEvent } from '@assent/platform';
import type { CliContext } from '../cli-context.js';
import { UnreachableError } from '../errors/unreachable-error.js';
import { typeGlob } from './type-glob.js';

export interface WatchOptions {
  nats: string;
  root: string;
  type?: string;
  count?: number;
}

/**
 * Prints the tenant's CloudEvents as they are published, with a core NATS
 * subscription: nothing is stored or acknowledged, so watching never disturbs the
 * durable consumers. Ends on Ctrl-C, io.signal, or after --count events.
 */
export async function watchEvents(ctx: CliContext, opts: WatchOptions): Promise<void> {
  const nc = await connectOrExplain(opts.nats);
  // <root>.evt.<tenant>.<domain>.<event>, as platform names() builds them.
  const subject = `${opts.root}.evt.${ctx.tenant}.>`;
  const filter = opts.type ? typeGlob(opts.type) : undefined;
  const sub = nc.subscribe(subject);
  let stopped = false;
  const stop = () => {
    stopped = true;
    sub.unsubscribe();
  };
  process.once('SIGINT', stop);
  ctx.io.signal?.addEventListener('abort', stop, { once: true });
  try {
    // Make sure the server has the interest before telling anyone we are watching.
    await nc.flush();
    ctx.note(`watching ${subject}${opts.type ? ` for ${opts.type}` : ''} (Ctrl-C to stop)`);
    if (ctx.io.signal?.aborted) stop();
    let seen = 0;
    for await (const m of sub) {
      let event: AssentEvent;
      try {
        event = parseEvent(m.data);
      } catch (err) {
        ctx.note(`warning: skipped a message on ${m.subject} that is not a CloudEvent: ${(err as Error).message}`);
        continue;
      }
      if (filter && !filter.test(event.type)) continue;
      ctx.io.stdout(`${ctx.json ? JSON.stringify(event) : eventLine(event)}\n`);
      if (opts.count && ++seen >= opts.count) {
        stopped = true;
        break;
      }
    }
    if (!stopped) {
      const reason = await sub.closed;
      throw new UnreachableError(`lost the NATS connection to ${opts.nats}${reason instanceof Error ? `: ${reason.message}` : ''}`, natsHint(opts.nats));
    }
  } finally {
    process.off('SIGINT', stop);
    ctx.io.signal?.removeEventListener('abort', stop);
    if (!nc.isClosed()) await nc.close();
  }
}

export function eventLine(e: AssentEvent): string {
  return `${e.time}  ${e.type.padEnd(30)}  ${e.subject.padEnd(34)}  ${e.id}`;
}

async function connectOrExplain(url: string): Promise<NatsConnection> {
  // The URL may carry a user and password (make up's NATS has one per service and an operator).
  const where = natsServers(url);
  try {
    return await connect({ ...where, name: 'assentctl', maxReconnectAttempts: 10 });
  } catch (err) {
    throw new UnreachableError(`cannot connect to NATS at ${where.servers.join(',')}: ${(err as Error).message}`, natsHint(where.servers.join(',')), { cause: err });
  }
}

function natsHint(url: string): string {
  return `is NATS running at ${url}? Start the platform with \`make up\`, or pass --nats <url>`;
}
