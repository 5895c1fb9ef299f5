import type { SlackBlock } from './blocks.js';

/** What a person does from Slack; each maps to one approvals RPC. */
export type SlackDecision = 'APPROVE' | 'DECLINE' | 'REQUEST_CHANGES' | 'COMMENT';

/**
 * Which Assent person a Slack user is, per tenant: a tenant binds one Slack workspace
 * (team id) and maps that workspace's user ids to its principals. Kept in JetStream KV,
 * one record per tenant, so a lookup is one read and a tenant never resolves a user of
 * another tenant's workspace.
 */
export interface SlackUserDirectory {
  /** The principal a Slack user of `team` is in `tenant`; undefined when unmapped or the team is not the tenant's. */
  principalOf(tenant: string, team: string, slackUser: string): Promise<string | undefined>;
  /** The tenant's Slack user id of a principal (to tell a requester the outcome directly). */
  slackUserOf(tenant: string, principal: string): Promise<string | undefined>;
  /** Binds the tenant's workspace and maps a user (replacing an earlier mapping of either side). */
  set(tenant: string, team: string, slackUser: string, principal: string): Promise<void>;
  remove(tenant: string, slackUser: string): Promise<boolean>;
  /** The tenant's workspace and links, by principal (no workspace: undefined). */
  list(tenant: string): Promise<{ team: string; links: { slackUser: string; principal: string }[] } | undefined>;
}

/** Refuses a second delivery of the same signed request, across replicas (Redis). */
export interface ReplayGuard {
  /** True the first time `key` is seen within `ttlMs`; false for a replay. */
  first(key: string, ttlMs: number): Promise<boolean>;
}

/** The Slack calls an interaction answers with (views.open, chat.postEphemeral, response_url). */
export interface SlackInteractionApi {
  openModal(triggerId: string, view: SlackModal): Promise<void>;
  /** Answers only the person who clicked, through the interaction's response_url. */
  respondEphemeral(responseUrl: string, text: string): Promise<void>;
}

export interface SlackModal {
  type: 'modal';
  callback_id: string;
  private_metadata: string;
  title: { type: 'plain_text'; text: string };
  submit: { type: 'plain_text'; text: string };
  close: { type: 'plain_text'; text: string };
  blocks: (SlackBlock | SlackInputBlock)[];
}

export interface SlackInputBlock {
  type: 'input';
  block_id: string;
  label: { type: 'plain_text'; text: string };
  element: { type: 'plain_text_input'; action_id: string; multiline: boolean; max_length: number; placeholder?: { type: 'plain_text'; text: string } };
}

/** approvals, called for the person the notifier verified (assent-acting-for, channel slack). Throws the platform's domain errors. */
export interface SlackApprovals {
  act(person: { tenant: string; principal: string }, requestId: string, decision: SlackDecision, reason: string): Promise<void>;
}

/** An attempt from Slack refused before it reached approvals (an unmapped user), published for audit. */
export interface SlackAttemptAudit {
  refused(attempt: { tenant: string; requestId: string; slackTeam: string; slackUser: string; decision: SlackDecision; reason: string }): Promise<void>;
}

export interface SlackInteractionDeps {
  users: SlackUserDirectory;
  api: SlackInteractionApi;
  approvals: SlackApprovals;
  audit: SlackAttemptAudit;
}
