/** WebSocket upgrades: authenticate (API key or signed token), then hand the socket to a connection shard. */
import type { Context } from 'hono';
import { checkKey, signingSecrets } from '../auth';
import { settings, type Env } from '../env';
import { AUTH_HEADER, CLIENT_ID_HEADER, SHARD_HEADER, type HandoffAuth } from '../connection/shard-object';
import { countWorkerError } from '../stats/sinks';
import { CloseCode, ErrorCode, isToken, PROTOCOL_VERSION, verifyToken, type ErrorFrame, type ServerFrame } from '@pushflodev/sdk/protocol';
import { stub } from '../stub';

/** Accepts the socket only to say why it is refused (counted for the statistics), then closes it. */
function refuse(c: Context<{ Bindings: Env }>, code: ErrorCode, error: string, closeCode: CloseCode): Response {
  countWorkerError(c, code);
  const pair = new WebSocketPair();
  const server = pair[1];
  server.accept();
  server.send(JSON.stringify({ type: 'error', error, code } satisfies ErrorFrame satisfies ServerFrame));
  server.close(closeCode, error.slice(0, 120));
  return new Response(null, { status: 101, webSocket: pair[0] });
}

function randomId(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`;
}

export async function upgrade(c: Context<{ Bindings: Env }>): Promise<Response> {
  if (c.req.header('Upgrade')?.toLowerCase() !== 'websocket') {
    return c.json(
      { success: false, error: 'this endpoint speaks WebSocket: connect with ws://…/ws?token=<publish key or token>', code: ErrorCode.INVALID_REQUEST },
      426,
    );
  }
  const version = c.req.query('v');
  if (version !== undefined && version !== String(PROTOCOL_VERSION)) {
    return refuse(
      c,
      ErrorCode.UNSUPPORTED_PROTOCOL,
      `protocol version ${version} is not supported; this broker speaks ${PROTOCOL_VERSION}`,
      CloseCode.UNSUPPORTED_PROTOCOL,
    );
  }
  const presented = c.req.query('token') ?? '';
  const headers = new Headers(c.req.raw.headers);
  // Identity headers are ours to set: never take them from the client.
  for (const h of [AUTH_HEADER, CLIENT_ID_HEADER, SHARD_HEADER]) headers.delete(h);
  if (isToken(presented)) {
    const check = await verifyToken(presented, signingSecrets(c.env), Math.floor(Date.now() / 1000));
    if (!check.ok) {
      return refuse(c, check.code, check.error, check.code === 'TOKEN_EXPIRED' ? CloseCode.TOKEN_EXPIRED : CloseCode.UNAUTHORIZED);
    }
    const { sub, cap, info, exp } = check.claims;
    headers.set(CLIENT_ID_HEADER, sub);
    headers.set(AUTH_HEADER, JSON.stringify({ cap, info: info === undefined ? null : JSON.stringify(info), exp } satisfies HandoffAuth));
  } else {
    const check = await checkKey(c.env, presented);
    if (!check.ok) {
      const message =
        check.reason === 'missing'
          ? 'missing token: connect with ?token=<publish key or signed token>'
          : check.reason === 'not_configured'
            ? 'the broker has no keys configured'
            : 'invalid token';
      return refuse(c, ErrorCode.UNAUTHORIZED, message, CloseCode.UNAUTHORIZED);
    }
    headers.set(CLIENT_ID_HEADER, randomId('client'));
  }
  const shardCount = settings(c.env).shardCount;
  const shard = `shard-${Math.floor(Math.random() * shardCount)}`;
  headers.set(SHARD_HEADER, shard);
  const shardStub = stub(c.env.SHARD, shard);
  return shardStub.fetch(new Request(c.req.raw.url, { headers }));
}
