import type { AuthContext } from '@assent/platform';
import type { notifierv1 } from '@assent/proto';
import type { CallContext } from 'nice-grpc';
import { listNotifications } from '../../domain/commands/list-notifications.js';
import type { NotifierDeps } from '../../domain/ports.js';
import { toProtoNotification } from './mapping.js';

type Ctx = CallContext & AuthContext;

/** Thin handlers: map proto → domain, call one command, map back. */
export function notifierService(deps: NotifierDeps): notifierv1.NotifierServiceImplementation<AuthContext> {
  return {
    async listNotifications(req, ctx: Ctx) {
      const notifications = await listNotifications(deps, ctx.principal, req);
      return { notifications: notifications.map(toProtoNotification) };
    },
  };
}
