import type { AuthContext } from '@assent/platform';
import type { notifierv1 } from '@assent/proto';
import type { CallContext } from 'nice-grpc';
import { listNotifications } from '../../domain/commands/list-notifications.js';
import {
  linkSlackUser,
  listEmailAddresses,
  listSlackUsers,
  removeEmailAddress,
  setEmailAddress,
  unlinkSlackUser,
  type ContactDeps,
} from '../../domain/commands/manage-contacts.js';
import type { NotifierDeps } from '../../domain/ports.js';
import { toProtoNotification } from './mapping.js';

type Ctx = CallContext & AuthContext;

/** Thin handlers: map proto → domain, call one command, map back. */
export function notifierService(deps: NotifierDeps, contacts: ContactDeps): notifierv1.NotifierServiceImplementation<AuthContext> {
  return {
    async listNotifications(req, ctx: Ctx) {
      const notifications = await listNotifications(deps, ctx.principal, req);
      return { notifications: notifications.map(toProtoNotification) };
    },
    async setEmailAddress(req, ctx: Ctx) {
      const { changed, ...emailAddress } = await setEmailAddress(contacts, ctx.principal, req);
      return { emailAddress, changed };
    },
    async removeEmailAddress(req, ctx: Ctx) {
      return removeEmailAddress(contacts, ctx.principal, req);
    },
    async listEmailAddresses(req, ctx: Ctx) {
      return { emailAddresses: await listEmailAddresses(contacts, ctx.principal, req) };
    },
    async linkSlackUser(req, ctx: Ctx) {
      const res = await linkSlackUser(contacts, ctx.principal, req);
      return { slackTeam: res.slackTeam, link: res.link, changed: res.changed };
    },
    async unlinkSlackUser(req, ctx: Ctx) {
      return unlinkSlackUser(contacts, ctx.principal, req);
    },
    async listSlackUsers(req, ctx: Ctx) {
      const res = await listSlackUsers(contacts, ctx.principal, req);
      return { slackTeam: res.team, links: res.links };
    },
  };
}
