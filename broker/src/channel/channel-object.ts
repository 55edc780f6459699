/**
 * One Durable Object per channel: a thin adapter over `Channel`
 * (channel.ts). It wires the channel to the runtime: SQLite storage, RPC stubs
 * to shards, the registry and the statistics, and the housekeeping alarm.
 * The object reads its own name from `ctx.id.name` (callers reach it with
 * `stub(env.CHANNEL, name)`), so no RPC carries it.
 */
import { DurableObject } from 'cloudflare:workers';
import { settings, type Env } from '../env';
import type { HistoryMessage, PresenceMember, PublishResult } from '@pushflodev/sdk/protocol';
import type { ChannelStats, JoinOptions, JoinResult, PublishInput } from '../rpc';
import { stub } from '../stub';
import { Channel } from './channel';
import { sqlChannelStorage, type HistoryStore } from './storage';
import type { HistoryQuery } from './store';
import { StatsReporter, timerScheduler } from '../stats/reporter';
import { statsSink } from '../stats/sinks';
import { channelWebhooks } from '../webhooks/emitter';
import { REGISTRY_OBJECT } from '../registry/registry-object';

export class ChannelObject extends DurableObject<Env> {
  private readonly channel: Channel;
  private readonly historyStore: HistoryStore;
  /** Registered with the registry (the first publish or join does it). */
  private registered: boolean;
  private alarmChecked = false;
  /** Messages published here, reported to the StatsObject at most once a second. */
  private readonly statsReporter: StatsReporter;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const s = settings(env);
    const storage = sqlChannelStorage(ctx.storage.sql, { ttlMs: s.historyTtlMs, maxMessages: s.historyMaxMessages });
    this.historyStore = storage.history;
    // Objects created before names were read from the id kept it in their meta table.
    const name = ctx.id.name ?? this.historyStore.getMeta('name') ?? '';
    this.registered = this.historyStore.getMeta('createdAt') !== null;
    this.statsReporter = new StatsReporter(
      () => 'channel',
      () => statsSink(env),
      undefined,
      timerScheduler,
    );
    this.channel = new Channel(
      name,
      storage,
      {
        deliver: (shard, entries) => stub(env.SHARD, shard).deliver(name, entries),
        evict: (shard) => stub(env.SHARD, shard).evict(name),
      },
      { maxReplay: s.maxReplay, historyTtlMs: s.historyTtlMs, idempotencyWindowMs: s.idempotencyWindowMs },
      { webhooks: channelWebhooks(env, s), published: (channel) => this.statsReporter.countPublished(channel) },
    );
  }

  /** Registers the channel for listing on first use. */
  private async register(): Promise<void> {
    if (this.registered) return;
    this.registered = true;
    this.historyStore.setMeta('createdAt', String(Date.now()));
    await stub(this.env.REGISTRY, REGISTRY_OBJECT).ensure(this.channel.name);
  }

  private async afterPublish(): Promise<void> {
    if (this.alarmChecked) return;
    this.alarmChecked = true;
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + this.channel.housekeepingDelay());
  }

  /** Stores the message (durably, before answering) and fans it out. */
  async publish(input: PublishInput): Promise<PublishResult> {
    await this.register();
    const result = this.channel.publish(input);
    await this.afterPublish();
    return result;
  }

  /** Several messages in one step, in order (batch publish, client events). */
  async publishMany(inputs: PublishInput[]): Promise<PublishResult[]> {
    await this.register();
    const results = inputs.map((input) => this.channel.publish(input));
    await this.afterPublish();
    return results;
  }

  /** A shard starts (or keeps) receiving this channel; see Channel.join. */
  async join(shard: string, subscribers: number, options: JoinOptions = {}): Promise<JoinResult> {
    await this.register();
    return this.channel.join(shard, subscribers, options);
  }

  /** A shard reports how many subscribers it still has here, and which of its presence connections left. */
  leave(shard: string, subscribers: number, presenceConnections: string[] = []): void {
    this.channel.leave(shard, subscribers, presenceConnections);
  }

  members(): PresenceMember[] {
    return this.channel.members();
  }

  history(query: HistoryQuery): { items: HistoryMessage[]; total: number } {
    return this.channel.history(query);
  }

  stats(): ChannelStats {
    const createdAt = this.historyStore.getMeta('createdAt');
    return this.channel.stats(createdAt === null ? null : Number(createdAt));
  }

  /** Channel deleted: history is gone and a new epoch starts. Subscriptions stay. */
  reset(): void {
    this.channel.reset();
  }

  /** Retention housekeeping: history and idempotency keys. */
  override async alarm(): Promise<void> {
    const next = this.channel.housekeeping();
    if (next !== null) await this.ctx.storage.setAlarm(next);
    else this.alarmChecked = false;
  }
}
