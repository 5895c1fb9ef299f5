import { commonConfig, commonEnvSpec, env, freeze, parseEnv, type CommonConfig, type Env } from '@assent/platform';

export interface NotifierConfig extends CommonConfig {
  grpcPort: number;
  httpPort: number;
  slack: {
    apiUrl: string;
    /** Unset disables Slack: events are still consumed and acknowledged, nothing is sent. */
    botToken: string | undefined;
    /** Where requests go when their policy names no channel, and decisions with no original message. */
    defaultChannel: string | undefined;
  };
  /** Base of the approver portal links put in messages. */
  portalBaseUrl: string;
  otlpEndpoint: string | undefined;
}

const spec = {
  ...commonEnvSpec,
  NOTIFIER_GRPC_PORT: env.port(50055),
  NOTIFIER_HTTP_PORT: env.port(9105),
  NOTIFIER_SLACK_API_URL: env.url('https://slack.com/api/'),
  NOTIFIER_SLACK_BOT_TOKEN: env.optionalString(),
  NOTIFIER_SLACK_DEFAULT_CHANNEL: env.optionalString(),
  NOTIFIER_PORTAL_BASE_URL: env.url('http://127.0.0.1:9105'),
  OTEL_EXPORTER_OTLP_ENDPOINT: env.optionalString(),
};

/** The only reader of the environment for the notifier; throws ConfigError naming each bad variable. */
export function loadConfig(source: Env = process.env): Readonly<NotifierConfig> {
  const e = parseEnv(spec, source);
  return freeze({
    ...commonConfig(e),
    grpcPort: e.NOTIFIER_GRPC_PORT,
    httpPort: e.NOTIFIER_HTTP_PORT,
    slack: {
      // WebClient appends method names to the base, so it must end with "/".
      apiUrl: e.NOTIFIER_SLACK_API_URL.endsWith('/') ? e.NOTIFIER_SLACK_API_URL : `${e.NOTIFIER_SLACK_API_URL}/`,
      botToken: e.NOTIFIER_SLACK_BOT_TOKEN,
      defaultChannel: e.NOTIFIER_SLACK_DEFAULT_CHANNEL,
    },
    portalBaseUrl: e.NOTIFIER_PORTAL_BASE_URL.replace(/\/+$/, ''),
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
}
