import type { Logger as Pino } from '@assent/platform';
import { LogLevel, type Logger } from '@slack/web-api';

/** Routes WebClient's own logging into the service's pino logger (JSON, with trace ids) instead of the console. */
export function slackLogger(pino: Pino): Logger {
  const log = pino.child({ component: 'slack-web-api' });
  let level = LogLevel.WARN;
  const text = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg) => log.debug(text(msg)),
    info: (...msg) => log.info(text(msg)),
    warn: (...msg) => log.warn(text(msg)),
    error: (...msg) => log.error(text(msg)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
