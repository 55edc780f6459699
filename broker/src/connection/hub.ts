/**
 * The sockets of one connection shard and their subscriptions, written against
 * a minimal socket interface so it carries no Durable Object detail (the
 * ShardObject adapts it). One socket multiplexes many channels.
 *
 * Subscribing asks the channel to join (and, with `lastSeq`, to replay). While
 * that call is out, live messages for the new subscription are buffered; when
 * it returns, the socket gets `subscribed`, the replay, then the buffer, each
 * message at most once (anything at or below the socket's last seq is
 * dropped), so a resumed subscription has no gap and no duplicate.
 */
import {
  CloseCode,
  ErrorCode,
  parseClientFrame,
  PONG_TEXT,
  type ErrorFrame,
  type ServerFrame,
  type SubscribeFrame,
  type SubscribedFrame,
  type UnsubscribedFrame,
} from '@pushflodev/sdk/protocol';
import type { Entry } from '../channel/fanout';
import type { JoinResult } from '../channel/channel-object';

export interface HubSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
}

/** What survives hibernation about a socket (kept in its attachment). */
export interface SocketMeta {
  clientId: string;
  connectedAt: number;
  /** Last time a frame arrived from the client (updated coarsely). */
  seenAt: number;
  channels: string[];
}

/** What the hub needs from its host. */
export interface HubHost<S extends HubSocket> {
  meta(ws: S): SocketMeta;
  saveMeta(ws: S, meta: SocketMeta): void;
  join(channel: string, subscribers: number, lastSeq?: number, epoch?: string): Promise<JoinResult>;
  /** Reports the subscribers left here after a drop (0: stop sending to this shard). */
  leave(channel: string, subscribers: number): Promise<void>;
  now(): number;
}

export interface HubLimits {
  maxSubscriptionsPerSocket: number;
  framesPerSecond: number;
  /** Cap on live messages buffered for one subscription while it is being set up. */
  maxPendingBuffer: number;
  heartbeatTimeoutMs: number;
}

interface Subscription {
  live: boolean;
  /** Highest seq sent to this socket on this channel (0: none yet). */
  lastSeq: number;
  buffer: Entry[];
  overflowed: boolean;
}

interface Bucket {
  tokens: number;
  at: number;
  warnedAt: number;
}

export class Hub<S extends HubSocket> {
  private readonly subs = new Map<string, Map<S, Subscription>>();
  private readonly buckets = new Map<S, Bucket>();

  constructor(
    private readonly host: HubHost<S>,
    private readonly limits: HubLimits,
  ) {}

  /** Rebuilds subscriptions after the object woke from hibernation. */
  restore(sockets: Iterable<S>): void {
    for (const ws of sockets) {
      for (const channel of this.host.meta(ws).channels) {
        this.channelSubs(channel).set(ws, { live: true, lastSeq: 0, buffer: [], overflowed: false });
      }
    }
  }

  subscriberCount(channel: string): number {
    return this.subs.get(channel)?.size ?? 0;
  }

  send(ws: S, frame: ServerFrame): void {
    try {
      ws.send(JSON.stringify(frame));
    } catch {
      // The socket is closing; its close handler cleans up.
    }
  }

  private error(ws: S, code: ErrorCode, error: string, channel?: string): void {
    const frame: ErrorFrame = { type: 'error', error, code };
    if (channel !== undefined) frame.channel = channel;
    this.send(ws, frame satisfies ServerFrame);
  }

  private channelSubs(channel: string): Map<S, Subscription> {
    let map = this.subs.get(channel);
    if (map === undefined) {
      map = new Map();
      this.subs.set(channel, map);
    }
    return map;
  }

  /** Handles one frame from a client. Never throws; bad frames get an `error` frame. */
  async onFrame(ws: S, raw: string | ArrayBuffer): Promise<void> {
    this.touch(ws);
    if (!this.takeToken(ws)) return;
    const parsed = parseClientFrame(raw);
    if (!parsed.ok) {
      this.error(ws, parsed.code, parsed.error, parsed.channel);
      return;
    }
    const frame = parsed.frame;
    switch (frame.type) {
      case 'ping':
        ws.send(PONG_TEXT);
        return;
      case 'ack':
        return;
      case 'subscribe':
        return this.subscribe(ws, frame);
      case 'unsubscribe':
        return this.unsubscribe(ws, frame.channel);
    }
  }

  /** Marks the socket as alive; persists at most every quarter timeout to keep attachments cheap. */
  private touch(ws: S): void {
    const meta = this.host.meta(ws);
    const now = this.host.now();
    if (now - meta.seenAt > this.limits.heartbeatTimeoutMs / 4) {
      meta.seenAt = now;
      this.host.saveMeta(ws, meta);
    }
  }

  private takeToken(ws: S): boolean {
    const now = this.host.now();
    const rate = this.limits.framesPerSecond;
    let b = this.buckets.get(ws);
    if (b === undefined) {
      b = { tokens: rate * 2, at: now, warnedAt: 0 };
      this.buckets.set(ws, b);
    }
    b.tokens = Math.min(rate * 2, b.tokens + ((now - b.at) / 1000) * rate);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return true;
    }
    if (now - b.warnedAt >= 1000) {
      b.warnedAt = now;
      this.error(ws, ErrorCode.RATE_LIMITED, `more than ${rate} frames/s: frames are being refused, slow down`);
    }
    return false;
  }

  private async subscribe(ws: S, frame: SubscribeFrame): Promise<void> {
    const { channel } = frame;
    const meta = this.host.meta(ws);
    const existing = this.subs.get(channel)?.get(ws);
    if (existing !== undefined && frame.lastSeq === undefined) {
      if (existing.live) this.error(ws, ErrorCode.INVALID_FRAME, `already subscribed to '${channel}'`, channel);
      return;
    }
    if (existing === undefined && meta.channels.length >= this.limits.maxSubscriptionsPerSocket) {
      this.error(
        ws,
        ErrorCode.TOO_MANY_SUBSCRIPTIONS,
        `a socket may hold ${this.limits.maxSubscriptionsPerSocket} subscriptions; unsubscribe from one first`,
        channel,
      );
      return;
    }
    const sub: Subscription = { live: false, lastSeq: existing?.lastSeq ?? 0, buffer: [], overflowed: false };
    const map = this.channelSubs(channel);
    map.set(ws, sub);
    if (!meta.channels.includes(channel)) {
      meta.channels.push(channel);
      this.host.saveMeta(ws, meta);
    }

    let result: JoinResult;
    try {
      result = await this.host.join(channel, map.size, frame.lastSeq, frame.epoch);
    } catch {
      if (this.subs.get(channel)?.get(ws) === sub) this.drop(ws, channel);
      this.error(ws, ErrorCode.SUBSCRIBE_FAILED, `could not subscribe to '${channel}'; try again`, channel);
      return;
    }
    // Unsubscribed, closed or resubscribed while the join was out: that later action wins.
    if (this.subs.get(channel)?.get(ws) !== sub) {
      void this.host.leave(channel, this.subscriberCount(channel)).catch(() => undefined);
      return;
    }

    const subscribed: SubscribedFrame = { type: 'subscribed', channel, seq: result.head, epoch: result.epoch };
    if (result.recovered !== undefined) {
      subscribed.recovered = result.recovered;
      subscribed.replayed = result.replay.length;
      if (result.reason !== undefined) subscribed.reason = result.reason;
    }
    this.send(ws, subscribed satisfies ServerFrame);
    sub.lastSeq = Math.max(sub.lastSeq, frame.lastSeq ?? 0);
    this.sendEntries(ws, sub, result.replay);
    sub.lastSeq = Math.max(sub.lastSeq, result.head);
    sub.live = true;
    const buffered = sub.buffer;
    sub.buffer = [];
    if (sub.overflowed) {
      ws.close(CloseCode.SLOW_CONSUMER, 'fell behind while subscribing; reconnect and resume');
      return;
    }
    this.sendEntries(ws, sub, buffered);
  }

  private sendEntries(ws: S, sub: Subscription, entries: Entry[]): void {
    for (const entry of entries) {
      if (entry.seq <= sub.lastSeq) continue;
      sub.lastSeq = entry.seq;
      try {
        ws.send(entry.frame);
      } catch {
        return;
      }
    }
  }

  private async unsubscribe(ws: S, channel: string): Promise<void> {
    const had = this.drop(ws, channel);
    this.send(ws, { type: 'unsubscribed', channel } satisfies UnsubscribedFrame);
    if (had) await this.host.leave(channel, this.subscriberCount(channel)).catch(() => undefined);
  }

  /** Removes one subscription; true when there was one. */
  private drop(ws: S, channel: string): boolean {
    const map = this.subs.get(channel);
    const had = map?.delete(ws) ?? false;
    if (map !== undefined && map.size === 0) this.subs.delete(channel);
    const meta = this.host.meta(ws);
    const i = meta.channels.indexOf(channel);
    if (i >= 0) {
      meta.channels.splice(i, 1);
      this.host.saveMeta(ws, meta);
    }
    return had;
  }

  /** A socket closed or errored: drop all its subscriptions. */
  async onClose(ws: S): Promise<void> {
    this.buckets.delete(ws);
    const changed: Array<[string, number]> = [];
    for (const [channel, map] of this.subs) {
      if (!map.delete(ws)) continue;
      changed.push([channel, map.size]);
      if (map.size === 0) this.subs.delete(channel);
    }
    await Promise.all(changed.map(([c, n]) => this.host.leave(c, n).catch(() => undefined)));
  }

  /** Live messages from a channel, in seq order. Returns the subscriber count here. */
  deliver(channel: string, entries: Entry[]): number {
    const map = this.subs.get(channel);
    if (map === undefined) return 0;
    for (const [ws, sub] of map) {
      if (sub.live) {
        this.sendEntries(ws, sub, entries);
      } else if (!sub.overflowed) {
        sub.buffer.push(...entries);
        if (sub.buffer.length > this.limits.maxPendingBuffer) {
          sub.buffer = [];
          sub.overflowed = true;
        }
      }
    }
    return map.size;
  }

  /** The channel could not keep up with this shard: make its sockets resume from history. */
  evict(channel: string): void {
    for (const ws of this.subs.get(channel)?.keys() ?? []) {
      ws.close(CloseCode.SLOW_CONSUMER, 'fell behind; reconnect and resume from your last seq');
    }
  }

  /** Sockets silent for longer than the heartbeat timeout. */
  stale(sockets: Iterable<S>, now: number, lastPing: (ws: S) => number | null): S[] {
    const out: S[] = [];
    for (const ws of sockets) {
      const meta = this.host.meta(ws);
      const last = Math.max(meta.seenAt, meta.connectedAt, lastPing(ws) ?? 0);
      if (now - last > this.limits.heartbeatTimeoutMs) out.push(ws);
    }
    return out;
  }
}
