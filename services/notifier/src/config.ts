import { ConfigError, commonConfig, commonEnvSpec, env, freeze, parseEnv, type CommonConfig, type Env } from '@assent/platform';
import { patterns } from '@assent/platform/domain';
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
    /**
     * The one tenant of a single-tenant install: while it has no Slack channel record of
     * its own, its messages may go to `defaultChannel` and `channels`. No other tenant
     * ever uses them (unset: every tenant needs its own record).
     */
    tenant: string | undefined;
    /** Channels that tenant's policies may name ("*": any channel of the bot's workspace). */
    channels: string[];
    /** Per channel, across replicas: Slack allows about one message a second per channel, with short bursts. */
    perChannel: { perSecond: number; burst: number };
  };
  /** Base of the approver portal links put in messages (the notifier's public HTTP address; email links too). */
  portalBaseUrl: string;
  /** approvals' gRPC address: the email pages call it for the person who opened the link. */
  approvalsAddr: string;
  approvalsDeadlineMs: number;
  /** authz's gRPC address: the portal opens a step-up session there after a strong sign-in. */
  authzAddr: string;
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
  /**
   * The approver portal's sign-in (OIDC authorization code flow with PKCE). Unset (no
   * NOTIFIER_OIDC_ISSUER): /requests/<tenant>/<id> is a placeholder page naming the request.
   */
  portal: PortalConfig | undefined;
  otlpEndpoint: string | undefined;
}

export interface PortalConfig {
  /** The OpenID provider's issuer identifier: its ID tokens must name it. */
  issuer: string;
  /** Its discovery document; by default `<issuer>/.well-known/openid-configuration`. */
  discoveryUrl: string;
  clientId: string;
  /** Unset: a public client (PKCE only, no client authentication). */
  clientSecret: string | undefined;
  /** Asked for at sign-in; the access token they yield must be for audience `assent` with `tenant` (see docs/decisions.md, Portal). */
  scopes: string;
  /** Longest a portal session lasts; never beyond the access token's expiry. */
  sessionTtlSeconds: number;
}

const spec = {
  ...commonEnvSpec,
  NOTIFIER_GRPC_PORT: env.port(50055),
  NOTIFIER_HTTP_PORT: env.port(9105),
  NOTIFIER_SLACK_API_URL: env.url('https://slack.com/api/'),
  NOTIFIER_SLACK_BOT_TOKEN: env.optionalString(),
  NOTIFIER_SLACK_DEFAULT_CHANNEL: env.optionalString(),
  NOTIFIER_SLACK_SIGNING_SECRET: env.optionalString(),
  NOTIFIER_SLACK_TENANT: env.optionalString(),
  NOTIFIER_SLACK_CHANNELS: env.optionalString(),
  // Slack allows about one message per second per channel; the ceiling is for Slack-compatible servers without that limit.
  NOTIFIER_SLACK_CHANNEL_RATE: z.coerce.number().positive().max(1_000).default(1),
  // Slack lets a channel have short bursts; three lets a request's post, vote and decision go out together.
  NOTIFIER_SLACK_CHANNEL_BURST: z.coerce.number().int().min(1).max(1_000).default(3),
  NOTIFIER_PORTAL_BASE_URL: env.url('http://127.0.0.1:9105'),
  NOTIFIER_APPROVALS_ADDR: env.string('127.0.0.1:50051'),
  NOTIFIER_AUTHZ_ADDR: env.string('127.0.0.1:50052'),
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
  NOTIFIER_OIDC_ISSUER: env.optionalString(),
  NOTIFIER_OIDC_DISCOVERY_URL: env.optionalString(),
  NOTIFIER_OIDC_CLIENT_ID: env.optionalString(),
  NOTIFIER_OIDC_CLIENT_SECRET: env.optionalString(),
  NOTIFIER_OIDC_SCOPES: env.string('openid profile'),
  // A working day; a session never outlives the access token it holds.
  NOTIFIER_PORTAL_SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(8 * 3600),
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
  const slackChannels = (e.NOTIFIER_SLACK_CHANNELS ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  slackRoutingProblems(e.NOTIFIER_SLACK_TENANT, e.NOTIFIER_SLACK_DEFAULT_CHANNEL, slackChannels);
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
      tenant: e.NOTIFIER_SLACK_TENANT,
      channels: slackChannels,
      perChannel: { perSecond: e.NOTIFIER_SLACK_CHANNEL_RATE, burst: e.NOTIFIER_SLACK_CHANNEL_BURST },
    },
    portalBaseUrl: e.NOTIFIER_PORTAL_BASE_URL.replace(/\/+$/, ''),
    approvalsAddr: e.NOTIFIER_APPROVALS_ADDR,
    approvalsDeadlineMs: e.NOTIFIER_APPROVALS_DEADLINE_MS,
    authzAddr: e.NOTIFIER_AUTHZ_ADDR,
    email,
    portal: e.NOTIFIER_OIDC_ISSUER ? portalConfig(e.NOTIFIER_OIDC_ISSUER, e) : undefined,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
  });
}

/** Deploy-time channels belong to one named tenant, never to all of them (docs/decisions.md, Slack routing). */
function slackRoutingProblems(tenant: string | undefined, defaultChannel: string | undefined, channels: string[]): void {
  const problems: { variable: string; message: string }[] = [];
  if (tenant !== undefined && !patterns.tenant.test(tenant)) problems.push({ variable: 'NOTIFIER_SLACK_TENANT', message: 'must be a tenant id' });
  if (!tenant && defaultChannel) problems.push({ variable: 'NOTIFIER_SLACK_DEFAULT_CHANNEL', message: 'needs NOTIFIER_SLACK_TENANT: deploy-time channels serve one tenant (others have their own channel records)' });
  if (!tenant && channels.length) problems.push({ variable: 'NOTIFIER_SLACK_CHANNELS', message: 'needs NOTIFIER_SLACK_TENANT' });
  if (problems.length) throw new ConfigError(problems);
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

function portalConfig(issuer: string, e: ReturnType<typeof parseEnv<typeof spec>>): PortalConfig {
  const problems: { variable: string; message: string }[] = [];
  const url = (variable: string, value: string): URL | undefined => {
    try {
      const u = new URL(value);
      // Plain http only to this machine (the local dev issuer); anything else would send codes and tokens in the clear.
      if (u.protocol === 'https:' || (u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname))) return u;
      problems.push({ variable, message: 'must be an https URL (http only for 127.0.0.1 or localhost)' });
    } catch {
      problems.push({ variable, message: 'must be a URL' });
    }
    return undefined;
  };
  // The issuer identifier is compared, not fetched, when a discovery URL is given.
  if (!e.NOTIFIER_OIDC_DISCOVERY_URL) url('NOTIFIER_OIDC_ISSUER', issuer);
  else url('NOTIFIER_OIDC_DISCOVERY_URL', e.NOTIFIER_OIDC_DISCOVERY_URL);
  if (!e.NOTIFIER_OIDC_CLIENT_ID) problems.push({ variable: 'NOTIFIER_OIDC_CLIENT_ID', message: 'is required with NOTIFIER_OIDC_ISSUER (the portal\'s client id at the OpenID provider)' });
  if (!e.NOTIFIER_OIDC_SCOPES.split(/\s+/).includes('openid')) problems.push({ variable: 'NOTIFIER_OIDC_SCOPES', message: 'must include openid' });
  if (problems.length) throw new ConfigError(problems);
  return {
    issuer,
    discoveryUrl: e.NOTIFIER_OIDC_DISCOVERY_URL ?? `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`,
    clientId: e.NOTIFIER_OIDC_CLIENT_ID as string,
    clientSecret: e.NOTIFIER_OIDC_CLIENT_SECRET,
    scopes: e.NOTIFIER_OIDC_SCOPES,
    sessionTtlSeconds: e.NOTIFIER_PORTAL_SESSION_TTL_SECONDS,
  };
}
