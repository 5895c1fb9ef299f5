import { createHash } from 'node:crypto';
import { Violations, canonicalJson, checkConditions, patterns } from '@assent/platform/domain';
import { checkParametersSchema } from './request-parameters.js';
import type { Policy, ProtectionTier, Requirement, Schedule } from './types.js';

const POLICY_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const REQUIREMENT_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const SLACK_CHANNEL = /^[A-Za-z0-9#][A-Za-z0-9_.-]{0,79}$/;
export const MIN_GRANT_SECONDS = 60;
export const MAX_GRANT_SECONDS = 30 * 24 * 3600;
/** Timers reach at most a year ahead. */
export const MAX_TIMER_SECONDS = 365 * 24 * 3600;
/** Anything that repeats (reminders, a looping escalation) waits at least this long, so no policy can flood approvers. */
export const MIN_REPEAT_SECONDS = 60;
const MAX_APPROVERS = 100;
const MAX_REQUIREMENTS = 10;
const MAX_REMINDERS = 20;
const MAX_TIERS = 10;
const MAX_ACKNOWLEDGEMENTS = 10;
const ACK_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export type PolicyInput = Omit<Policy, 'hash'>;

export const emptySchedule = (): Schedule => ({
  slaSeconds: 0,
  reminderAfterSeconds: [],
  reminderRepeatSeconds: 0,
  escalation: [],
  escalationLoopTo: undefined,
  expireAfterSeconds: 0,
});

function checkSubjects(v: Violations, path: string, subjects: string[]): void {
  if (subjects.length > MAX_APPROVERS) v.add(path, `at most ${MAX_APPROVERS} entries`);
  if (new Set(subjects).size !== subjects.length) v.add(path, 'must not repeat an entry');
  subjects.forEach((a, i) => {
    if (!patterns.approver.test(a)) v.add(`${path}[${i}]`, 'must be "user:<id>" or "group:<id>#member"');
  });
}

/**
 * A set of ANDed requirements: names unique, approvers valid, quorums reachable.
 * `path` is where they are (`policy.requirements`, `policy.tiers[0].requirements`);
 * `shorthand`: the one `approvers` + `quorum` requirement, whose fields are `path.approvers`.
 */
function checkRequirements(v: Violations, path: string, requirements: Requirement[], shorthand = false): void {
  if (requirements.length > MAX_REQUIREMENTS) v.add(path, `at most ${MAX_REQUIREMENTS} requirements`);
  const names = new Set<string>();
  requirements.forEach((q, i) => {
    const at = shorthand ? path : `${path}[${i}]`;
    if (!shorthand) {
      if (!REQUIREMENT_NAME.test(q.name)) v.add(`${at}.name`, 'must be 1-63 lowercase letters, digits, "_" or "-"');
      else if (names.has(q.name)) v.add(`${at}.name`, `"${q.name}" is used by another requirement`);
      names.add(q.name);
    }
    if (q.approvers.length === 0) v.add(`${at}.approvers`, 'at least one approver is required');
    checkSubjects(v, `${at}.approvers`, q.approvers);
    // Group sizes are unknown here; with only listed users the quorum must be reachable.
    const onlyUsers = !q.approvers.some((a) => a.startsWith('group:'));
    if (!Number.isInteger(q.quorum) || q.quorum < 1) v.add(`${at}.quorum`, 'must be at least 1');
    else if (onlyUsers && q.approvers.length > 0 && q.quorum > q.approvers.length) v.add(`${at}.quorum`, `cannot exceed the ${q.approvers.length} listed approvers`);
  });
}

/**
 * Protection tiers: names and CEL conditions as authz registers them (each must
 * compile within the cost limit), and each tier's own requirements like the
 * policy's (none: the policy's apply).
 */
function checkTiers(v: Violations, tiers: ProtectionTier[]): void {
  checkConditions(v, 'policy.tiers', tiers);
  tiers.forEach((t, i) => checkRequirements(v, `policy.tiers[${i}].requirements`, t.requirements));
}

function checkSeconds(v: Violations, path: string, value: number, optional: boolean, min = 1): void {
  if (optional && value === 0) return;
  if (!Number.isInteger(value) || value < min || value > MAX_TIMER_SECONDS) {
    v.add(path, `must be ${optional ? '0 (none) or ' : ''}between ${min} and ${MAX_TIMER_SECONDS} seconds`);
  }
}

function checkSchedule(v: Violations, s: Schedule): void {
  checkSeconds(v, 'policy.schedule.sla_seconds', s.slaSeconds, true);
  checkSeconds(v, 'policy.schedule.expire_after_seconds', s.expireAfterSeconds, true);
  checkSeconds(v, 'policy.schedule.reminder_repeat_seconds', s.reminderRepeatSeconds, true, MIN_REPEAT_SECONDS);
  if (s.reminderAfterSeconds.length > MAX_REMINDERS) v.add('policy.schedule.reminder_after_seconds', `at most ${MAX_REMINDERS} reminders`);
  s.reminderAfterSeconds.forEach((r, i) => {
    checkSeconds(v, `policy.schedule.reminder_after_seconds[${i}]`, r, false);
    if (i > 0 && r <= (s.reminderAfterSeconds[i - 1] ?? 0)) v.add(`policy.schedule.reminder_after_seconds[${i}]`, 'must be later than the reminder before it');
  });
  if (s.escalation.length > MAX_TIERS) v.add('policy.schedule.escalation', `at most ${MAX_TIERS} tiers`);
  s.escalation.forEach((t, i) => {
    const path = `policy.schedule.escalation[${i}]`;
    const repeats = s.escalationLoopTo !== undefined && i >= s.escalationLoopTo;
    checkSeconds(v, `${path}.after_seconds`, t.afterSeconds, false, repeats ? MIN_REPEAT_SECONDS : 1);
    if (t.approvers.length === 0) v.add(`${path}.approvers`, 'at least one approver is required');
    checkSubjects(v, `${path}.approvers`, t.approvers);
  });
  if (s.escalationLoopTo !== undefined) {
    if (!Number.isInteger(s.escalationLoopTo) || s.escalationLoopTo < 0 || s.escalationLoopTo >= s.escalation.length) {
      v.add('policy.schedule.escalation_loop_to', `must be the index of a tier (0-${Math.max(0, s.escalation.length - 1)})`);
    } else if (s.expireAfterSeconds === 0) {
      v.add('policy.schedule.escalation_loop_to', 'a looping escalation needs expire_after_seconds, so the loop ends');
    }
  }
}

/** Every problem with a policy at once, each naming its field; throws InvalidArgumentError. */
export function validatePolicy(p: PolicyInput): void {
  const v = new Violations();
  if (!p.id) v.add('policy.id', 'is required');
  else if (!POLICY_ID.test(p.id)) v.add('policy.id', 'must be 1-63 lowercase letters, digits or "-"');
  if (!p.action) v.add('policy.action', 'is required');
  else if (!patterns.action.test(p.action)) v.add('policy.action', 'must be dotted lowercase words, e.g. "payouts.change_details"');
  if (p.requirements.length === 0) v.add('policy.requirements', 'at least one approver is required');
  // One requirement is the `approvers` + `quorum` shorthand; name its fields that way.
  const shorthand = p.requirements.length === 1 && p.requirements[0]?.name === 'approvers';
  checkRequirements(v, shorthand ? 'policy' : 'policy.requirements', p.requirements, shorthand);
  checkTiers(v, p.tiers);
  if (!Number.isInteger(p.grantDurationSeconds) || p.grantDurationSeconds < MIN_GRANT_SECONDS || p.grantDurationSeconds > MAX_GRANT_SECONDS) {
    v.add('policy.grant_duration_seconds', `must be between ${MIN_GRANT_SECONDS} and ${MAX_GRANT_SECONDS}`);
  }
  if (p.maxGrantDurationSeconds !== 0) {
    if (!Number.isInteger(p.maxGrantDurationSeconds) || p.maxGrantDurationSeconds > MAX_GRANT_SECONDS) {
      v.add('policy.max_grant_duration_seconds', `must be 0 (the grant duration) or at most ${MAX_GRANT_SECONDS}`);
    } else if (p.maxGrantDurationSeconds < p.grantDurationSeconds) {
      v.add('policy.max_grant_duration_seconds', `must be at least grant_duration_seconds (${p.grantDurationSeconds}), the default a request gets`);
    }
  }
  if (p.acknowledgements.length > MAX_ACKNOWLEDGEMENTS) v.add('policy.acknowledgements', `at most ${MAX_ACKNOWLEDGEMENTS}`);
  const ackIds = new Set<string>();
  p.acknowledgements.forEach((a, i) => {
    if (!ACK_ID.test(a.id)) v.add(`policy.acknowledgements[${i}].id`, 'must be 1-63 lowercase letters, digits or "-"');
    else if (ackIds.has(a.id)) v.add(`policy.acknowledgements[${i}].id`, `"${a.id}" is used by another acknowledgement`);
    ackIds.add(a.id);
    if (!a.text.trim() || a.text.length > 500) v.add(`policy.acknowledgements[${i}].text`, 'must be 1-500 characters');
  });
  checkParametersSchema(v, p.parametersSchema, p.approverEditable);
  checkSeconds(v, 'policy.rerequest_cooldown_seconds', p.rerequestCooldownSeconds, true);
  if (!Number.isInteger(p.maxRequestsPerDay) || p.maxRequestsPerDay < 0 || p.maxRequestsPerDay > 1000) v.add('policy.max_requests_per_day', 'must be 0 (no limit) to 1000');
  if (p.slackChannel && !SLACK_CHANNEL.test(p.slackChannel)) v.add('policy.slack_channel', 'must be a Slack channel id or name');
  checkSchedule(v, p.schedule);
  v.throwIfAny();
}

/** sha256 of the canonical policy document: the same document always hashes the same. */
export function policyHash(p: PolicyInput): string {
  const { id, action, requirements, allowSelfApproval, requireJustification, grantDurationSeconds, slackChannel, schedule, allowBreakGlass } = p;
  const { acknowledgements, maxGrantDurationSeconds, approverEditable, parametersSchema, rerequestCooldownSeconds, maxRequestsPerDay, extensionRequiresApproval, requireStepUpToAct, requireStepUpToApprove, tiers } = p;
  // Fields added later enter the document only when set, so an existing policy keeps its hash.
  const later = {
    ...(allowBreakGlass ? { allowBreakGlass } : {}),
    ...(acknowledgements.length ? { acknowledgements } : {}),
    ...(maxGrantDurationSeconds ? { maxGrantDurationSeconds } : {}),
    ...(approverEditable.length ? { approverEditable } : {}),
    ...(parametersSchema ? { parametersSchema } : {}),
    ...(rerequestCooldownSeconds ? { rerequestCooldownSeconds } : {}),
    ...(maxRequestsPerDay ? { maxRequestsPerDay } : {}),
    ...(extensionRequiresApproval ? { extensionRequiresApproval } : {}),
    ...(requireStepUpToAct ? { requireStepUpToAct } : {}),
    ...(requireStepUpToApprove ? { requireStepUpToApprove } : {}),
    ...(tiers.length ? { tiers } : {}),
  };
  return createHash('sha256')
    .update(canonicalJson({ id, action, requirements, allowSelfApproval, requireJustification, grantDurationSeconds, slackChannel, schedule, ...later }))
    .digest('hex');
}
