/**
 * The sockets of one connection shard, their subscriptions, capabilities and
 * presence, written against a minimal socket interface so it carries no
 * Durable Object detail (the ShardObject adapts it). One socket multiplexes
 * many channels.
 *
 * Subscribing asks the channel to join (and, with `lastSeq`, to replay). While
 * that call is out, live frames for the new subscription are buffered; when
 * it returns, the socket gets `subscribed`, the presence list (if a member),
 * the replay, then the buffer, each sequenced message at most once (anything
 * at or below the socket's last seq is dropped): no gap, no duplicate.
 */
import {
  CloseCode,
  ErrorCode,
  grants,
  isPrivateChannel,
  parseClientFrame,
  PONG_TEXT,
  type AuthFrame,
  type Capability,
  type ErrorFrame,
  type PresenceFrame,
  type PublishFrame,
  type ServerFrame,
  type SubscribeFrame,
  type SubscribedFrame,
  type UnsubscribedFrame,
} from '@pushflodev/sdk/protocol';
import type { Entry, JoinOptions, JoinResult } from '../rpc';
import { SocketBuckets, type SocketLimit } from '../limits/socket-buckets';
import { Subscriptions, type Subscription } from './subscriptions';
import { checkRefresh } from './reauthenticate';
import { clientEventInput, Uplink } from './uplink';
import type { HubHost, HubLimits, HubSocket, SocketAuth } from './hub-types';
import { Output, type SharedBatch } from './outflow';

export type { HubHost, HubLimits, HubSocket, HubStore, SocketAuth, SocketMeta } from './hub-types';

export class Hub<S extends HubSocket> {
  private readonly subs = new Subscriptions<S>();
  private readonly auth = new Map<string, SocketAuth>();
  private readonly buckets: SocketBuckets;
  /** Highest seq handed out per channel on this shard (persisted: restored after hibernation). */
  private readonly seqs = new Map<string, number>();
  /** What goes out to each socket: coalescing, the slow-consumer cap. */
  private readonly output: Output<S>;
  /** Client events on their way to their channels, batched per channel. */
  private readonly uplink: Uplink;

  constructor(
    private readonly host: HubHost<S>,
    private readonly limits: HubLimits,
  ) {
    this.buckets = new SocketBuckets(limits.framesPerSecond, limits.clientEventsPerSecond);
    this.output = new Output<S>(host, limits.slowConsumerBytes, (ws) => void this.onClose(ws));
    this.uplink = new Uplink({ publishMany: (channel, inputs) => this.host.publishMany(channel, inputs) }, limits.uplink);
  }

  /**
   * Rebuilds subscriptions and grants after the object woke from hibernation.
   * Sockets that closed while it slept (or are closing as it wakes) are no
   * longer listed: their subscriptions end here, presence included.
   */
  restore(sockets: Iterable<S>): Promise<void> {
    const byId = new Map<string, S>();
    for (const ws of sockets) byId.set(this.host.meta(ws).id, ws);
    const gone = new Map<string, Array<{ channel: string; presence: boolean }>>();
    for (const [channel, seq] of this.host.store.seqs()) this.seqs.set(channel, seq);
    for (const row of this.host.store.subs()) {
      const ws = byId.get(row.socketId);
      if (ws === undefined) {
        const list = gone.get(row.socketId) ?? [];
        list.push(row);
        gone.set(row.socketId, list);
        continue;
      }
      const out = this.output.of(ws);
      const lastSeq = this.seqs.get(row.channel) ?? 0;
      this.subs.add(row.channel, { ws, id: row.socketId, out, live: true, presence: row.presence, lastSeq, buffer: [], overflowed: false });
    }
    for (const [id, auth] of this.host.store.auths()) if (byId.has(id)) this.auth.set(id, auth);
    const leaves: Array<Promise<void>> = [];
    for (const [id, rows] of gone) {
      this.host.store.removeSocket(id);
      for (const row of rows) {
        leaves.push(this.host.leave(row.channel, this.subscriberCount(row.channel), row.presence ? [id] : []).catch(() => undefined));
      }
    }
    return Promise.all(leaves).then(() => undefined);
  }

  /** Registers a socket's grants (token sockets). */
  authorize(socketId: string, auth: SocketAuth): void {
    this.auth.set(socketId, auth);
    this.host.store.setAuth(socketId, auth);
  }

  /** Subscriptions held on this shard, all channels (for statistics). */
  subscriptionCount(): number {
    return this.subs.total();
  }

  subscriberCount(channel: string): number {
    return this.subs.count(channel);
  }

  private untrack(id: string, channel: string): Subscription<S> | undefined {
    const sub = this.subs.remove(id, channel);
    if (sub !== undefined && this.subs.count(channel) === 0 && this.seqs.delete(channel)) this.host.store.forgetSeq(channel);
    return sub;
  }

  send(ws: S, frame: ServerFrame): void {
    this.output.write(ws, this.output.of(ws), JSON.stringify(frame));
  }

  private error(ws: S, code: ErrorCode, error: string, channel?: string): void {
    const frame: ErrorFrame = { type: 'error', error, code };
    if (channel !== undefined) frame.channel = channel;
    this.host.countError?.(code);
    this.send(ws, frame satisfies ServerFrame);
  }

  private grant(ws: S, channel: string, capability: Capability): boolean {
    const auth = this.auth.get(this.host.meta(ws).id);
    return auth !== undefined && grants(auth.cap, channel, capability);
  }

  /** Handles one frame from a client. Never throws; bad frames get an `error` frame. */
  async onFrame(ws: S, raw: string | ArrayBuffer): Promise<void> {
    this.touch(ws);
    if (!this.take(ws, 'frames')) return;
    const parsed = parseClientFrame(raw);
    if (!parsed.ok) {
      this.error(ws, parsed.code, parsed.error, parsed.channel);
      return;
    }
    const frame = parsed.frame;
    switch (frame.type) {
      case 'ping':
        this.output.write(ws, this.output.of(ws), PONG_TEXT);
        return;
      case 'ack':
        return;
      case 'subscribe':
        return this.subscribe(ws, frame);
      case 'unsubscribe':
        return this.unsubscribe(ws, frame.channel);
      case 'publish':
        return this.clientEvent(ws, frame);
      case 'auth':
        return this.reauthenticate(ws, frame);
    }
  }

  /** Marks the socket as alive; persists at most every quarter timeout to keep attachments cheap. */
  private touch(ws: S): void {
    const meta = this.host.meta(ws);
    const now = this.host.now();
    this.output.of(ws, meta).heard(now);
    if (now - meta.seenAt > Math.min(this.limits.heartbeatTimeoutMs, this.limits.presenceTimeoutMs) / 4) {
      meta.seenAt = now;
      this.host.saveMeta(ws, meta);
    }
  }

  private take(ws: S, kind: SocketLimit, channel?: string): boolean {
    const taken = this.buckets.take(this.host.meta(ws).id, kind, this.host.now());
    if (taken === 'ok') return true;
    if (taken === 'refused') return false;
    if (kind === 'events') {
      // Every refused client event is answered: never a silent drop.
      this.error(
        ws,
        ErrorCode.RATE_LIMITED,
        `more than ${this.limits.clientEventsPerSecond} client events/s: this one was not published`,
        channel,
      );
    } else {
      this.error(ws, ErrorCode.RATE_LIMITED, `more than ${this.limits.framesPerSecond} frames/s: frames are being refused, slow down`);
    }
    return false;
  }

  private async subscribe(ws: S, frame: SubscribeFrame): Promise<void> {
    const { channel } = frame;
    const meta = this.host.meta(ws);
    const existing = this.subs.get(channel)?.get(meta.id);
    if (existing !== undefined && frame.lastSeq === undefined) {
      if (existing.live) this.error(ws, ErrorCode.INVALID_FRAME, `already subscribed to '${channel}'`, channel);
      return;
    }
    if (isPrivateChannel(channel) && !this.grant(ws, channel, 'subscribe')) {
      this.error(ws, ErrorCode.FORBIDDEN, `'${channel}' is private: connect with a token that grants 'subscribe' on it`, channel);
      return;
    }
    const count = this.subs.ofSocket(meta.id)?.size ?? 0;
    if (existing === undefined && count >= this.limits.maxSubscriptionsPerSocket) {
      this.error(
        ws,
        ErrorCode.TOO_MANY_SUBSCRIPTIONS,
        `a socket may hold ${this.limits.maxSubscriptionsPerSocket} subscriptions; unsubscribe from one first`,
        channel,
      );
      return;
    }
    const presence = this.grant(ws, channel, 'presence');
    const out = this.output.of(ws, meta);
    const sub: Subscription<S> = {
      ws,
      id: meta.id,
      out,
      live: false,
      presence,
      lastSeq: existing?.lastSeq ?? 0,
      buffer: [],
      overflowed: false,
    };
    this.subs.add(channel, sub);
    this.host.store.addSub(meta.id, channel, presence);
    if (presence && !meta.presence) {
      meta.presence = true;
      this.host.saveMeta(ws, meta);
    }

    const options: JoinOptions = {};
    if (frame.lastSeq !== undefined) options.lastSeq = frame.lastSeq;
    if (frame.epoch !== undefined) options.epoch = frame.epoch;
    // A replay larger than half the slow-consumer cap would close the socket before it is read:
    // the channel says `too_far_behind` instead (the client refetches its state and carries on).
    options.maxReplayChars = Math.floor(this.limits.slowConsumerBytes / 2);
    if (presence) options.member = { connectionId: meta.id, clientId: meta.clientId, data: this.auth.get(meta.id)?.info ?? null };
    let result: JoinResult;
    try {
      result = await this.host.join(channel, this.subscriberCount(channel), options);
    } catch {
      if (this.subs.get(channel)?.get(meta.id) === sub) this.drop(meta.id, channel);
      this.error(ws, ErrorCode.SUBSCRIBE_FAILED, `could not subscribe to '${channel}'; try again`, channel);
      return;
    }
    // Unsubscribed, closed or resubscribed while the join was out: that later action wins.
    if (this.subs.get(channel)?.get(meta.id) !== sub) {
      void this.host.leave(channel, this.subscriberCount(channel), []).catch(() => undefined);
      return;
    }

    const subscribed: SubscribedFrame = { type: 'subscribed', channel, seq: result.head, epoch: result.epoch };
    if (result.recovered !== undefined) {
      subscribed.recovered = result.recovered;
      subscribed.replayed = result.replay.length;
      if (result.reason !== undefined) subscribed.reason = result.reason;
    }
    this.send(ws, subscribed satisfies ServerFrame);
    if (result.members !== undefined) {
      this.send(ws, { type: 'presence', channel, action: 'sync', members: result.members } satisfies PresenceFrame);
    }
    sub.lastSeq = Math.max(sub.lastSeq, frame.lastSeq ?? 0);
    this.output.sendEntries(sub, result.replay);
    sub.lastSeq = Math.max(sub.lastSeq, result.head);
    this.recordSeq(channel, sub.lastSeq);
    sub.live = true;
    const buffered = sub.buffer;
    sub.buffer = [];
    if (sub.overflowed) {
      ws.close(CloseCode.SLOW_CONSUMER, 'fell behind while subscribing; reconnect and resume');
      return;
    }
    this.output.sendEntries(sub, buffered);
  }

  private async unsubscribe(ws: S, channel: string): Promise<void> {
    const sub = this.drop(this.host.meta(ws).id, channel);
    this.send(ws, { type: 'unsubscribed', channel } satisfies UnsubscribedFrame);
    if (sub !== undefined) {
      await this.host.leave(channel, this.subscriberCount(channel), sub.presence ? [sub.id] : []).catch(() => undefined);
    }
  }

  /** Removes one subscription. */
  private drop(id: string, channel: string): Subscription<S> | undefined {
    const sub = this.untrack(id, channel);
    if (sub !== undefined) this.host.store.removeSub(sub.id, channel);
    return sub;
  }

  private clientEvent(ws: S, frame: PublishFrame): void {
    const { channel } = frame;
    if (!this.grant(ws, channel, 'publish')) {
      this.error(ws, ErrorCode.FORBIDDEN, `publishing on '${channel}' needs a token that grants 'publish' on it`, channel);
      return;
    }
    if (!this.take(ws, 'events', channel)) return;
    const input = clientEventInput(frame, this.host.meta(ws));
    const failed = () => this.error(ws, ErrorCode.PUBLISH_FAILED, `could not publish on '${channel}'; try again`, channel);
    if (!this.uplink.push(channel, input, failed)) {
      const waiting = `'${channel}' has too many client events waiting: this one was not published, slow down`;
      this.error(ws, ErrorCode.RATE_LIMITED, waiting, channel);
    }
  }

  private async reauthenticate(ws: S, frame: AuthFrame): Promise<void> {
    const refresh = await checkRefresh(this.host, ws, frame.token);
    if (!refresh.ok) return this.error(ws, refresh.code, refresh.error);
    this.host.saveMeta(ws, refresh.meta);
    this.authorize(refresh.meta.id, refresh.auth);
    this.send(ws, refresh.frame);
  }

  /** A socket closed or errored: drop all its subscriptions, presence included. */
  async onClose(ws: S): Promise<void> {
    const id = this.host.meta(ws).id;
    this.buckets.forget(id);
    this.output.forget(id);
    const mine = [...(this.subs.ofSocket(id) ?? new Map<string, Subscription<S>>())];
    for (const [channel] of mine) this.untrack(id, channel);
    this.host.store.removeSocket(id);
    this.auth.delete(id);
    await Promise.all(
      mine.map(([channel, sub]) =>
        this.host.leave(channel, this.subscriberCount(channel), sub.presence ? [sub.id] : []).catch(() => undefined),
      ),
    );
  }

  /** Frames from a channel, in order. Returns the subscriber count here. */
  deliver(channel: string, entries: Entry[]): number {
    const map = this.subs.get(channel);
    if (map === undefined) return 0;
    const shared: SharedBatch = { joined: null };
    for (const sub of map.values()) {
      if (sub.live) {
        this.output.sendEntries(sub, entries, shared);
      } else if (!sub.overflowed) {
        sub.buffer.push(...entries);
        if (sub.buffer.length > this.limits.maxPendingBuffer) {
          sub.buffer = [];
          sub.overflowed = true;
        }
      }
    }
    let top = 0;
    for (const e of entries) if (e.seq !== undefined && e.seq > top) top = e.seq;
    this.recordSeq(channel, top);
    return map.size;
  }

  private recordSeq(channel: string, seq: number): void {
    if (seq <= (this.seqs.get(channel) ?? 0)) return;
    this.seqs.set(channel, seq);
    this.host.store.setSeq(channel, seq);
  }

  /** The channel could not keep up with this shard: make its sockets resume from history. */
  evict(channel: string): void {
    for (const sub of this.subs.get(channel)?.values() ?? []) {
      sub.ws.close(CloseCode.SLOW_CONSUMER, 'fell behind; reconnect and resume from your last seq');
    }
  }

  /**
   * Closes sockets that went silent (presence members after the shorter
   * presence timeout) or whose token expired, dropping their subscriptions.
   */
  async sweep(sockets: Iterable<S>, now: number, lastPing: (ws: S) => number | null): Promise<number> {
    let closed = 0;
    for (const ws of sockets) {
      const meta = this.host.meta(ws);
      const last = Math.max(meta.seenAt, meta.connectedAt, lastPing(ws) ?? 0);
      const timeout = meta.presence ? this.limits.presenceTimeoutMs : this.limits.heartbeatTimeoutMs;
      let code: number | null = null;
      let reason = '';
      if (meta.exp !== null && meta.exp < now) {
        this.error(ws, ErrorCode.TOKEN_EXPIRED, 'token expired: get a fresh one and reconnect');
        code = CloseCode.TOKEN_EXPIRED;
        reason = 'token expired';
      } else if (now - last > timeout) {
        code = CloseCode.HEARTBEAT_TIMEOUT;
        reason = 'no frames for too long; reconnect and resume';
      }
      if (code === null) continue;
      try {
        ws.close(code, reason);
      } catch {
        // already gone
      }
      await this.onClose(ws);
      closed++;
    }
    return closed;
  }
}
