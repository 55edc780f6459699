/**
 * A connection shard: a Durable Object holding up to tens of thousands of
 * hibernatable WebSockets. A thin adapter: the Hub does the work; this class
 * wires it to the runtime (attachments, SQLite, RPC to channels, the sweep
 * alarm). Pings in the exact public-client form are answered by the runtime
 * without waking the object.
 */
import { DurableObject } from 'cloudflare:workers';
import { settings, type Env } from '../env';
import { signingSecrets } from '../auth';
import {
  COALESCE_QUERY_PARAM,
  PING_TEXT,
  PONG_TEXT,
  PROTOCOL_VERSION,
  verifyToken,
  type ConnectedFrame,
  type ServerFrame,
} from '@pushflodev/sdk/protocol';
import type { Entry } from '../rpc';
import { stub } from '../stub';
import { Hub, type SocketAuth, type SocketMeta } from './hub';
import { SseStream } from './sse-stream';
import { SSE_SHARD_PATH, SseStreams, type SseFramesResult, type SseOpenPlan } from './sse-streams';
import { ShardStore } from './shard-store';
import { StatsReporter, timerScheduler } from '../stats/reporter';
import { statsSink } from '../stats/sinks';

/** Headers the Worker uses to hand a socket to its shard. */
export const SHARD_HEADER = 'x-switchyard-shard';
export const CLIENT_ID_HEADER = 'x-switchyard-client-id';
/** JSON `{cap, info, exp}` for token sockets. */
export const AUTH_HEADER = 'x-switchyard-auth';

/** How often clients should ping (ms): three pings fit in the presence timeout. */
export const PING_INTERVAL_MS = 8_000;
/** SSE streams one shard holds at most (each is an open response kept in memory). */
export const MAX_SSE_STREAMS = 10_000;
/** Output an SSE stream may have written and not yet read by its client; past it the stream ends (it resumes). */
export const MAX_SSE_UNREAD_BYTES = 2 * 1024 * 1024;

const newConnectionId = () => `conn_${crypto.randomUUID().replaceAll('-', '').slice(0, 20)}`;

export interface HandoffAuth extends SocketAuth {
  /** Token expiry, seconds since the epoch. */
  exp: number;
}

export class ShardObject extends DurableObject<Env> {
  private readonly hub: Hub<WebSocket | SseStream>;
  /** SSE streams held beside the sockets (src/http/sse.ts). */
  private readonly sse: SseStreams;
  private name: string;
  private readonly heartbeatTimeoutMs: number;
  private readonly presenceTimeoutMs: number;
  /** Deliveries, latency, sockets and error frames, reported to the StatsObject at most once a second. */
  private readonly statsReporter: StatsReporter;
  /** Sockets held (as getWebSockets() would count them). */
  private socketCount: number;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const s = settings(env);
    this.heartbeatTimeoutMs = s.heartbeatTimeoutMs;
    this.presenceTimeoutMs = s.presenceTimeoutMs;
    this.name = (ctx.storage.kv.get<string>('name') as string | undefined) ?? '';
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING_TEXT, PONG_TEXT));
    this.statsReporter = new StatsReporter(
      () => this.name || 'shard',
      () => statsSink(env),
      undefined,
      timerScheduler,
    );
    // Counted rather than read from getWebSockets() on every report (that builds a wrapper per socket);
    // re-synced on every sweep.
    this.socketCount = ctx.getWebSockets().length;
    this.statsReporter.gauge = () => ({ sockets: this.socketCount + this.sse.size, subscriptions: this.hub.subscriptionCount() });
    this.hub = new Hub<WebSocket | SseStream>(
      {
        meta: (ws) => (ws instanceof SseStream ? ws.meta : this.meta(ws)),
        saveMeta: (ws, meta) => {
          if (ws instanceof SseStream) ws.meta = meta;
          else ws.serializeAttachment(meta);
        },
        store: new ShardStore(ctx.storage.sql),
        join: (channel, n, options) => stub(env.CHANNEL, channel).join(this.name, n, options),
        leave: (channel, n, presence) => stub(env.CHANNEL, channel).leave(this.name, n, presence),
        publishMany: (channel, inputs) => stub(env.CHANNEL, channel).publishMany(inputs),
        verifyToken: (token) => verifyToken(token, signingSecrets(env), Math.floor(Date.now() / 1000)),
        now: () => Date.now(),
        countError: (code) => this.statsReporter.countError(code),
        // An SSE stream has its own unread-output cap (sse-stream.ts): the WebSocket cap never closes it.
        lastPing: (ws) => (ws instanceof SseStream ? Date.now() : (this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? null)),
        onSlowConsumer: (id) =>
          console.warn(
            `[${this.name || 'shard'}] slow consumer: closed ${id} (4002) after ${s.slowConsumerBytes} bytes without a frame from it`,
          ),
      },
      {
        maxSubscriptionsPerSocket: s.maxSubscriptionsPerSocket,
        framesPerSecond: s.socketFramesPerSecond,
        clientEventsPerSecond: s.clientEventsPerSecond,
        maxPendingBuffer: 10_000,
        heartbeatTimeoutMs: s.heartbeatTimeoutMs,
        presenceTimeoutMs: s.presenceTimeoutMs,
        slowConsumerBytes: s.slowConsumerBytes,
      },
    );
    void this.hub.restore(ctx.getWebSockets());
    this.sse = new SseStreams(this.hub, {
      heartbeatMs: s.sseHeartbeatMs,
      heartbeatTimeoutMs: s.heartbeatTimeoutMs,
      maxStreams: MAX_SSE_STREAMS,
      maxBufferedBytes: MAX_SSE_UNREAD_BYTES,
      now: () => Date.now(),
      opened: () => this.statsReporter.countSocket(1, 0),
      ended: () => this.statsReporter.countSocket(0, 1),
    });
  }

  /** The socket's attachment (the source of truth, so it survives hibernation). */
  private meta(ws: WebSocket): SocketMeta {
    const meta = ws.deserializeAttachment() as SocketMeta | null;
    if (meta !== null) return meta;
    // Every accepted socket gets its attachment before anything else; should one lack it,
    // it still gets an id of its own (saved, so it keeps it), never one shared with others.
    const now = Date.now();
    const fresh: SocketMeta = {
      id: newConnectionId(),
      clientId: 'unknown',
      connectedAt: now,
      seenAt: now,
      token: false,
      exp: null,
      presence: false,
    };
    ws.serializeAttachment(fresh);
    return fresh;
  }

  /** Accepts a socket (or an SSE stream) the Worker has already authenticated. */
  override async fetch(request: Request): Promise<Response> {
    if (new URL(request.url).pathname === SSE_SHARD_PATH) return this.openSse((await request.json()) as SseOpenPlan);
    const shard = request.headers.get(SHARD_HEADER);
    const clientId = request.headers.get(CLIENT_ID_HEADER);
    if (shard === null || clientId === null) return new Response('not for direct use', { status: 400 });
    if (this.name !== shard) {
      this.name = shard;
      this.ctx.storage.kv.put('name', shard);
    }
    const authHeader = request.headers.get(AUTH_HEADER);
    const auth = authHeader === null ? null : (JSON.parse(authHeader) as HandoffAuth);
    const pair = new WebSocketPair();
    const server = pair[1];
    this.ctx.acceptWebSocket(server);
    const now = Date.now();
    const meta: SocketMeta = {
      id: newConnectionId(),
      clientId,
      connectedAt: now,
      seenAt: now,
      token: auth !== null,
      exp: auth === null ? null : auth.exp * 1000,
      presence: false,
    };
    if (new URL(request.url).searchParams.get(COALESCE_QUERY_PARAM) === '1') meta.coalesce = true;
    server.serializeAttachment(meta);
    if (auth !== null) this.hub.authorize(meta.id, { cap: auth.cap, info: auth.info });
    const connected: ConnectedFrame = {
      type: 'connected',
      clientId,
      timestamp: now,
      protocol: PROTOCOL_VERSION,
      heartbeatTimeout: this.heartbeatTimeoutMs,
      pingInterval: PING_INTERVAL_MS,
    };
    server.send(JSON.stringify(connected satisfies ServerFrame));
    this.socketCount++;
    this.statsReporter.countSocket(1, 0);
    await this.ensureAlarm();
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await this.hub.onFrame(ws, message);
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // already closed
    }
    this.socketCount = Math.max(0, this.socketCount - 1);
    this.statsReporter.countSocket(0, 1);
    await this.hub.onClose(ws);
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.socketCount = this.ctx.getWebSockets().length;
    await this.hub.onClose(ws);
  }

  private async openSse(plan: SseOpenPlan): Promise<Response> {
    if (this.name !== plan.shard) {
      this.name = plan.shard;
      this.ctx.storage.kv.put('name', plan.shard);
    }
    const response = this.sse.open(plan);
    await this.ensureAlarm();
    return response;
  }

  /** Frames POSTed for one of this shard's SSE streams (`POST /sse/frames`). */
  sseFrames(connectionId: string, secret: string, frames: string[]): Promise<SseFramesResult> {
    return this.sse.frames(connectionId, secret, frames);
  }

  /** The client ends one of this shard's SSE streams (`DELETE /sse`). */
  sseEnd(connectionId: string, secret: string): SseFramesResult {
    return this.sse.end(connectionId, secret);
  }

  /** Frames from a channel object. */
  deliver(channel: string, entries: Entry[]): number {
    const subscribers = this.hub.deliver(channel, entries);
    if (subscribers > 0) {
      const acceptedAt: number[] = [];
      for (const e of entries) if (e.at !== undefined && e.seq !== undefined) acceptedAt.push(e.at);
      const now = Date.now();
      this.statsReporter.countDelivered(channel, subscribers * entries.length, acceptedAt, now);
    }
    return subscribers;
  }

  /** A channel's outbox to this shard overflowed. */
  evict(channel: string): void {
    this.hub.evict(channel);
  }

  override async alarm(): Promise<void> {
    await this.sweep(Date.now());
  }

  /** Closes silent sockets (presence members sooner) and expired tokens; returns how many. */
  async sweep(now: number): Promise<number> {
    // An SSE stream is not silent-swept (its client sends nothing; a gone client ends the stream), only expired.
    const sockets = [...this.ctx.getWebSockets(), ...this.sse.list()];
    const closed = await this.hub.sweep(sockets, now, (ws) =>
      ws instanceof SseStream ? now : (this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? null),
    );
    this.socketCount = this.ctx.getWebSockets().length;
    const left = [...this.ctx.getWebSockets(), ...this.sse.list()];
    // Refresh this shard's gauge (sockets, subscriptions) even when nothing else happens.
    this.statsReporter.touch();
    if (left.length > 0) await this.ctx.storage.setAlarm(Date.now() + this.sweepEveryMs(left));
    return closed;
  }

  /** Sockets and SSE streams held, for stats and tests. */
  stats(): { sockets: number; streams: number } {
    return { sockets: this.ctx.getWebSockets().length, streams: this.sse.size };
  }

  private sweepEveryMs(sockets: Array<WebSocket | SseStream>): number {
    const presence = sockets.some((ws) => (ws instanceof SseStream ? ws.meta : this.meta(ws)).presence);
    const timeout = presence ? this.presenceTimeoutMs : this.heartbeatTimeoutMs;
    return Math.max(1_000, Math.min(30_000, Math.floor(timeout / 5)));
  }

  private async ensureAlarm(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + 5_000);
  }
}
