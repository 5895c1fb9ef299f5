import { ConfigError, commonConfig, commonEnvSpec, env, freeze, parseEnv, type CommonConfig, type Env } from '@assent/platform';
import { z } from 'zod';

export interface NotifierConfig extends CommonConfig {
  grpcPort: number;
  httpPort: number;
  slack: {
    apiUrl: string;
    /** Unset disables Slack: events are still consumed and acknowledged, nothing is sent. */
    botToken: string | undefined;
    /** Where requests go when their policy names no channel, and decisions with no original message. */
    defaultChannel: string | undefined;
    /**
     * The Slack app's signing secret: set, POST /slack/interactivity takes button
     * clicks and modal submissions (signed by Slack with it); unset, it is not served.
     */
    signingSecret: string | undefined;
  };
  /** Base of the approver portal links put in messages (the notifier's public HTTP address; email links too). */
  portalBaseUrl: string;
  /** approvals' gRPC address: the email pages call it for the person who opened the link. */
  approvalsAddr: string;
  approvalsDeadlineMs: number;
  /** Unset (no NOTIFIER_SMTP_HOST) disables email: events are still consumed, nothing is mailed. */
  email:
    | {
        smtp: { host: string; port: number; secure: boolean; user: string | undefined; pass: string | undefined };
        from: string;
        /** Signs email links and their sessions (at least 32 bytes). */
        linkSecret: string;
        linkTtlSeconds: number;
      }
    | undefined;
  otlpEndpoint: string | undefined;
}

const spec = {
  ...commonEnvSpec,
  NOTIFIER_GRPC_PORT: env.port(50055),
  NOTIFIER_HTTP_PORT: env.port(9105),
  NOTIFIER_SLACK_API_URL: env.url('https://slack.com/api/'),
  NOTIFIER_SLACK_BOT_TOKEN: env.optionalString(),
  NOTIFIER_SLACK_DEFAULT_CHANNEL: env.optionalString(),
  NOTIFIER_SLACK_SIGNING_SECRET: env.optionalString(),
  NOTIFIER_PORTAL_BASE_URL: env.url('http://127.0.0.1:9105'),
  NOTIFIER_APPROVALS_ADDR: env.string('127.0.0.1:50051'),
  NOTIFIER_APPROVALS_DEADLINE_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  NOTIFIER_SMTP_HOST: env.optionalString(),
  NOTIFIER_SMTP_PORT: env.port(587),
  NOTIFIER_SMTP_SECURE: env.bool(false),
  NOTIFIER_SMTP_USER: env.optionalString(),
  NOTIFIER_SMTP_PASS: env.optionalString(),
  NOTIFIER_EMAIL_FROM: env.string('Assent <assent@localhost>'),
  NOTIFIER_EMAIL_LINK_SECRET: env.optionalString(),
  // Three days: long enough for a weekend, short enough that an old email stops acting.
  NOTIFIER_EMAIL_LINK_TTL_SECONDS: z.coerce.number().int().min(60).max(30 * 24 * 3600).default(3 * 24 * 3600),
  OTEL_EXPORTER_OTLP_ENDPOINT: env.optionalString(),
};

/** The only reader of the environment for the notifier; throws ConfigError naming each bad variable. */
export function loadConfig(source: Env = process.env): Readonly<NotifierConfig> {
  const e = parseEnv(spec, source);
  const email = e.NOTIFIER_SMTP_HOST ? emailConfig(e.NOTIFIER_SMTP_HOST, e) : undefined;
  if (e.NOTIFIER_SLACK_SIGNING_SECRET && !e.NOTIFIER_SLACK_BOT_TOKEN) {
    // Answering a click opens a modal (views.open), which needs the bot token.
    throw new ConfigError([{ variable: 'NOTIFIER_SLACK_SIGNING_SECRET', message: 'needs NOTIFIER_SLACK_BOT_TOKEN: Slack interactivity answers through the Web API' }]);
  }
  return freeze({
    ...commonConfig(e),
    grpcPort: e.NOTIFIER_GRPC_PORT,
    httpPort: e.NOTIFIER_HTTP_PORT,
    slack: {
      // WebClient appends method names to the base, so it must end with "/".
      apiUrl: e.NOTIFIER_SLACK_API_URL.endsWith('/') ? e.NOTIFIER_SLACK_API_URL : `${e.NOTIFIER_SLACK_API_URL}/`,
      botToken: e.NOTIFIER_SLACK_BOT_TOKEN,
      defaultChannel: e.NOTIFIER_SLACK_DEFAULT_CHANNEL,
      signingSecret: e.NOTIFIER_SLACK_SIGNING_SECRET,
    },
    portalBaseUrl: e.NOTIFIER_PORTAL_BASE_URL.replace(/\/+$/, ''),
    approvalsAddr: e.NOTIFIER_APPROVALS_ADDR,
    approvalsDeadlineMs: e.NOTIFIER_APPROVALS_DEADLINE_MS,
    email,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
}

function emailConfig(host: string, e: ReturnType<typeof parseEnv<typeof spec>>): NonNullable<NotifierConfig['email']> {
  const secret = e.NOTIFIER_EMAIL_LINK_SECRET;
  if (!secret || Buffer.byteLength(secret, 'utf8') < 32) {
    throw new ConfigError([{ variable: 'NOTIFIER_EMAIL_LINK_SECRET', message: 'is required with NOTIFIER_SMTP_HOST and must be at least 32 bytes (e.g. openssl rand -base64 32)' }]);
  }
  return {
    smtp: { host, port: e.NOTIFIER_SMTP_PORT, secure: e.NOTIFIER_SMTP_SECURE, user: e.NOTIFIER_SMTP_USER, pass: e.NOTIFIER_SMTP_PASS },
    from: e.NOTIFIER_EMAIL_FROM,
    linkSecret: secret,
    linkTtlSeconds: e.NOTIFIER_EMAIL_LINK_TTL_SECONDS,
  };
}
