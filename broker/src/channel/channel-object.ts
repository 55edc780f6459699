/**
 * One Durable Object per channel: the single writer. It numbers, stores and
 * fans out every message, serves history, keeps presence, remembers
 * idempotency keys, and knows which connection shards hold subscribers. A
 * thin adapter over ChannelStore, Presence and Fanout.
 */
import { DurableObject } from 'cloudflare:workers';
import { settings, type Env } from '../env';
import type { HistoryMessage, MessageFrame, PresenceFrame, PresenceMember, PublishResult, RecoveryFailure } from '@pushflodev/sdk/protocol';
import { Fanout, type Entry } from './fanout';
import { Presence, type Connection } from './presence';
import { ChannelStore, toHistoryMessage, type HistoryQuery, type StoredMessage } from './store';
import { StatsReporter, timerScheduler } from '../stats/reporter';
import { statsSink } from '../stats/sinks';
import { channelWebhooks, type WebhookEmitter } from '../webhooks/emitter';

export interface PublishInput {
  eventType: string;
  /** Content as JSON text (already validated as an object under the size limit). */
  data: string;
  clientId: string;
  /** A retried publish with the same key answers the first result instead of publishing again. */
  idempotencyKey?: string;
  /** Published by a client over its socket. */
  clientEvent?: boolean;
  /** Not stored, not sequenced (client events only). */
  ephemeral?: boolean;
  /** Connection that must not receive it (client events with echo off). */
  except?: string;
}

export interface JoinOptions {
  lastSeq?: number;
  epoch?: string;
  /** Join presence as this connection. */
  member?: Connection;
}

export interface JoinResult {
  epoch: string;
  /** Latest seq at the moment the shard joined. */
  head: number;
  /** Present when the caller asked to resume. */
  recovered?: boolean;
  reason?: RecoveryFailure;
  /** Missed messages, in order, when recovered. */
  replay: Entry[];
  /** Presence members, when the caller joined presence. */
  members?: PresenceMember[];
}

export interface ChannelStats {
  name: string | null;
  head: number;
  epoch: string;
  messageCount: number;
  subscribers: number;
  shards: number;
  members: number;
  createdAt: number | null;
}

/**
 * Serialises a message frame once; the content is spliced in as the JSON text
 * it was stored as. Without `seq` (ephemeral client events) the frame has none.
 */
export function messageFrame(channel: string, m: Omit<StoredMessage, 'seq'> & { seq?: number }): string {
  const seq = m.seq;
  const frame: MessageFrame = {
    type: 'message',
    channel,
    messageId: m.id,
    eventType: m.eventType,
    clientId: m.clientId,
    data: {},
    timestamp: m.timestamp,
  };
  if (seq !== undefined) frame.seq = seq;
  if (m.clientEvent) frame.clientEvent = true;
  const head = JSON.stringify(frame satisfies MessageFrame);
  const at = head.indexOf('"data":{}') + 7;
  return head.slice(0, at) + m.data + head.slice(at + 2);
}

const newId = () => `msg_${crypto.randomUUID().replaceAll('-', '')}`;

export class ChannelObject extends DurableObject<Env> {
  private readonly store: ChannelStore;
  private readonly presence: Presence;
  private readonly fanout: Fanout;
  /** Subscriber count per shard; mirrored in the `shards` table. */
  private readonly shards = new Map<string, number>();
  private readonly maxReplay: number;
  private readonly ttlMs: number;
  private readonly idempotencyWindowMs: number;
  private name: string | null;
  private alarmChecked = false;
  /** Messages published here, reported to the StatsObject at most once a second. */
  private readonly statsReporter = new StatsReporter(() => 'channel', () => statsSink(this.env));
  /** Webhook events (null when webhooks are off). */
  private readonly webhooks: WebhookEmitter | null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const s = settings(env);
    this.maxReplay = s.maxReplay;
    this.ttlMs = s.historyTtlMs;
    this.idempotencyWindowMs = s.idempotencyWindowMs;
    this.webhooks = channelWebhooks(env, s);
    const sql = ctx.storage.sql;
    this.store = new ChannelStore(sql, { ttlMs: s.historyTtlMs, maxMessages: s.historyMaxMessages });
    this.presence = new Presence(sql);
    sql.exec('CREATE TABLE IF NOT EXISTS shards (name TEXT PRIMARY KEY, subscribers INTEGER NOT NULL)');
    sql.exec('CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, result TEXT NOT NULL, at INTEGER NOT NULL)');
    for (const row of sql.exec<{ name: string; subscribers: number }>('SELECT * FROM shards')) {
      this.shards.set(row.name, row.subscribers);
    }
    this.name = this.store.getMeta('name');
    this.fanout = new Fanout(
      {
        deliver: (shard, entries) => this.shardStub(shard).deliver(this.name ?? '', entries),
        evict: (shard) => this.shardStub(shard).evict(this.name ?? ''),
      },
      (shard, count) => this.setCount(shard, count),
    );
  }

  private shardStub(shard: string) {
    return this.env.SHARD.get(this.env.SHARD.idFromName(shard));
  }

  /** Records the channel's name on first use, and registers it for listing. */
  private async ensureNamed(name: string): Promise<void> {
    if (this.name !== null) return;
    this.name = name;
    this.store.setMeta('name', name);
    this.store.setMeta('createdAt', String(Date.now()));
    await this.env.REGISTRY.get(this.env.REGISTRY.idFromName('registry')).ensure(name);
  }

  private setCount(shard: string, count: number): void {
    if (this.shards.get(shard) === count) return;
    const before = this.webhooks === null ? 0 : this.subscriberCount();
    if (count <= 0) {
      this.shards.delete(shard);
      this.ctx.storage.sql.exec('DELETE FROM shards WHERE name = ?', shard);
      // Whatever presence that shard held is gone with it.
      this.broadcastPresence(this.presence.leaveShard(shard), 'leave');
    } else {
      this.shards.set(shard, count);
      this.ctx.storage.sql.exec(
        'INSERT INTO shards (name, subscribers) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET subscribers = excluded.subscribers',
        shard,
        count,
      );
    }
    if (this.name !== null) this.webhooks?.occupancy(this.name, before, this.subscriberCount(), Date.now());
  }

  private subscriberCount(): number {
    let n = 0;
    for (const c of this.shards.values()) n += c;
    return n;
  }

  /** Tells every subscriber who arrived or left (`except`: the connection that caused it, which gets `sync` instead). */
  private broadcastPresence(members: PresenceMember[], action: 'join' | 'leave', except?: string): void {
    if (this.name === null) return;
    this.webhooks?.members(this.name, members, action, Date.now());
    for (const member of members) {
      const frame: PresenceFrame = { type: 'presence', channel: this.name, action, member };
      const entry: Entry = { frame: JSON.stringify(frame) };
      if (except !== undefined) entry.except = except;
      this.fanout.push(this.shards.keys(), entry);
    }
  }

  private rememberedResult(key: string | undefined): PublishResult | null {
    if (key === undefined) return null;
    const row = this.ctx.storage.sql
      .exec<{ result: string; at: number }>('SELECT result, at FROM idempotency WHERE key = ?', key)
      .toArray()[0];
    if (row === undefined || row.at < Date.now() - this.idempotencyWindowMs) return null;
    return JSON.parse(row.result) as PublishResult;
  }

  /** Stores (unless ephemeral) and fans out one message; answers once it is durable. */
  private publishOne(name: string, input: PublishInput): PublishResult {
    const remembered = this.rememberedResult(input.idempotencyKey);
    if (remembered !== null) return remembered;
    const message = {
      id: newId(),
      eventType: input.eventType,
      clientId: input.clientId,
      data: input.data,
      timestamp: Date.now(),
      ...(input.clientEvent ? { clientEvent: true } : {}),
    };
    let seq: number | undefined;
    let entry: Entry;
    if (input.ephemeral) {
      entry = { frame: messageFrame(name, message) };
    } else {
      const stored = this.store.append(message);
      seq = stored.seq;
      entry = { seq, frame: messageFrame(name, stored) };
    }
    if (input.except !== undefined) entry.except = input.except;
    entry.at = message.timestamp;
    this.fanout.push(this.shards.keys(), entry);
    if (input.clientEvent) this.webhooks?.clientEvent(name, seq === undefined ? message : { ...message, seq });
    this.statsReporter.countPublished(name);
    this.statsReporter.schedule(timerScheduler, message.timestamp);
    const result: PublishResult = {
      id: message.id,
      channelSlug: name,
      eventType: message.eventType,
      clientId: message.clientId,
      delivered: this.subscriberCount(),
      createdAt: new Date(message.timestamp).toISOString(),
      timestamp: message.timestamp,
      seq: seq ?? 0,
    };
    if (input.idempotencyKey !== undefined) {
      this.ctx.storage.sql.exec(
        'INSERT INTO idempotency (key, result, at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET result = excluded.result, at = excluded.at',
        input.idempotencyKey,
        JSON.stringify(result),
        message.timestamp,
      );
    }
    return result;
  }

  private async afterPublish(): Promise<void> {
    if (this.alarmChecked) return;
    this.alarmChecked = true;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + Math.min(this.ttlMs, this.idempotencyWindowMs));
  }

  /** Stores the message (durably, before answering) and fans it out. */
  async publish(name: string, input: PublishInput): Promise<PublishResult> {
    await this.ensureNamed(name);
    const result = this.publishOne(name, input);
    await this.afterPublish();
    return result;
  }

  /** Several messages in one step, in order (batch publish). */
  async publishMany(name: string, inputs: PublishInput[]): Promise<PublishResult[]> {
    await this.ensureNamed(name);
    const results = inputs.map((input) => this.publishOne(name, input));
    await this.afterPublish();
    return results;
  }

  /**
   * A shard starts (or keeps) receiving this channel. Registration and the
   * read of `head` happen in one step of this single-threaded object, so every
   * message after `head` reaches the shard live, and everything up to `head`
   * after `lastSeq` is in `replay`: no gap, no overlap.
   */
  async join(name: string, shard: string, subscribers: number, options: JoinOptions = {}): Promise<JoinResult> {
    await this.ensureNamed(name);
    this.setCount(shard, Math.max(1, subscribers));
    const head = this.store.head;
    const result: JoinResult = { epoch: this.store.epoch, head, replay: [] };
    if (options.member !== undefined) {
      const arrived = this.presence.join(shard, options.member, Date.now());
      if (arrived !== null) this.broadcastPresence([arrived], 'join', options.member.connectionId);
      result.members = this.presence.members();
    }
    const { lastSeq, epoch } = options;
    if (lastSeq === undefined) return result;

    const failure = this.recoveryFailure(lastSeq, epoch);
    if (failure !== null) return { ...result, recovered: false, reason: failure };
    result.recovered = true;
    if (lastSeq < head) {
      result.replay = this.store.since(lastSeq, head - lastSeq).map((m) => ({ seq: m.seq, frame: messageFrame(name, m) }));
    }
    return result;
  }

  private recoveryFailure(lastSeq: number, epoch: string | undefined): RecoveryFailure | null {
    const head = this.store.head;
    if ((epoch !== undefined && epoch !== this.store.epoch) || lastSeq > head) return 'epoch';
    if (lastSeq === head) return null;
    if (lastSeq + 1 < this.store.oldestRetained()) return 'retention';
    if (head - lastSeq > this.maxReplay) return 'too_far_behind';
    return null;
  }

  /**
   * A shard reports how many subscribers it still has here (0: stop sending),
   * and which of its presence connections left.
   */
  leave(shard: string, subscribers: number, presenceConnections: string[] = []): void {
    if (presenceConnections.length > 0) this.broadcastPresence(this.presence.leave(presenceConnections), 'leave');
    this.setCount(shard, subscribers);
    if (subscribers <= 0) this.fanout.forget(shard);
  }

  members(): PresenceMember[] {
    return this.presence.members();
  }

  history(name: string, query: HistoryQuery): { items: HistoryMessage[]; total: number } {
    const { items, total } = this.store.page(query);
    return { items: items.map((m) => toHistoryMessage(name, m)), total };
  }

  stats(): ChannelStats {
    const createdAt = this.store.getMeta('createdAt');
    return {
      name: this.name,
      head: this.store.head,
      epoch: this.store.epoch,
      messageCount: this.store.count(),
      subscribers: this.subscriberCount(),
      shards: this.shards.size,
      members: this.presence.members().length,
      createdAt: createdAt === null ? null : Number(createdAt),
    };
  }

  /** Channel deleted: history is gone and a new epoch starts. Subscriptions stay. */
  reset(): void {
    this.store.reset();
  }

  /** Retention housekeeping: history and idempotency keys. */
  override async alarm(): Promise<void> {
    this.store.trim();
    this.ctx.storage.sql.exec('DELETE FROM idempotency WHERE at < ?', Date.now() - this.idempotencyWindowMs);
    const oldest = this.store.oldestTimestamp();
    const keys = this.ctx.storage.sql.exec<{ at: number | null }>('SELECT MIN(at) AS at FROM idempotency').one().at;
    const next = Math.min(oldest === null ? Infinity : oldest + this.ttlMs, keys === null ? Infinity : keys + this.idempotencyWindowMs);
    if (Number.isFinite(next)) await this.ctx.storage.setAlarm(next);
    else this.alarmChecked = false;
  }
}
