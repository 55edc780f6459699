/**
 * One Durable Object per channel: the single writer. It numbers, stores and
 * fans out every message, serves history, and remembers which connection
 * shards hold subscribers. A thin adapter over ChannelStore and Fanout.
 */
import { DurableObject } from 'cloudflare:workers';
import { settings, type Env } from '../env';
import type { MessageFrame, PublishResult, RecoveryFailure } from '@pushflodev/sdk/protocol';
import { Fanout, type Entry } from './fanout';
import { ChannelStore, toHistoryMessage, type HistoryQuery, type StoredMessage } from './store';
import type { HistoryMessage } from '@pushflodev/sdk/protocol';

export interface PublishInput {
  eventType: string;
  /** Content as JSON text (already validated as an object under the size limit). */
  data: string;
  clientId: string;
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
}

export interface ChannelStats {
  name: string | null;
  head: number;
  epoch: string;
  messageCount: number;
  subscribers: number;
  shards: number;
  createdAt: number | null;
}

export function messageFrame(channel: string, m: StoredMessage): string {
  // The content is already JSON text; splice it in instead of parsing it again.
  const head = JSON.stringify({
    type: 'message',
    channel,
    messageId: m.id,
    eventType: m.eventType,
    clientId: m.clientId,
    data: {},
    timestamp: m.timestamp,
    seq: m.seq,
  } satisfies MessageFrame);
  const at = head.indexOf('"data":{}') + 7;
  return head.slice(0, at) + m.data + head.slice(at + 2);
}

export class ChannelObject extends DurableObject<Env> {
  private readonly store: ChannelStore;
  private readonly fanout: Fanout;
  /** Subscriber count per shard; mirrored in the `shards` table. */
  private readonly shards = new Map<string, number>();
  private readonly maxReplay: number;
  private name: string | null;
  private alarmChecked = false;
  private readonly ttlMs: number;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const s = settings(env);
    this.maxReplay = s.maxReplay;
    this.ttlMs = s.historyTtlMs;
    this.store = new ChannelStore(ctx.storage.sql, { ttlMs: s.historyTtlMs, maxMessages: s.historyMaxMessages });
    ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS shards (name TEXT PRIMARY KEY, subscribers INTEGER NOT NULL)');
    for (const row of ctx.storage.sql.exec<{ name: string; subscribers: number }>('SELECT * FROM shards')) {
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
    if (count <= 0) {
      this.shards.delete(shard);
      this.ctx.storage.sql.exec('DELETE FROM shards WHERE name = ?', shard);
    } else {
      this.shards.set(shard, count);
      this.ctx.storage.sql.exec(
        'INSERT INTO shards (name, subscribers) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET subscribers = excluded.subscribers',
        shard,
        count,
      );
    }
  }

  private subscriberCount(): number {
    let n = 0;
    for (const c of this.shards.values()) n += c;
    return n;
  }

  /** Stores the message (durably, before answering) and fans it out. */
  async publish(name: string, input: PublishInput): Promise<PublishResult> {
    await this.ensureNamed(name);
    const stored = this.store.append({
      id: `msg_${crypto.randomUUID().replaceAll('-', '')}`,
      eventType: input.eventType,
      clientId: input.clientId,
      data: input.data,
      timestamp: Date.now(),
    });
    this.fanout.push(this.shards.keys(), { seq: stored.seq, frame: messageFrame(name, stored) });
    if (!this.alarmChecked) {
      this.alarmChecked = true;
      if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(stored.timestamp + this.ttlMs);
    }
    return {
      id: stored.id,
      channelSlug: name,
      eventType: stored.eventType,
      clientId: stored.clientId,
      delivered: this.subscriberCount(),
      createdAt: new Date(stored.timestamp).toISOString(),
      timestamp: stored.timestamp,
      seq: stored.seq,
    };
  }

  /**
   * A shard starts (or keeps) receiving this channel. Registration and the
   * read of `head` happen in one step of this single-threaded object, so every
   * message after `head` reaches the shard live, and everything up to `head`
   * after `lastSeq` is in `replay`: no gap, no overlap.
   */
  async join(name: string, shard: string, subscribers: number, lastSeq?: number, epoch?: string): Promise<JoinResult> {
    await this.ensureNamed(name);
    this.setCount(shard, Math.max(1, subscribers));
    const head = this.store.head;
    const result: JoinResult = { epoch: this.store.epoch, head, replay: [] };
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

  /** A shard reports how many subscribers it still has here (0: stop sending). */
  leave(shard: string, subscribers: number): void {
    this.setCount(shard, subscribers);
    if (subscribers <= 0) this.fanout.forget(shard);
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
      createdAt: createdAt === null ? null : Number(createdAt),
    };
  }

  /** Channel deleted: history is gone and a new epoch starts. Subscriptions stay. */
  reset(): void {
    this.store.reset();
  }

  /** Retention housekeeping. */
  override async alarm(): Promise<void> {
    this.store.trim();
    const oldest = this.store.oldestTimestamp();
    if (oldest !== null) await this.ctx.storage.setAlarm(oldest + this.ttlMs);
    else this.alarmChecked = false;
  }
}
