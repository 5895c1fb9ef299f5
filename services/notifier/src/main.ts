import { UnavailableError, channelCredentials, createGrpcClient, createRuntime, newEvent, openChannel, type HttpHandler, type Logger, type ServiceRuntime } from '@assent/platform';
import { approvalsv1, authzv1, eventsv1, notifierv1 } from '@assent/proto';
import type { NotifierConfig, PortalConfig } from './config.js';
import type { ContactDeps } from './domain/commands/manage-contacts.js';
import type { NotifierDeps } from './domain/ports.js';
import { KvEmailDirectory, openEmailDirectoryBucket } from './adapters/jetstream/email-directory.js';
import { KvSlackUserDirectory, openSlackUserBucket } from './adapters/jetstream/slack-user-directory.js';
import { NatsSlackAttemptAudit } from './adapters/nats/slack-attempt-audit.js';
import { RedisReplayGuard } from './adapters/redis/redis-replay-guard.js';
import { WebSlackInteractionApi } from './adapters/slack/web-slack-interaction-api.js';
import { SLACK_INTERACTIVITY_PATH, slackInteractivityHandler } from './transport/http/slack-interactivity.js';
import { KvNotificationRepository, notificationBucket, openNotificationBucket } from './adapters/jetstream/notification-repository.js';
import { GrpcApprovalsGateway } from './adapters/grpc/approvals-gateway.js';
import { JoseLinkTokens } from './adapters/jose/jose-link-tokens.js';
import { RedisLinkGuard } from './adapters/redis/redis-link-guard.js';
import { SmtpMailer } from './adapters/smtp/smtp-mailer.js';
import { WebSlackGateway, createSlackClient } from './adapters/slack/web-slack-gateway.js';
import { pacedSlack } from './adapters/slack/paced-slack.js';
import { KvSlackChannelDirectory, openSlackChannelBucket } from './adapters/jetstream/slack-channel-directory.js';
import { notifierService } from './transport/grpc/notifier-service.js';
import { emailPagesHandler } from './transport/http/email-pages.js';
import { portalHandler } from './transport/http/portal.js';
import { CALLBACK_PATH, portalHandler as approverPortal } from './transport/http/portal/portal-handler.js';
import { OpenIdSignIn } from './adapters/oidc/openid-sign-in.js';
import { RedisPortalSessions } from './adapters/redis/redis-portal-sessions.js';
import { AuthzGroupMembers } from './adapters/grpc/authz-group-members.js';
import { GrpcPortalStepUps } from './adapters/grpc/portal-step-ups.js';
import { GrpcPortalApprovals } from './adapters/grpc/portal-approvals.js';
import { startEventConsumer } from './transport/nats/event-consumer.js';

const SLACK_APPROVALS_DEADLINE_MS = 2_500;

export interface RunningNotifier {
  grpcPort: number;
  httpPort: number;
  stop(): Promise<void>;
}

/** Composition root: the only place notifier adapters are built and wired. */
export async function startNotifier(config: NotifierConfig): Promise<RunningNotifier> {
  const rt = await createRuntime('notifier', config, { otlpEndpoint: config.otlpEndpoint });
  try {
    const slackClient = config.slack.botToken ? createSlackClient({ token: config.slack.botToken, apiUrl: config.slack.apiUrl, logger: rt.logger }) : undefined;
    const web = slackClient ? new WebSlackGateway(slackClient) : undefined;
    if (web) checkSlack(web, rt.logger, config.slack.apiUrl);
    else rt.logger.warn('Slack notifications are DISABLED: NOTIFIER_SLACK_BOT_TOKEN is not set. Approval events are consumed and acknowledged, nothing is posted to Slack.');
    // Every post and update is paced per channel across replicas (Slack: ~1 message/s per channel).
    const slack = web && pacedSlack(web, rt.redis, { perChannel: config.slack.perChannel, fallbackReplicas: config.rateLimits.fallbackReplicas });
    if (slack) {
      rt.logger.info(
        { singleTenant: config.slack.tenant, defaultChannel: config.slack.defaultChannel, channels: config.slack.channels },
        "Slack routing: each tenant's messages go only to the channels of its own record; NOTIFIER_SLACK_TENANT (if set) may also use the deploy-time channels",
      );
    }
    const slackChannels = await KvSlackChannelDirectory.open(await openSlackChannelBucket(rt.nats.nc, config.subjectRoot), rt.logger);
    rt.readiness('slack channel directory', () => slackChannels.live());
    rt.onStop('slack channel directory', () => slackChannels.stop());
    const directory = await KvEmailDirectory.open(await openEmailDirectoryBucket(rt.nats.nc, config.subjectRoot), rt.logger);
    rt.readiness('email directory', () => directory.live());
    rt.onStop('email directory', () => directory.stop());
    const email = config.email ? { ...emailChannel(config.email, config.portalBaseUrl, directory, rt.logger), groups: authzGroups(config, rt) } : undefined;
    if (email) rt.onStop('smtp', () => email.mailer.close());
    else rt.logger.warn('Email notifications are DISABLED: NOTIFIER_SMTP_HOST is not set. Approval events are consumed and acknowledged, nothing is mailed.');
    // Slack user ↔ person links: the requester's DM, button clicks, and the contacts RPCs.
    const slackUsers = new KvSlackUserDirectory(await openSlackUserBucket(rt.nats.nc, config.subjectRoot));
    const deps: NotifierDeps = {
      slack,
      notifications: new KvNotificationRepository(await openNotificationBucket(rt.nats.nc, config.subjectRoot), rt.nats.jsm, notificationBucket(config.subjectRoot)),
      clock: { now: () => new Date() },
      slackInstall: { tenant: config.slack.tenant, defaultChannel: config.slack.defaultChannel, channels: config.slack.channels },
      slackChannels,
      // The requester hears the outcome in a DM from the Slack user the tenant links them to.
      slackUsers,
      portalBaseUrl: config.portalBaseUrl,
      tenants: await rt.tenants(),
      email,
    };
    const contacts: ContactDeps = {
      emails: directory,
      slackUsers,
      tenants: deps.tenants,
      emit: async (e) => {
        try {
          await rt.publisher.publish(newEvent({ ...e, service: 'notifier', data: eventsv1.NotifierContactChanged.toJSON(e.data) }));
        } catch (err) {
          throw new UnavailableError('event stream unavailable; the contact change was not made', { cause: err });
        }
      },
    };
    rt.grpc.server.add(notifierv1.NotifierServiceDefinition, notifierService(deps, contacts));
    // People act from email pages and Slack through approvals, for the person each verified (acting-for).
    const handlers: HttpHandler[] = [];
    const approvalsChannel = email || config.slack.signingSecret ? openChannel(config.approvalsAddr, channelCredentials(config.grpcTls)) : undefined;
    if (approvalsChannel) rt.onStop('approvals channel', () => approvalsChannel.close());
    const approvalsClient = (deadlineMs: number) =>
      approvalsChannel && createGrpcClient(approvalsv1.ApprovalsServiceDefinition, approvalsChannel, rt.serviceTokens('approvals'), { deadlineMs });
    if (email) {
      const approvals = new GrpcApprovalsGateway(approvalsClient(config.approvalsDeadlineMs)!, 'email');
      handlers.push(emailPagesHandler({ links: email.links, guard: new RedisLinkGuard(rt.redis), approvals, clock: deps.clock, portalBaseUrl: config.portalBaseUrl }, { publicBaseUrl: config.portalBaseUrl, logger: rt.logger }));
    }
    if (config.slack.signingSecret && slackClient) {
      // Slack waits 3 s for an answer to a modal submission: approvals gets at most 2.5 of them.
      const approvals = new GrpcApprovalsGateway(approvalsClient(Math.min(config.approvalsDeadlineMs, SLACK_APPROVALS_DEADLINE_MS))!, 'slack');
      handlers.push(
        slackInteractivityHandler({
          signingSecret: config.slack.signingSecret,
          deps: { users: slackUsers, api: new WebSlackInteractionApi(slackClient, config.slack.apiUrl), approvals, audit: new NatsSlackAttemptAudit(rt.publisher) },
          replay: new RedisReplayGuard(rt.redis),
          logger: rt.logger,
        }),
      );
      rt.logger.info({ path: SLACK_INTERACTIVITY_PATH }, 'Slack interactivity enabled');
    } else if (slack) {
      rt.logger.info('Slack interactivity is off (NOTIFIER_SLACK_SIGNING_SECRET is not set): message buttons link to the portal only');
    }
    if (config.portal) handlers.push(portal(config, config.portal, rt));
    else handlers.push(portalHandler());
    const http: HttpHandler = async (req, res) => {
      for (const handle of handlers) if (await handle(req, res)) return true;
      return false;
    };
    const consumer = await startEventConsumer(rt, deps);
    rt.onStop('event consumer', () => consumer.stop());
    const ports = await rt.listen({
      grpcPort: config.grpcPort,
      httpPort: config.httpPort,
      serviceNames: [notifierv1.NotifierServiceDefinition.fullName],
      http,
    });
    return { ...ports, stop: () => rt.stop() };
  } catch (err) {
    await rt.stop();
    throw err;
  }
}

/** Says at boot whether the token works, without making Slack's availability a boot dependency. */
function checkSlack(slack: WebSlackGateway, logger: Logger, apiUrl: string): void {
  slack.identity().then(
    (id) => logger.info({ team: id.team, user: id.user, apiUrl }, 'Slack notifications enabled'),
    (err: Error) => logger.error({ err, apiUrl }, 'Slack notifications enabled but auth.test failed: messages will be parked until the token works'),
  );
}

/** SMTP, links and the address directory; says at boot whether the server answers, without making it a boot dependency. */
function emailChannel(c: NonNullable<NotifierConfig['email']>, publicBaseUrl: string, directory: KvEmailDirectory, logger: Logger) {
  const mailer = new SmtpMailer({ ...c.smtp, from: c.from });
  const server = `${c.smtp.host}:${c.smtp.port}`;
  mailer.verify().then(
    () => logger.info({ server }, 'Email notifications enabled'),
    (err: Error) => logger.error({ err, server }, 'Email notifications enabled but the SMTP server did not accept a connection: emails wait until it does'),
  );
  return { mailer, directory, links: new JoseLinkTokens(c.linkSecret), publicBaseUrl, linkTtlSeconds: c.linkTtlSeconds };
}

/** Group approvers' members, from authz with the notifier's own service token. */
function authzGroups(config: NotifierConfig, rt: ServiceRuntime): AuthzGroupMembers {
  const channel = openChannel(config.authzAddr, channelCredentials(config.grpcTls));
  rt.onStop('authz channel (group members)', () => channel.close());
  return new AuthzGroupMembers(createGrpcClient(authzv1.AuthzServiceDefinition, channel, rt.serviceTokens('authz'), { deadlineMs: config.approvalsDeadlineMs }));
}

/** The approver portal: OIDC sign-in, sessions in Redis, approvals called with the person's own token. */
function portal(config: NotifierConfig, portalConfig: PortalConfig, rt: ServiceRuntime): HttpHandler {
  const channel = openChannel(config.approvalsAddr, channelCredentials(config.grpcTls));
  rt.onStop('portal approvals channel', () => channel.close());
  const authzChannel = openChannel(config.authzAddr, channelCredentials(config.grpcTls));
  rt.onStop('portal authz channel', () => authzChannel.close());
  rt.logger.info({ issuer: portalConfig.issuer, discovery: portalConfig.discoveryUrl, portal: `${config.portalBaseUrl}/inbox` }, 'approver portal enabled (OIDC sign-in)');
  return approverPortal(
    {
      signIn: new OpenIdSignIn(portalConfig, `${config.portalBaseUrl}${CALLBACK_PATH}`),
      sessions: new RedisPortalSessions(rt.redis),
      approvals: new GrpcPortalApprovals(channel, config.approvalsDeadlineMs),
      stepUps: new GrpcPortalStepUps(authzChannel, config.approvalsDeadlineMs),
    },
    { publicBaseUrl: config.portalBaseUrl, logger: rt.logger },
  );
}
