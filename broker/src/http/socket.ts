/** WebSocket upgrades: authenticate (API key or signed token), then hand the socket to a connection shard. */
import type { Context } from 'hono';
import { authenticateConnection } from './connect-auth';
import { originProblem } from './origins';
import { settings, type Env } from '../env';
import { AUTH_HEADER, CLIENT_ID_HEADER, SHARD_HEADER, type HandoffAuth } from '../connection/shard-object';
import { countWorkerError } from '../stats/sinks';
import { CloseCode, ErrorCode, PROTOCOL_VERSION, type ErrorFrame, type ServerFrame } from '@pushflodev/sdk/protocol';
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

export async function upgrade(c: Context<{ Bindings: Env }>): Promise<Response> {
  // A page on an origin not allowed is refused before anything else, with a plain 403 (no upgrade).
  const badOrigin = originProblem(c.env, c.req.raw);
  if (badOrigin !== null) {
    countWorkerError(c, ErrorCode.ORIGIN_NOT_ALLOWED);
    return c.json({ success: false, error: badOrigin, code: ErrorCode.ORIGIN_NOT_ALLOWED }, 403);
  }
  if (c.req.header('Upgrade')?.toLowerCase() !== 'websocket') {
    return c.json(
      {
        success: false,
        error: 'this endpoint speaks WebSocket: connect with ws://…/ws?token=<publish key or token>',
        code: ErrorCode.INVALID_REQUEST,
      },
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
  const headers = new Headers(c.req.raw.headers);
  // Identity headers are ours to set: never take them from the client.
  for (const h of [AUTH_HEADER, CLIENT_ID_HEADER, SHARD_HEADER]) headers.delete(h);
  const who = await authenticateConnection(c.env, c.req.query('token') ?? '');
  if (!who.ok)
    return refuse(c, who.code, who.error, who.code === ErrorCode.TOKEN_EXPIRED ? CloseCode.TOKEN_EXPIRED : CloseCode.UNAUTHORIZED);
  headers.set(CLIENT_ID_HEADER, who.clientId);
  if (who.auth !== null) headers.set(AUTH_HEADER, JSON.stringify(who.auth satisfies HandoffAuth));
  const shardCount = settings(c.env).shardCount;
  const shard = `shard-${Math.floor(Math.random() * shardCount)}`;
  headers.set(SHARD_HEADER, shard);
  const shardStub = stub(c.env.SHARD, shard);
  return shardStub.fetch(new Request(c.req.raw.url, { headers }));
}
