/**
 * One subscribed channel: its listeners, where the app is in its stream (the
 * last seq handed over, the epoch it belongs to), gap handling and presence.
 * This is where duplicates are stopped and order is kept: a message that would
 * skip a seq makes it ask the broker for the missing ones instead of
 * delivering out of order.
 */
import type { PresenceFrame, SubscribeFrame, ClientFrame } from '../protocol/index.js';
import type { GapInfo, Message, PresenceEvent, PresenceMember, SubscribeSince, SubscriptionOptions } from '../types.js';
import { safeCall } from './emitter.js';
import type { IncomingMessage, IncomingSubscribed } from './server-frames.js';

/** Message ids remembered per channel for brokers that send no seq. */
export const RECENT_IDS = 512;

/** What to do with an incoming message. */
export type Verdict = 'deliver' | 'duplicate' | 'gap';

/** What a channel needs from the client around it. */
export interface ChannelHost {
  /** Sends on the live connection; false when not connected. */
  send(frame: ClientFrame): boolean;
  now(): number;
  log(...args: unknown[]): void;
  /** The client-wide events, after the channel's own listeners. */
  message(message: Message): void;
  gap(gap: GapInfo): void;
  presence(channel: string, members: PresenceMember[], event: PresenceEvent): void;
}

export class ChannelSubscription {
  readonly listeners = new Set<SubscriptionOptions>();
  /** Highest seq handed to the app (or the head at subscribe time). */
  lastSeq: number | null = null;
  /** The channel history `lastSeq` belongs to. */
  epoch: string | null = null;
  /** The broker confirmed it on the current connection. */
  confirmed = false;
  /** A resubscribe to fill a gap is in flight. */
  private resyncing = false;
  /** The first subscribe resumes from a `since` position (even with replayOnReconnect off). */
  private fromSince = false;
  /** Presence members by client id (channels the token grants `presence` on). */
  private readonly members = new Map<string, PresenceMember>();
  private readonly recent: string[] = [];
  private readonly recentSet = new Set<string>();

  constructor(
    readonly channel: string,
    private readonly host: ChannelHost,
    since?: SubscribeSince,
  ) {
    if (since !== undefined) {
      this.lastSeq = since.seq;
      this.epoch = since.epoch ?? null;
      this.fromSince = true;
    }
  }

  /** Current presence members, in order of arrival. */
  presence(): PresenceMember[] {
    return [...this.members.values()];
  }

  /** Adds a listener to a channel that is already open; it hears `onSubscribed` at once if confirmed. */
  addListener(listener: SubscriptionOptions): void {
    this.listeners.add(listener);
    if (this.confirmed) queueMicrotask(() => this.listeners.has(listener) && safeCall(listener.onSubscribed));
  }

  /**
   * Sends `subscribe`; with `resume` (or a pending `since`) it carries the
   * last seq and epoch, so the broker replays what was missed.
   */
  sendSubscribe(resume: boolean): void {
    const frame: SubscribeFrame = { type: 'subscribe', channel: this.channel };
    if ((resume || this.fromSince) && this.lastSeq !== null) {
      frame.lastSeq = this.lastSeq;
      if (this.epoch !== null) frame.epoch = this.epoch;
    }
    this.host.send(frame satisfies ClientFrame);
  }

  /** The connection went away: unconfirmed until the next `subscribed`. */
  reset(): void {
    this.confirmed = false;
    this.resyncing = false;
  }

  /** `subscribed`: a fresh start at the head, a recovery, or a gap that could not be covered. */
  onSubscribed(frame: IncomingSubscribed): void {
    this.confirmed = true;
    this.resyncing = false;
    this.fromSince = false;
    if (typeof frame.epoch === 'string') this.epoch = frame.epoch;
    if (frame.recovered === false && typeof frame.seq === 'number') {
      // The gap can't be covered: continue live from the head and tell the app.
      this.lastSeq = frame.seq;
      const gap: GapInfo = { channel: this.channel, reason: frame.reason ?? 'retention', seq: frame.seq };
      for (const listener of [...this.listeners]) safeCall(listener.onGap, gap);
      this.host.gap(gap);
    } else if (frame.recovered === undefined && typeof frame.seq === 'number') {
      // A fresh subscription starts at the head.
      this.lastSeq = frame.seq;
    }
    for (const listener of [...this.listeners]) safeCall(listener.onSubscribed);
  }

  /** `message`: delivered once and in order, dropped as a duplicate, or the start of a resync. */
  onMessage(frame: IncomingMessage): void {
    const message: Message = {
      id: frame.messageId,
      channel: frame.channel,
      eventType: frame.eventType ?? 'message',
      clientId: frame.clientId ?? '',
      content: frame.data ?? {},
      timestamp: frame.timestamp ?? this.host.now(),
    };
    if (frame.seq !== undefined) message.seq = frame.seq;
    if (frame.clientEvent === true) message.clientEvent = true;
    const verdict = this.accept(message);
    if (verdict === 'duplicate') {
      this.host.log(`dropped a duplicate on ${this.channel} (seq ${frame.seq})`);
      return;
    }
    if (verdict === 'gap') {
      // Never hand the app a message out of order: ask for the missing ones.
      if (!this.resyncing) {
        this.host.log(`gap on ${this.channel}: have ${this.lastSeq}, got ${frame.seq}; resuming`);
        this.resyncing = true;
        this.sendSubscribe(true);
      }
      return;
    }
    for (const listener of [...this.listeners]) safeCall(listener.onMessage, message);
    this.host.message(message);
  }

  /** `presence`: the full list, or one member joining or leaving (once per client id). */
  onPresence(frame: PresenceFrame): void {
    let event: PresenceEvent;
    if (frame.action === 'sync') {
      this.members.clear();
      for (const m of frame.members) this.members.set(m.clientId, m);
      event = { action: 'sync', members: frame.members };
    } else {
      if (frame.action === 'join') {
        if (this.members.has(frame.member.clientId)) return; // already known (sync raced the join)
        this.members.set(frame.member.clientId, frame.member);
      } else if (!this.members.delete(frame.member.clientId)) {
        return;
      }
      event = { action: frame.action, member: frame.member };
    }
    const members = this.presence();
    for (const listener of [...this.listeners]) safeCall(listener.onPresence, members, event);
    this.host.presence(this.channel, members, event);
  }

  /** An error about this channel, for its listeners. */
  onError(error: Error): void {
    for (const listener of [...this.listeners]) safeCall(listener.onError, error);
  }

  /** Decides what to do with an incoming message; advances `lastSeq` when delivering. */
  accept(message: Message): Verdict {
    if (message.seq !== undefined) {
      if (this.lastSeq !== null && message.seq <= this.lastSeq) return 'duplicate';
      if (this.lastSeq !== null && message.seq > this.lastSeq + 1) return 'gap';
      this.lastSeq = message.seq;
      return 'deliver';
    }
    if (this.recentSet.has(message.id)) return 'duplicate';
    this.recent.push(message.id);
    this.recentSet.add(message.id);
    if (this.recent.length > RECENT_IDS) this.recentSet.delete(this.recent.shift()!);
    return 'deliver';
  }
}
