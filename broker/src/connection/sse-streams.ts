/**
 * The SSE streams one connection shard holds, beside its WebSockets: opening
 * one (the `connected` event, then a `subscribe` through the hub for each of
 * its channels, resuming from the cursor), frames POSTed for one, heartbeats,
 * and cleaning up when one ends. Everything about channels is the hub's.
 *
 * A stream is an open HTTP response, so a shard holding streams stays in
 * memory (it does not hibernate while they are open). Streams are capped per
 * shard (`maxStreams`); each one's unread output is capped (`SseStream`).
 */
import { ErrorCode, PROTOCOL_VERSION, type ConnectedFrame, type ServerFrame, type SubscribeFrame } from '@pushflodev/sdk/protocol';
import type { SocketAuth, SocketMeta } from './hub';
import { SseStream } from './sse-stream';

/** The path the Worker uses to hand a stream to its shard (`fetch`). */
export const SSE_SHARD_PATH = '/_sse/open';

/** What the Worker has checked and decided for a new stream. */
export interface SseOpenPlan {
  shard: string;
  connectionId: string;
  secret: string;
  clientId: string;
  /** A token's grants and expiry (seconds); null for a key. */
  auth: (SocketAuth & { exp: number }) | null;
  /** The channels, in order; those from the cursor resume from their position. */
  channels: Array<{ channel: string; lastSeq?: number; epoch?: string }>;
  heartbeatEvents: boolean;
}

/** The answer to a POST of frames. */
export type SseFramesResult = { ok: true; accepted: number } | { ok: false; status: 401 | 404; code: ErrorCode; error: string };

/** What the streams need from the hub. */
export interface SseHubPort {
  authorize(socketId: string, auth: SocketAuth): void;
  onFrame(ws: SseStream, raw: string): Promise<void>;
  onClose(ws: SseStream): Promise<void>;
}

export interface SseConfig {
  heartbeatMs: number;
  heartbeatTimeoutMs: number;
  maxStreams: number;
  maxBufferedBytes: number;
  now(): number;
  /** A stream opened / ended (statistics). */
  opened(): void;
  ended(why: string): void;
}

const encoder = new TextEncoder();

/** Compares two secrets in constant time (for equal lengths; secrets have a fixed length). */
function sameSecret(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  return x.byteLength === y.byteLength && crypto.subtle.timingSafeEqual(x, y);
}

/** Headers of every stream. */
export const SSE_HEADERS: Record<string, string> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  // Proxies that buffer responses (nginx) would hold events back.
  'X-Accel-Buffering': 'no',
};

export class SseStreams {
  private readonly streams = new Map<string, SseStream>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly hub: SseHubPort,
    private readonly config: SseConfig,
  ) {}

  get size(): number {
    return this.streams.size;
  }

  list(): SseStream[] {
    return [...this.streams.values()];
  }

  /** Opens a stream the Worker has authenticated; its first event is `connected`. */
  open(plan: SseOpenPlan): Response {
    const { config } = this;
    if (this.streams.size >= config.maxStreams) {
      return Response.json(
        { success: false, error: `this shard holds ${config.maxStreams} SSE streams; retry shortly`, code: ErrorCode.RATE_LIMITED },
        { status: 503, headers: { 'Retry-After': '5' } },
      );
    }
    const now = config.now();
    const meta: SocketMeta = {
      id: plan.connectionId,
      clientId: plan.clientId,
      connectedAt: now,
      seenAt: now,
      token: plan.auth !== null,
      exp: plan.auth === null ? null : plan.auth.exp * 1000,
      presence: false,
    };
    const stream = new SseStream(meta, plan.secret, {
      maxBufferedBytes: config.maxBufferedBytes,
      heartbeatEvents: plan.heartbeatEvents,
      now: config.now,
      onGone: (s, why) => this.gone(s, why),
    });
    this.streams.set(meta.id, stream);
    config.opened();
    if (plan.auth !== null) this.hub.authorize(meta.id, { cap: plan.auth.cap, info: plan.auth.info });
    const connected: ConnectedFrame = {
      type: 'connected',
      clientId: plan.clientId,
      timestamp: now,
      protocol: PROTOCOL_VERSION,
      heartbeatTimeout: config.heartbeatTimeoutMs,
      pingInterval: config.heartbeatMs,
      connectionId: meta.id,
      connectionSecret: plan.secret,
    };
    stream.send(JSON.stringify(connected satisfies ServerFrame));
    for (const c of plan.channels) {
      const frame: SubscribeFrame = { type: 'subscribe', channel: c.channel };
      if (c.lastSeq !== undefined) {
        frame.lastSeq = c.lastSeq;
        if (c.epoch !== undefined) frame.epoch = c.epoch;
        stream.startAt(c.channel, c.epoch ?? null, c.lastSeq);
      }
      void this.hub.onFrame(stream, JSON.stringify(frame));
    }
    this.startHeartbeats();
    return new Response(stream.readable, { status: 200, headers: SSE_HEADERS });
  }

  /** Frames POSTed for a stream, handled in order as if they had come over a socket. */
  async frames(connectionId: string, secret: string, frames: string[]): Promise<SseFramesResult> {
    const found = this.find(connectionId, secret);
    if (!found.ok) return found;
    // Started in order (each frame's checks and queueing happen before the next starts), awaited together.
    await Promise.all(frames.map((f) => this.hub.onFrame(found.stream, f)));
    return { ok: true, accepted: frames.length };
  }

  /** The client ends its stream (`DELETE /sse`): closed at once, its presence leaves now. */
  end(connectionId: string, secret: string): SseFramesResult {
    const found = this.find(connectionId, secret);
    if (!found.ok) return found;
    found.stream.close(1000, 'closed by the client');
    return { ok: true, accepted: 0 };
  }

  private find(connectionId: string, secret: string): { ok: true; stream: SseStream } | Extract<SseFramesResult, { ok: false }> {
    const stream = this.streams.get(connectionId);
    if (stream === undefined || stream.closed) {
      return {
        ok: false,
        status: 404,
        code: ErrorCode.CONNECTION_NOT_FOUND,
        error: `no open SSE stream '${connectionId}': it ended; reconnect`,
      };
    }
    if (!sameSecret(secret, stream.secret)) {
      return {
        ok: false,
        status: 401,
        code: ErrorCode.UNAUTHORIZED,
        error: "wrong connection secret: use the 'connectionSecret' of the stream's 'connected' event",
      };
    }
    return { ok: true, stream };
  }

  private gone(stream: SseStream, why: string): void {
    if (this.streams.get(stream.id) !== stream) return;
    this.streams.delete(stream.id);
    this.config.ended(why);
    void this.hub.onClose(stream).catch(() => undefined);
    if (this.streams.size === 0) this.stopHeartbeats();
  }

  private startHeartbeats(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      for (const stream of this.streams.values()) stream.heartbeat();
    }, this.config.heartbeatMs);
  }

  private stopHeartbeats(): void {
    if (this.timer === null) return;
    clearInterval(this.timer);
    this.timer = null;
  }
}
