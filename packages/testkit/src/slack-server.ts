import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenRestartable } from './restartable-http.js';

/** One Web API call as the server saw it; `body` has JSON-encoded fields (blocks, attachments) decoded. */
export interface SlackCall {
  method: string;
  body: Record<string, unknown>;
  /** HTTP status answered (429 when rate-limited). */
  status: number;
  /** Slack error code when the call answered `ok: false`. */
  error?: string;
  /** When the server received it (ms since epoch). */
  at: number;
}

/** A fault the whole API answers with for a while: Slack rate-limiting (429), failing (5xx), or both in turn. */
export type SlackFault = 'ratelimited' | 'error' | 'mixed';

export interface SlackMessage {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[] | undefined;
  threadTs: string | undefined;
  /** Set once chat.update changed it. */
  edited: boolean;
}

/** A modal opened with views.open. */
export interface SlackView {
  triggerId: string;
  view: Record<string, unknown>;
}

/** A message only `user` sees (chat.postEphemeral, or a response_url answer with no `response_type`). */
export interface SlackEphemeral {
  channel: string;
  user: string;
  text: string;
}

/** What the app POSTed to a response_url. */
export interface SlackResponse {
  key: string;
  body: Record<string, unknown>;
}

export interface SlackServer {
  /** API base for WebClient's `slackApiUrl`, e.g. http://127.0.0.1:PORT/api/ */
  url: string;
  token: string;
  calls: SlackCall[];
  /** Current messages per channel id, oldest first (chat.update replaces in place). */
  messages: Map<string, SlackMessage[]>;
  /** Modals opened (views.open), oldest first. */
  views: SlackView[];
  /** Ephemeral messages (chat.postEphemeral), oldest first. */
  ephemerals: SlackEphemeral[];
  /** Answers POSTed to response URLs, oldest first. */
  responses: SlackResponse[];
  /** A response_url Slack would put in an interaction payload; answers POSTed to it land in `responses` under `key`. */
  responseUrl(key: string): string;
  /** The DM channel id conversations.open answers for a user. */
  dmChannel(user: string): string;
  /** Channel id the server assigned to a channel name (or the id itself). */
  channelId(nameOrId: string): string;
  /** The next `n` calls answer HTTP 429, Retry-After: 1, `{ok:false,error:'ratelimited'}`. */
  rateLimitNext(n: number): void;
  /**
   * For `ms`, every Web API call answers the fault: 429 with Retry-After 1 (`ratelimited`),
   * HTTP 500/503 (`error`), or the two in turn (`mixed`); then the server is healthy again.
   * Out of process (the bench against `make up`): POST /_assent/fault {"fault","seconds"}.
   */
  fault(kind: SlackFault, ms: number): void;
  /** Calls made with this method that answered ok. */
  succeeded(method: string): SlackCall[];
  waitFor(predicate: (server: SlackServer) => boolean, timeoutMs?: number): Promise<void>;
  /** Outage: stops listening and drops open connections (callers get ECONNREFUSED); messages and calls are kept. */
  stop(): Promise<void>;
  /** Listens again on the same port after stop(), with the same messages (a no-op while listening). */
  start(): Promise<void>;
  close(): Promise<void>;
}

const CHANNEL_ID = /^[CGD][A-Z0-9]{8,}$/;
const MAX_BODY = 1024 * 1024;

/**
 * A local HTTP server speaking enough of the Slack Web API (POST /api/<method>,
 * JSON or form-encoded bodies, bearer auth, `{ok, error}` envelopes, 429 with
 * Retry-After) for the real `@slack/web-api` client: chat.postMessage, chat.update
 * auth.test, views.open (modals), chat.postEphemeral, conversations.open (DMs, channel
 * `D<user>`) and response URLs (POST /response/<key>). Channels may be given by name or id; like Slack, chat.postMessage
 * accepts either and answers with the id, while chat.update needs the id.
 * Without `channels` any channel is accepted and created on first use.
 */
export async function startSlackServer(
  opts: {
    token?: string;
    channels?: string[];
    /** Defaults to 0 (a free port); `make up` pins one so the URL is stable. */
    port?: number;
    /** Called with a one-line summary of every call and its kind (`<method> <ok|error>`), for the local demo. */
    log?: (line: string, kind: string) => void;
  } = {},
): Promise<SlackServer> {
  const token = opts.token ?? 'xoxb-assent-test';
  const ids = new Map<string, string>();
  let nextChannel = 1;
  const register = (nameOrId: string): string => {
    const key = nameOrId.replace(/^#/, '');
    const existing = ids.get(key);
    if (existing) return existing;
    const id = CHANNEL_ID.test(key) ? key : `C${String(nextChannel++).padStart(10, '0')}`;
    ids.set(key, id);
    ids.set(id, id);
    return id;
  };
  opts.channels?.forEach(register);
  const open = opts.channels === undefined;
  const lookup = (channel: unknown, idOnly: boolean): string | undefined => {
    if (typeof channel !== 'string' || channel === '') return undefined;
    const key = channel.replace(/^#/, '');
    if (idOnly && !CHANNEL_ID.test(key)) return undefined;
    return ids.get(key) ?? (open ? register(key) : undefined);
  };

  const messages = new Map<string, SlackMessage[]>();
  /** `<channel> <ts>` → message: updates and thread replies find theirs without a scan (make up posts thousands). */
  const byTs = new Map<string, SlackMessage>();
  const calls: SlackCall[] = [];
  const views: SlackView[] = [];
  const ephemerals: SlackEphemeral[] = [];
  const responses: SlackResponse[] = [];
  const dmChannel = (user: string) => `D${user.replace(/[^A-Z0-9]/gi, '').toUpperCase().padEnd(8, '0')}`;
  let rateLimited = 0;
  let faultUntil = 0;
  let faultKind: SlackFault = 'mixed';
  let faultCount = 0;
  let tsCounter = 0;
  const nextTs = () => `1700000000.${String(++tsCounter * 100).padStart(6, '0')}`;

  function methodResult(method: string, body: Record<string, unknown>): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://assent-test.slack.com/', team: 'Assent Test', user: 'assent', team_id: 'T0000000001', user_id: 'U0000000001', bot_id: 'B0000000001' };
      case 'chat.postMessage': {
        const channel = lookup(body['channel'], false);
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (!body['text'] && !body['blocks']) return { ok: false, error: 'no_text' };
        const threadTs = typeof body['thread_ts'] === 'string' ? body['thread_ts'] : undefined;
        if (threadTs && !byTs.has(`${channel} ${threadTs}`)) return { ok: false, error: 'thread_not_found' };
        const msg: SlackMessage = { channel, ts: nextTs(), text: String(body['text'] ?? ''), blocks: asBlocks(body['blocks']), threadTs, edited: false };
        const list = messages.get(channel);
        if (list) list.push(msg);
        else messages.set(channel, [msg]);
        byTs.set(`${channel} ${msg.ts}`, msg);
        return { ok: true, channel, ts: msg.ts, message: wire(msg) };
      }
      case 'chat.update': {
        const channel = lookup(body['channel'], true);
        if (!channel) return { ok: false, error: 'channel_not_found' };
        const msg = byTs.get(`${channel} ${String(body['ts'])}`);
        if (!msg) return { ok: false, error: 'message_not_found' };
        if (body['text'] !== undefined) msg.text = String(body['text']);
        if (body['blocks'] !== undefined) msg.blocks = asBlocks(body['blocks']);
        msg.edited = true;
        return { ok: true, channel, ts: msg.ts, text: msg.text, message: wire(msg) };
      }
      case 'views.open': {
        const triggerId = body['trigger_id'];
        const view = typeof body['view'] === 'string' ? (JSON.parse(body['view']) as Record<string, unknown>) : body['view'];
        if (typeof triggerId !== 'string' || !triggerId) return { ok: false, error: 'invalid_trigger_id' };
        if (!view || typeof view !== 'object' || (view as Record<string, unknown>)['type'] !== 'modal') return { ok: false, error: 'invalid_arguments' };
        views.push({ triggerId, view: view as Record<string, unknown> });
        return { ok: true, view: { id: `V${String(views.length).padStart(10, '0')}`, ...(view as Record<string, unknown>) } };
      }
      case 'chat.postEphemeral': {
        const channel = lookup(body['channel'], false);
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (typeof body['user'] !== 'string' || !body['user']) return { ok: false, error: 'user_not_in_channel' };
        ephemerals.push({ channel, user: body['user'], text: String(body['text'] ?? '') });
        return { ok: true, message_ts: nextTs() };
      }
      case 'conversations.open': {
        const users = typeof body['users'] === 'string' ? body['users'].split(',').filter(Boolean) : [];
        if (users.length !== 1 || !users[0]) return { ok: false, error: 'users_list_not_supplied' };
        return { ok: true, channel: { id: register(dmChannel(users[0])) } };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  /**
   * What a process other than the one that started the server (the bench, against
   * `make up`) needs: start a fault, and read the calls with their receive times
   * (`GET /_assent/calls?from=<index>`, answering `next` for the following read).
   */
  async function handleControl(what: 'fault' | 'calls', req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (what === 'fault' && req.method === 'POST') {
      const body = JSON.parse((await readBody(req)) || '{}') as { fault?: unknown; seconds?: unknown };
      const kind = body.fault === 'ratelimited' || body.fault === 'error' || body.fault === 'mixed' ? body.fault : undefined;
      if (!kind || typeof body.seconds !== 'number' || !(body.seconds >= 0)) return answer(res, 400, { ok: false, error: 'want {"fault":"ratelimited|error|mixed","seconds":n}' });
      self.fault(kind, body.seconds * 1000);
      return answer(res, 200, { ok: true });
    }
    if (what === 'calls' && req.method === 'GET') {
      const from = Math.max(0, Number(new URL(req.url ?? '', 'http://x').searchParams.get('from') ?? 0) || 0);
      const slice = calls.slice(from, from + 5000).map((c) => ({
        method: c.method,
        status: c.status,
        ...(c.error ? { error: c.error } : {}),
        at: c.at,
        channel: String(c.body['channel'] ?? ''),
        text: String(c.body['text'] ?? ''),
        ...(c.body['thread_ts'] ? { threadTs: String(c.body['thread_ts']) } : {}),
      }));
      return answer(res, 200, { ok: true, next: from + slice.length, calls: slice });
    }
    return answer(res, 405, { ok: false, error: 'method_not_allowed' });
  }

  function answer(res: ServerResponse, status: number, payload: Record<string, unknown>, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers }).end(JSON.stringify(payload));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const control = /^\/_assent\/(fault|calls)$/.exec((req.url ?? '').split('?')[0] ?? '');
    if (control) return handleControl(control[1] as 'fault' | 'calls', req, res);
    const response = /^\/response\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '');
    if (response?.[1] && req.method === 'POST') {
      const body = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>;
      responses.push({ key: response[1], body });
      opts.log?.(`response_url ${response[1]}: ${String(body['text'] ?? '')}`, 'response_url ok');
      return answer(res, 200, { ok: true });
    }
    const m = /^\/api\/([A-Za-z][A-Za-z0-9.]*)$/.exec((req.url ?? '/').split('?')[0] ?? '/');
    if (req.method !== 'POST' || !m?.[1]) return answer(res, 404, { ok: false, error: 'unknown_method' });
    const method = m[1];
    const body = parseBody(await readBody(req), req.headers['content-type']);
    const record = (status: number, error?: string) => {
      calls.push({ method, body, status, at: Date.now(), ...(error ? { error } : {}) });
      opts.log?.(
        `${method} ${String(body['channel'] ?? '')}${body['thread_ts'] ? ` (thread ${String(body['thread_ts'])})` : ''} → ${error ?? 'ok'}${body['text'] ? `: ${String(body['text'])}` : ''}`,
        `${method} ${error ?? 'ok'}`,
      );
    };
    if (rateLimited > 0 || Date.now() < faultUntil) {
      const limited = rateLimited > 0 || faultKind === 'ratelimited' || (faultKind === 'mixed' && faultCount++ % 2 === 0);
      if (rateLimited > 0) rateLimited--;
      if (limited) {
        record(429, 'ratelimited');
        return answer(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': '1' });
      }
      const status = faultCount % 4 < 2 ? 500 : 503;
      record(status, 'http_error');
      return answer(res, status, { ok: false, error: 'internal_error' });
    }
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? (typeof body['token'] === 'string' ? body['token'] : undefined);
    const result = !auth ? { ok: false, error: 'not_authed' } : auth !== token ? { ok: false, error: 'invalid_auth' } : methodResult(method, body);
    record(200, result['ok'] ? undefined : String(result['error']));
    answer(res, 200, result);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) answer(res, 200, { ok: false, error: 'invalid_form_data', detail: err.message });
    });
  });
  const { port, stop, start } = await listenRestartable(server, opts.port);

  const self: SlackServer = {
    url: `http://127.0.0.1:${port}/api/`,
    token,
    calls,
    messages,
    views,
    ephemerals,
    responses,
    responseUrl: (key) => `http://127.0.0.1:${port}/response/${key}`,
    dmChannel,
    channelId: (nameOrId) => {
      const id = lookup(nameOrId, false);
      if (!id) throw new Error(`unknown Slack channel ${nameOrId}`);
      return id;
    },
    rateLimitNext(n) {
      rateLimited = n;
    },
    fault(kind, ms) {
      faultKind = kind;
      faultCount = 0;
      faultUntil = Date.now() + ms;
    },
    succeeded: (method) => calls.filter((c) => c.method === method && c.status === 200 && !c.error),
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(self)) {
        if (Date.now() > deadline) {
          throw new Error(`slack server: condition not met in ${timeoutMs} ms; calls: ${JSON.stringify(calls.map((c) => ({ method: c.method, status: c.status, error: c.error })))}`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    stop,
    start,
    close: stop,
  };
  return self;
}

function wire(msg: SlackMessage): Record<string, unknown> {
  return {
    type: 'message',
    bot_id: 'B0000000001',
    text: msg.text,
    ts: msg.ts,
    ...(msg.blocks ? { blocks: msg.blocks } : {}),
    ...(msg.threadTs ? { thread_ts: msg.threadTs } : {}),
    ...(msg.edited ? { edited: { user: 'B0000000001', ts: msg.ts } } : {}),
  };
}

function asBlocks(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

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

/** Slack accepts JSON or form fields; form fields holding objects (blocks) are JSON strings. */
function parseBody(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  if (contentType?.includes('application/json')) return JSON.parse(raw) as Record<string, unknown>;
  const body: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    body[key] = (key === 'blocks' || key === 'attachments' || key === 'metadata' || key === 'view') && /^[[{]/.test(value) ? JSON.parse(value) : value;
  }
  return body;
}
