import { Violations } from '@assent/platform/domain';
import type { ApprovalRequestView } from '../types.js';

// Slack channel ids (C…, G…, D…) or names (lowercase, digits, -, _, max 80), optionally with "#".
const SLACK_CHANNEL = /^([CGD][A-Z0-9]{8,20}|#?[a-z0-9][a-z0-9._-]{0,79})$/;

/** Tenant and id end up in storage keys and links: an event without them can never be handled. */
export function requestViolations(r: ApprovalRequestView): Violations {
  return new Violations().check('request.tenant', r.tenant, 'tenant').check('request.id', r.id, 'id');
}

export function checkSlackChannel(v: Violations, field: string, channel: string): Violations {
  if (!SLACK_CHANNEL.test(channel)) v.add(field, 'must be a Slack channel id (e.g. C0123456789) or name (e.g. #payments-approvals)');
  return v;
}
