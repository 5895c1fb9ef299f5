import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpHandler, Logger } from '@assent/platform';
import { handleSlackInteraction, REASON_BLOCK, type SlackInteraction } from '../../domain/commands/handle-slack-interaction.js';
import type { ReplayGuard, SlackInteractionDeps } from '../../domain/slack/interaction-ports.js';
import { checkSlackSignature, SLACK_SIGNATURE_WINDOW_MS } from '../../domain/slack/slack-signature.js';

export const SLACK_INTERACTIVITY_PATH = '/slack/interactivity';
/** Slack's interaction payloads are a few KB; anything far larger is not Slack. */
const MAX_BODY = 256 * 1024;

/**
 * POST /slack/interactivity, the Request URL of the Slack app's Interactivity. Believes
 * only a request signed with the signing secret (v0, constant-time compare) whose
 * timestamp is within 5 minutes, and only once: the signature is remembered in Redis
 * (SET NX, shared by every replica) for the window, so a captured request cannot be
 * replayed. Answers within Slack's 3 s: a button opens a modal (one Slack call); a
 * modal's submission is one approvals call (deadline 2.5 s) whose refusal is shown in
 * the modal.
 */
export function slackInteractivityHandler(opts: {
  signingSecret: string;
  deps: SlackInteractionDeps;
  replay: ReplayGuard;
  logger: Logger;
  now?: () => number;
}): HttpHandler {
  const now = opts.now ?? Date.now;
  return async (req, res) => {
    if ((req.url ?? '').split('?')[0] !== SLACK_INTERACTIVITY_PATH) return false;
    if (req.method !== 'POST') return reply(res, 405, 'POST only', { allow: 'POST' });
    let raw: string;
    try {
      raw = await readBody(req);
    } catch {
      return reply(res, 413, 'body too large');
    }
    const problem = checkSlackSignature(opts.signingSecret, { timestamp: header(req, 'x-slack-request-timestamp'), signature: header(req, 'x-slack-signature') }, raw, now());
    if (problem) {
      opts.logger.warn({ problem }, 'Slack interaction refused: signature');
      return reply(res, 401, problem === 'stale' ? 'timestamp too far from now' : 'invalid signature');
    }
    // Slack retries an unanswered interaction with the same signature: the first one is being handled.
    if (!(await opts.replay.first(`sig:${header(req, 'x-slack-signature') ?? ''}`, SLACK_SIGNATURE_WINDOW_MS * 2))) {
      opts.logger.warn('Slack interaction refused: replayed');
      return reply(res, 409, 'replayed request');
    }
    const interaction = parseInteraction(raw);
    if (!interaction) return reply(res, 400, 'not a block_actions or view_submission payload');
    const log = opts.logger.child({ slackTeam: interaction.team, slackUser: interaction.user, interaction: interaction.type });
    try {
      const answer = await handleSlackInteraction(opts.deps, interaction);
      if (answer.kind === 'errors') {
        log.info({ errors: answer.errors }, 'Slack submission refused');
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ response_action: 'errors', errors: answer.errors }));
        return true;
      }
      return reply(res, 200, '');
    } catch (err) {
      log.error({ err }, 'Slack interaction failed');
      if (interaction.type === 'view_submission') {
        res
          .writeHead(200, { 'content-type': 'application/json; charset=utf-8' })
          .end(JSON.stringify({ response_action: 'errors', errors: { [REASON_BLOCK]: 'Assent could not take this right now; nothing was changed. Try again in a moment.' } }));
        return true;
      }
      return reply(res, 500, 'failed');
    }
  };
}

function reply(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): true {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(text);
  return true;
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** `payload=<JSON>`, form-encoded, as Slack sends interactions. */
export function parseInteraction(raw: string): SlackInteraction | undefined {
  let p: Json;
  try {
    p = obj(JSON.parse(new URLSearchParams(raw).get('payload') ?? ''));
  } catch {
    return undefined;
  }
  const team = str(obj(p['team'])['id']);
  const user = str(obj(p['user'])['id']);
  if (!team || !user) return undefined;
  if (p['type'] === 'block_actions') {
    const actions = Array.isArray(p['actions']) ? p['actions'].map((a) => ({ actionId: str(obj(a)['action_id']), value: str(obj(a)['value']) })) : [];
    return { type: 'block_actions', team, user, triggerId: str(p['trigger_id']), responseUrl: str(p['response_url']), actions };
  }
  if (p['type'] === 'view_submission') {
    const view = obj(p['view']);
    const reason = obj(obj(obj(obj(view['state'])['values'])[REASON_BLOCK])[REASON_BLOCK])['value'];
    return { type: 'view_submission', team, user, callbackId: str(view['callback_id']), privateMetadata: str(view['private_metadata']), reason: typeof reason === 'string' ? reason : undefined };
  }
  return undefined;
}
