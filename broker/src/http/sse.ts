/**
 * The SSE transport's HTTP surface (the wire contract is in the SDK's
 * `protocol/sse.ts`), for networks that block WebSockets:
 *
 * - `GET /sse?token=…&channel=…` checks the credential, the channels, the
 *   cursor (`Last-Event-ID` or `lastEventId`) and the limits exactly as `/ws`
 *   would, answering a refusal as JSON before any stream starts, then hands
 *   the stream to a connection shard, which holds it like a socket.
 * - `POST /sse/frames?connection=…` (bearer: the connection's secret) passes
 *   client frames to the shard holding that stream; `DELETE /sse?connection=…`
 *   ends the stream (a clean close: its presence leaves at once).
 *
 * Both answer CORS preflights from any origin (no cookies are involved: the
 * credentials are in the URL and the Authorization header); a page whose
 * `Origin` is not in `ALLOWED_ORIGINS` is then refused with 403
 * `ORIGIN_NOT_ALLOWED` (./origins.ts).
 */
import { Hono, type Context } from 'hono';
import {
  channelNameProblem,
  ErrorCode,
  grants,
  isPrivateChannel,
  MAX_SSE_FRAMES_PER_POST,
  parseCursor,
  PROTOCOL_VERSION,
  SseParam,
  type ApiError,
  type ApiSuccess,
} from '@pushflodev/sdk/protocol';
import { bearer } from '../auth';
import { settings } from '../env';
import type { ShardObject } from '../connection/shard-object';
import { SSE_HEADERS, SSE_SHARD_PATH, type SseOpenPlan } from '../connection/sse-streams';
import { countWorkerError } from '../stats/sinks';
import { stub } from '../stub';
import type { AppEnv } from './auth-middleware';
import { authenticateConnection } from './connect-auth';
import { originProblem } from './origins';

type Ctx = Context<AppEnv>;

const CORS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
  'Access-Control-Allow-Headers': 'Authorization, Content-Type, Last-Event-ID, Cache-Control',
  'Access-Control-Max-Age': '7200',
};

/** SSE connection ids name their shard: `sse_<shard index>_<20 hex digits>`. */
const CONNECTION_ID = /^sse_(\d{1,4})_[0-9a-f]{20}$/;

function fail(c: Ctx, status: 400 | 401 | 403 | 404 | 413, code: ErrorCode, error: string): Response {
  countWorkerError(c, code);
  return Response.json({ success: false, error, code } satisfies ApiError, { status, headers: CORS });
}

function hex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function open(c: Ctx): Promise<Response> {
  const version = c.req.query(SseParam.version);
  if (version !== undefined && version !== String(PROTOCOL_VERSION)) {
    return fail(
      c,
      400,
      ErrorCode.UNSUPPORTED_PROTOCOL,
      `protocol version ${version} is not supported; this broker speaks ${PROTOCOL_VERSION}`,
    );
  }
  const who = await authenticateConnection(c.env, c.req.query(SseParam.token) ?? '');
  if (!who.ok) return fail(c, 401, who.code, who.error);

  const cursor = parseCursor(c.req.header('Last-Event-ID') ?? c.req.query(SseParam.cursor) ?? '');
  if (!cursor.ok) return fail(c, 400, ErrorCode.INVALID_CURSOR, `${cursor.error} (send back the id of the last event you got)`);
  const channels = new Map<string, SseOpenPlan['channels'][number]>();
  for (const channel of c.req.queries(SseParam.channel) ?? []) {
    const problem = channelNameProblem(channel);
    if (problem !== null) return fail(c, 400, ErrorCode.INVALID_CHANNEL, problem);
    channels.set(channel, { channel });
  }
  for (const e of cursor.entries) {
    const resume: SseOpenPlan['channels'][number] = { channel: e.channel, lastSeq: e.seq };
    if (e.epoch !== null) resume.epoch = e.epoch;
    channels.set(e.channel, resume);
  }
  const s = settings(c.env);
  if (channels.size > s.maxSubscriptionsPerSocket) {
    return fail(
      c,
      400,
      ErrorCode.TOO_MANY_SUBSCRIPTIONS,
      `a stream may hold ${s.maxSubscriptionsPerSocket} channels; this one asks for ${channels.size}`,
    );
  }
  for (const channel of channels.keys()) {
    if (isPrivateChannel(channel) && (who.auth === null || !grants(who.auth.cap, channel, 'subscribe'))) {
      return fail(c, 403, ErrorCode.FORBIDDEN, `'${channel}' is private: connect with a token that grants 'subscribe' on it`);
    }
  }

  const index = Math.floor(Math.random() * s.shardCount);
  const shard = `shard-${index}`;
  const plan: SseOpenPlan = {
    shard,
    connectionId: `sse_${index}_${hex(10)}`,
    secret: hex(24),
    clientId: who.clientId,
    auth: who.auth,
    channels: [...channels.values()],
    heartbeatEvents: c.req.query(SseParam.heartbeats) === 'event',
  };
  const shardStub = stub(c.env.SHARD, shard);
  const res = await shardStub.fetch(new Request(`https://shard${SSE_SHARD_PATH}`, { method: 'POST', body: JSON.stringify(plan) }));
  const headers = new Headers(res.headers);
  for (const [k, v] of Object.entries(CORS)) headers.set(k, v);
  if (res.ok) for (const [k, v] of Object.entries(SSE_HEADERS)) headers.set(k, v);
  return new Response(res.body, { status: res.status, headers });
}

/** The shard holding `?connection=` and the bearer secret, or the refusal. */
function target(
  c: Ctx,
): { ok: true; connectionId: string; secret: string; shard: DurableObjectStub<ShardObject> } | { ok: false; response: Response } {
  const connectionId = c.req.query(SseParam.connection) ?? '';
  const match = CONNECTION_ID.exec(connectionId);
  if (match === null || Number(match[1]) >= settings(c.env).shardCount) {
    return {
      ok: false,
      response: fail(
        c,
        404,
        ErrorCode.CONNECTION_NOT_FOUND,
        `no SSE stream '${connectionId.slice(0, 64)}': use the connectionId of the stream's 'connected' event`,
      ),
    };
  }
  const secret = bearer(c.req.header('Authorization'));
  if (secret === null) {
    return {
      ok: false,
      response: fail(
        c,
        401,
        ErrorCode.UNAUTHORIZED,
        "missing secret: send 'Authorization: Bearer <connectionSecret>' from the stream's 'connected' event",
      ),
    };
  }
  return { ok: true, connectionId, secret, shard: stub(c.env.SHARD, `shard-${match[1]}`) };
}

/** `DELETE /sse?connection=…`: the client ends its stream (its presence leaves at once). */
async function end(c: Ctx): Promise<Response> {
  const t = target(c);
  if (!t.ok) return t.response;
  const result = await t.shard.sseEnd(t.connectionId, t.secret);
  if (!result.ok) return fail(c, result.status, result.code, result.error);
  return new Response(null, { status: 204, headers: CORS });
}

async function frames(c: Ctx): Promise<Response> {
  const t = target(c);
  if (!t.ok) return t.response;
  const { connectionId, secret } = t;
  // Read within MAX_SSE_POST_BYTES before this runs (readBody in http/input.ts).
  let body: unknown;
  try {
    body = JSON.parse(c.get('bodyText') ?? '');
  } catch {
    return fail(c, 400, ErrorCode.INVALID_JSON, 'body is not valid JSON: send one client frame or a list of them');
  }
  const list = Array.isArray(body) ? body : [body];
  if (list.length === 0 || list.length > MAX_SSE_FRAMES_PER_POST) {
    return fail(c, 400, ErrorCode.INVALID_REQUEST, `send 1 to ${MAX_SSE_FRAMES_PER_POST} frames per request`);
  }
  // Each frame is checked by the hub as a socket frame would be: a bad one gets an `error` event on the stream.
  const result = await t.shard.sseFrames(
    connectionId,
    secret,
    list.map((f) => JSON.stringify(f)),
  );
  if (!result.ok) return fail(c, result.status, result.code, result.error);
  return Response.json({ success: true, data: { accepted: result.accepted } } satisfies ApiSuccess<{ accepted: number }>, {
    status: 202,
    headers: CORS,
  });
}

/** `GET /sse`, `POST /sse/frames` and their CORS preflights; mounted at `/sse`. */
export const sse = new Hono<AppEnv>();
sse.options('*', () => new Response(null, { status: 204, headers: CORS }));
// A page on an origin not allowed is refused before any stream starts (and before its frames or DELETE are looked at).
sse.use('*', async (c, next) => {
  if (c.req.method === 'OPTIONS') return next();
  const problem = originProblem(c.env, c.req.raw);
  if (problem !== null) return fail(c, 403, ErrorCode.ORIGIN_NOT_ALLOWED, problem);
  return next();
});
sse.get('/', open);
sse.delete('/', end);
sse.post('/frames', frames);
