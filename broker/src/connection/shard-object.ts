/**
 * A connection shard: a Durable Object holding up to tens of thousands of
 * hibernatable WebSockets. A thin adapter: the Hub does the work; this class
 * wires it to the runtime (socket attachments, RPC to channels, heartbeat
 * alarm). Pings in the exact public-client form are answered by the runtime
 * without waking the object.
 */
import { DurableObject } from 'cloudflare:workers';
import { settings, type Env } from '../env';
import {
  CloseCode,
  PING_TEXT,
  PONG_TEXT,
  PROTOCOL_VERSION,
  type ConnectedFrame,
  type ServerFrame,
} from '@pushflodev/sdk/protocol';
import type { Entry } from '../channel/fanout';
import { Hub, type SocketMeta } from './hub';

/** Headers the Worker uses to hand a socket to its shard. */
export const SHARD_HEADER = 'x-switchyard-shard';
export const CLIENT_ID_HEADER = 'x-switchyard-client-id';

export class ShardObject extends DurableObject<Env> {
  private readonly hub: Hub<WebSocket>;
  private name: string;
  private readonly heartbeatTimeoutMs: number;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const s = settings(env);
    this.heartbeatTimeoutMs = s.heartbeatTimeoutMs;
    this.name = (ctx.storage.kv.get<string>('name') as string | undefined) ?? '';
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_TEXT, PONG_TEXT));
    this.hub = new Hub<WebSocket>(
      {
        meta: (ws) => this.meta(ws),
        saveMeta: (ws, meta) => ws.serializeAttachment(meta),
        join: (channel, n, lastSeq, epoch) => this.channel(channel).join(channel, this.name, n, lastSeq, epoch),
        leave: (channel, n) => this.channel(channel).leave(this.name, n),
        now: () => Date.now(),
      },
      {
        maxSubscriptionsPerSocket: s.maxSubscriptionsPerSocket,
        framesPerSecond: s.socketFramesPerSecond,
        maxPendingBuffer: 10_000,
        heartbeatTimeoutMs: s.heartbeatTimeoutMs,
      },
    );
    this.hub.restore(ctx.getWebSockets());
  }

  private channel(name: string) {
    return this.env.CHANNEL.get(this.env.CHANNEL.idFromName(name));
  }

  /** The socket's attachment (the source of truth, so it survives hibernation). */
  private meta(ws: WebSocket): SocketMeta {
    const now = Date.now();
    return (ws.deserializeAttachment() as SocketMeta | null) ?? { clientId: 'unknown', connectedAt: now, seenAt: now, channels: [] };
  }

  /** Accepts a socket the Worker has already authenticated. */
  override async fetch(request: Request): Promise<Response> {
    const shard = request.headers.get(SHARD_HEADER);
    const clientId = request.headers.get(CLIENT_ID_HEADER);
    if (shard === null || clientId === null) return new Response('not for direct use', { status: 400 });
    if (this.name !== shard) {
      this.name = shard;
      this.ctx.storage.kv.put('name', shard);
    }
    const pair = new WebSocketPair();
    const server = pair[1];
    this.ctx.acceptWebSocket(server);
    const now = Date.now();
    const meta: SocketMeta = { clientId, connectedAt: now, seenAt: now, channels: [] };
    server.serializeAttachment(meta);
    const connected: ConnectedFrame = {
      type: 'connected',
      clientId,
      timestamp: now,
      protocol: PROTOCOL_VERSION,
      heartbeatTimeout: this.heartbeatTimeoutMs,
    };
    server.send(JSON.stringify(connected satisfies ServerFrame));
    await this.ensureAlarm();
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await this.hub.onFrame(ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? CloseCode.NORMAL : code, reason);
    } catch {
      // already closed
    }
    await this.hub.onClose(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    await this.hub.onClose(ws);
  }

  /** Live messages from a channel object. */
  deliver(channel: string, entries: Entry[]): number {
    return this.hub.deliver(channel, entries);
  }

  /** A channel's outbox to this shard overflowed. */
  evict(channel: string): void {
    this.hub.evict(channel);
  }

  /** Heartbeat sweep: close sockets that have gone silent, so their subscriptions are dropped. */
  override async alarm(): Promise<void> {
    await this.sweep(Date.now());
  }

  /** Closes sockets silent since before `now - heartbeatTimeout`; returns how many. */
  async sweep(now: number): Promise<number> {
    const sockets = this.ctx.getWebSockets();
    const stale = this.hub.stale(sockets, now, (ws) => this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? null);
    for (const ws of stale) {
      try {
        ws.close(CloseCode.HEARTBEAT_TIMEOUT, 'no frames for too long; reconnect and resume');
      } catch {
        // already gone
      }
      await this.hub.onClose(ws);
    }
    if (sockets.length > stale.length) await this.ctx.storage.setAlarm(Date.now() + this.sweepEveryMs());
    return stale.length;
  }

  /** Sockets held and subscriptions per channel, for stats and tests. */
  stats(): { sockets: number } {
    return { sockets: this.ctx.getWebSockets().length };
  }

  private sweepEveryMs(): number {
    return Math.max(1_000, Math.min(30_000, Math.floor(this.heartbeatTimeoutMs / 2)));
  }

  private async ensureAlarm(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + this.sweepEveryMs());
  }
}
