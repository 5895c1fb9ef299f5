import { DomainError, FailedPreconditionError, InvalidArgumentError, NotFoundError, PermissionDeniedError, patterns } from '@assent/platform/domain';
import type { SlackDecision, SlackInteractionDeps, SlackModal } from '../slack/interaction-ports.js';
import { escapeMrkdwn } from '../slack/mrkdwn.js';

/** The parts of Slack's interaction payloads the notifier reads (block_actions, view_submission). */
export type SlackInteraction =
  | {
      type: 'block_actions';
      team: string;
      user: string;
      triggerId: string;
      responseUrl: string;
      actions: { actionId: string; value: string }[];
    }
  | { type: 'view_submission'; team: string; user: string; callbackId: string; privateMetadata: string; reason: string | undefined };

/** What the HTTP answer to Slack is: nothing (200), or a modal's field errors. */
export type SlackInteractionAnswer = { kind: 'ack' } | { kind: 'errors'; errors: Record<string, string> };

export const DECIDE_CALLBACK = 'assent_decide';
export const REASON_BLOCK = 'reason';
const MAX_REASON = 2000;

const decisions: Record<string, SlackDecision> = { approve: 'APPROVE', decline: 'DECLINE', request_changes: 'REQUEST_CHANGES', comment: 'COMMENT' };
const verbs: Record<SlackDecision, { title: string; submit: string; label: string; done: string }> = {
  APPROVE: { title: 'Approve request', submit: 'Approve', label: 'Why do you approve?', done: 'approved' },
  DECLINE: { title: 'Decline request', submit: 'Decline', label: 'Why do you decline?', done: 'declined' },
  REQUEST_CHANGES: { title: 'Request changes', submit: 'Request changes', label: 'What should change?', done: 'asked for changes on' },
  COMMENT: { title: 'Comment', submit: 'Comment', label: 'Your comment', done: 'commented on' },
};

/** `<tenant>/<request id>`, as the message's buttons carry it. */
function parseTarget(value: string): { tenant: string; id: string } | undefined {
  const [tenant = '', id = '', ...rest] = value.split('/');
  return rest.length === 0 && patterns.tenant.test(tenant) && patterns.id.test(id) ? { tenant, id } : undefined;
}

const notLinked = (tenant: string) =>
  `Your Slack account is not linked to an Assent user in tenant \`${escapeMrkdwn(tenant, 63)}\`, so Assent cannot act for you. Ask a tenant admin to link it; nothing was changed.`;

/**
 * A person pressed a button or submitted a modal. A button opens the modal asking
 * for the reason (every decision carries one); the modal's submission is the
 * decision, made by approvals for the mapped person (acting-for, channel slack), so
 * eligibility, self-approval and step-up are judged there exactly as for their own
 * token. An unmapped user gets an ephemeral answer and the attempt is audited; an
 * ineligible one sees approvals' reason in the modal (approvals audits it).
 */
export async function handleSlackInteraction(deps: SlackInteractionDeps, i: SlackInteraction): Promise<SlackInteractionAnswer> {
  if (i.type === 'block_actions') {
    const action = i.actions[0];
    const decision = action && decisions[action.actionId];
    const target = action && parseTarget(action.value);
    // Other buttons (e.g. the portal link) need no answer beyond the acknowledgement.
    if (!decision || !target) return { kind: 'ack' };
    const principal = await deps.users.principalOf(target.tenant, i.team, i.user);
    if (!principal) {
      await deps.audit.refused({ tenant: target.tenant, requestId: target.id, slackTeam: i.team, slackUser: i.user, decision, reason: 'the Slack user is not linked to an Assent user of the tenant' });
      await deps.api.respondEphemeral(i.responseUrl, notLinked(target.tenant));
      return { kind: 'ack' };
    }
    await deps.api.openModal(i.triggerId, decisionModal(target, decision));
    return { kind: 'ack' };
  }

  if (i.callbackId !== DECIDE_CALLBACK) return { kind: 'ack' };
  const meta = parseMetadata(i.privateMetadata);
  if (!meta) return { kind: 'errors', errors: { [REASON_BLOCK]: 'This form is not one Assent opened; close it and use the message buttons.' } };
  const reason = (i.reason ?? '').trim();
  if (!reason) return { kind: 'errors', errors: { [REASON_BLOCK]: 'A reason is required: every decision carries one.' } };
  if (reason.length > MAX_REASON) return { kind: 'errors', errors: { [REASON_BLOCK]: `At most ${MAX_REASON} characters.` } };
  const principal = await deps.users.principalOf(meta.tenant, i.team, i.user);
  if (!principal) {
    await deps.audit.refused({ tenant: meta.tenant, requestId: meta.id, slackTeam: i.team, slackUser: i.user, decision: meta.decision, reason: 'the Slack user is not linked to an Assent user of the tenant' });
    return { kind: 'errors', errors: { [REASON_BLOCK]: notLinked(meta.tenant) } };
  }
  try {
    await deps.approvals.act({ tenant: meta.tenant, principal }, meta.id, meta.decision, reason);
    return { kind: 'ack' };
  } catch (err) {
    // What approvals says is meant for the person (not eligible, already decided, needs a step-up…).
    if (err instanceof PermissionDeniedError || err instanceof FailedPreconditionError || err instanceof NotFoundError || err instanceof InvalidArgumentError) {
      return { kind: 'errors', errors: { [REASON_BLOCK]: `Not ${verbs[meta.decision].done}: ${err.message}`.slice(0, 2000) } };
    }
    if (err instanceof DomainError) return { kind: 'errors', errors: { [REASON_BLOCK]: 'Assent is unavailable right now; nothing was changed. Try again in a moment.' } };
    throw err;
  }
}

function decisionModal(target: { tenant: string; id: string }, decision: SlackDecision): SlackModal {
  const v = verbs[decision];
  return {
    type: 'modal',
    callback_id: DECIDE_CALLBACK,
    private_metadata: JSON.stringify({ tenant: target.tenant, id: target.id, decision }),
    title: { type: 'plain_text', text: v.title },
    submit: { type: 'plain_text', text: v.submit },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `Request \`${target.id}\` in tenant \`${target.tenant}\`` } },
      {
        type: 'input',
        block_id: REASON_BLOCK,
        label: { type: 'plain_text', text: v.label },
        element: { type: 'plain_text_input', action_id: REASON_BLOCK, multiline: true, max_length: MAX_REASON },
      },
    ],
  };
}

function parseMetadata(text: string): { tenant: string; id: string; decision: SlackDecision } | undefined {
  try {
    const m = JSON.parse(text) as { tenant?: unknown; id?: unknown; decision?: unknown };
    const decision = Object.values(decisions).find((d) => d === m.decision);
    const target = typeof m.tenant === 'string' && typeof m.id === 'string' ? parseTarget(`${m.tenant}/${m.id}`) : undefined;
    return target && decision ? { ...target, decision } : undefined;
  } catch {
    return undefined;
  }
}
