/**
 * One channel's logic: the single writer. It numbers, stores and fans out
 * every message, serves history, keeps presence, answers retried publishes
 * from their idempotency key, and knows which connection shards hold
 * subscribers. Written against a storage interface (storage.ts) and a shard
 * port (rpc.ts), so it carries no Durable Object detail: the ChannelObject
 * adapts it, and test/unit runs it in memory.
 */
import type { HistoryMessage, PresenceMember, PublishResult, RecoveryFailure } from '@pushflodev/sdk/protocol';
import type { ChannelStats, Entry, JoinOptions, JoinResult, PublishInput, ShardPort } from '../rpc';
import type { WebhookEmitter } from '../webhooks/emitter';
import { Fanout, type FanoutOptions } from './fanout';
import { messageFrame, presenceFrame } from './frames';
import type { ChannelStorage } from './storage';
import { toHistoryMessage, type HistoryQuery } from './store';

export interface ChannelOptions {
  maxReplay: number;
  historyTtlMs: number;
  idempotencyWindowMs: number;
  fanout?: FanoutOptions;
}

/** What the channel tells its host about. All optional. */
export interface ChannelHooks {
  now?: () => number;
  newId?: () => string;
  /** A message was published (for statistics). */
  published?: (channel: string, at: number) => void;
  /** Webhook events (null or absent: webhooks off). */
  webhooks?: WebhookEmitter | null;
}

const randomId = () => `msg_${crypto.randomUUID().replaceAll('-', '')}`;

export class Channel {
  /** Subscriber count per shard; mirrored in storage. */
  private readonly shards = new Map<string, number>();
  private readonly fanout: Fanout;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly webhooks: WebhookEmitter | null;

  constructor(
    readonly name: string,
    private readonly storage: ChannelStorage,
    port: ShardPort,
    private readonly options: ChannelOptions,
    private readonly hooks: ChannelHooks = {},
  ) {
    this.now = hooks.now ?? Date.now;
    this.newId = hooks.newId ?? randomId;
    this.webhooks = hooks.webhooks ?? null;
    for (const [shard, count] of storage.shards.all()) this.shards.set(shard, count);
    this.fanout = new Fanout(port, (shard, count) => this.setCount(shard, count), options.fanout);
  }

  private setCount(shard: string, count: number): void {
    if (this.shards.get(shard) === count) return;
    const before = this.webhooks === null ? 0 : this.subscriberCount();
    this.storage.shards.set(shard, count);
    if (count <= 0) {
      this.shards.delete(shard);
      // Whatever presence that shard held is gone with it.
      this.broadcastPresence(this.storage.presence.leaveShard(shard), 'leave');
    } else {
      this.shards.set(shard, count);
    }
    this.webhooks?.occupancy(this.name, before, this.subscriberCount(), this.now());
  }

  subscriberCount(): number {
    let n = 0;
    for (const c of this.shards.values()) n += c;
    return n;
  }

  /** Tells every subscriber who arrived or left (`except`: the connection that caused it, which gets `sync` instead). */
  private broadcastPresence(members: PresenceMember[], action: 'join' | 'leave', except?: string): void {
    if (members.length === 0) return;
    this.webhooks?.members(this.name, members, action, this.now());
    for (const member of members) {
      const entry: Entry = { frame: presenceFrame(this.name, action, member) };
      if (except !== undefined) entry.except = except;
      this.fanout.push(this.shards.keys(), entry);
    }
  }

  private remembered(key: string | undefined): PublishResult | null {
    if (key === undefined) return null;
    const hit = this.storage.idempotency.get(key);
    return hit === null || hit.at < this.now() - this.options.idempotencyWindowMs ? null : hit.result;
  }

  /** Stores (unless ephemeral) and fans out one message; durable once the host's write is. */
  publish(input: PublishInput): PublishResult {
    const replay = this.remembered(input.idempotencyKey);
    if (replay !== null) return replay;
    const message = {
      id: this.newId(),
      eventType: input.eventType,
      clientId: input.clientId,
      data: input.data,
      timestamp: this.now(),
      ...(input.clientEvent ? { clientEvent: true } : {}),
    };
    let seq: number | undefined;
    let entry: Entry;
    if (input.ephemeral) {
      entry = { frame: messageFrame(this.name, message) };
    } else {
      const stored = this.storage.history.append(message);
      seq = stored.seq;
      entry = { seq, frame: messageFrame(this.name, stored) };
    }
    if (input.except !== undefined) entry.except = input.except;
    entry.at = message.timestamp;
    this.fanout.push(this.shards.keys(), entry);
    if (input.clientEvent) this.webhooks?.clientEvent(this.name, seq === undefined ? message : { ...message, seq });
    this.hooks.published?.(this.name, message.timestamp);
    const result: PublishResult = {
      id: message.id,
      channelSlug: this.name,
      eventType: message.eventType,
      clientId: message.clientId,
      delivered: this.subscriberCount(),
      createdAt: new Date(message.timestamp).toISOString(),
      timestamp: message.timestamp,
      seq: seq ?? 0,
    };
    if (input.idempotencyKey !== undefined) this.storage.idempotency.put(input.idempotencyKey, result, message.timestamp);
    return result;
  }

  /**
   * A shard starts (or keeps) receiving this channel. Registration and the
   * read of `head` happen in one synchronous step, so every message after
   * `head` reaches the shard live, and everything up to `head` after
   * `lastSeq` is in `replay`: no gap, no overlap.
   */
  join(shard: string, subscribers: number, options: JoinOptions = {}): JoinResult {
    this.setCount(shard, Math.max(1, subscribers));
    const history = this.storage.history;
    const head = history.head;
    const result: JoinResult = { epoch: history.epoch, head, replay: [] };
    if (options.member !== undefined) {
      const arrived = this.storage.presence.join(shard, options.member, this.now());
      if (arrived !== null) this.broadcastPresence([arrived], 'join', options.member.connectionId);
      result.members = this.storage.presence.members();
    }
    const { lastSeq, epoch } = options;
    if (lastSeq === undefined) return result;

    const failure = this.recoveryFailure(lastSeq, epoch);
    if (failure !== null) return { ...result, recovered: false, reason: failure };
    result.recovered = true;
    if (lastSeq < head) {
      let chars = 0;
      for (const m of history.since(lastSeq, head - lastSeq)) {
        const frame = messageFrame(this.name, m);
        chars += frame.length;
        if (options.maxReplayChars !== undefined && chars > options.maxReplayChars) {
          return { ...result, recovered: false, reason: 'too_far_behind', replay: [] };
        }
        result.replay.push({ seq: m.seq, frame });
      }
    }
    return result;
  }

  private recoveryFailure(lastSeq: number, epoch: string | undefined): RecoveryFailure | null {
    const history = this.storage.history;
    const head = history.head;
    if ((epoch !== undefined && epoch !== history.epoch) || lastSeq > head) return 'epoch';
    if (lastSeq === head) return null;
    if (lastSeq + 1 < history.oldestRetained()) return 'retention';
    if (head - lastSeq > this.options.maxReplay) return 'too_far_behind';
    return null;
  }

  /** A shard reports how many subscribers it still has here (0: stop sending), and which of its presence connections left. */
  leave(shard: string, subscribers: number, presenceConnections: string[] = []): void {
    if (presenceConnections.length > 0) this.broadcastPresence(this.storage.presence.leave(presenceConnections), 'leave');
    this.setCount(shard, subscribers);
    if (subscribers <= 0) this.fanout.forget(shard);
  }

  members(): PresenceMember[] {
    return this.storage.presence.members();
  }

  history(query: HistoryQuery): { items: HistoryMessage[]; total: number } {
    const { items, total } = this.storage.history.page(query);
    return { items: items.map((m) => toHistoryMessage(this.name, m)), total };
  }

  stats(createdAt: number | null): ChannelStats {
    const history = this.storage.history;
    return {
      name: this.name,
      head: history.head,
      epoch: history.epoch,
      messageCount: history.count(),
      subscribers: this.subscriberCount(),
      shards: this.shards.size,
      members: this.storage.presence.members().length,
      createdAt,
    };
  }

  /** Channel deleted: history is gone and a new epoch starts. Subscriptions stay. */
  reset(): void {
    this.storage.history.reset();
  }

  /** Entries not yet handed to a shard (tests, stats). */
  pending(): number {
    return this.fanout.pending();
  }

  /** When housekeeping should first run after a publish (ms from now). */
  housekeepingDelay(): number {
    return Math.min(this.options.historyTtlMs, this.options.idempotencyWindowMs);
  }

  /** Retention housekeeping (history and idempotency keys); returns when it is next due, or null when nothing is left. */
  housekeeping(): number | null {
    const history = this.storage.history;
    history.trim();
    this.storage.idempotency.expire(this.now() - this.options.idempotencyWindowMs);
    const oldest = history.oldestTimestamp();
    const keys = this.storage.idempotency.oldest();
    const next = Math.min(
      oldest === null ? Infinity : oldest + this.options.historyTtlMs,
      keys === null ? Infinity : keys + this.options.idempotencyWindowMs,
    );
    return Number.isFinite(next) ? next : null;
  }
}
