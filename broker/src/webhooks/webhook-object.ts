/**
 * A durable webhook queue (`webhooks-0 … webhooks-7`; a channel always uses
 * the same one). A thin adapter over WebhookQueue: `enqueue` stores events
 * (the answer waits until they are durable), an alarm sends what is due and
 * sets the next alarm, so undelivered events survive a restart and go out
 * when the object wakes. Counts go to the StatsObject like everyone else's.
 */
import { DurableObject } from 'cloudflare:workers';
import type { WebhookEvent } from '@pushflodev/sdk/protocol';
import { settings, type Env } from '../env';
import { StatsReporter, timerScheduler } from '../stats/reporter';
import { statsSink } from '../stats/sinks';
import { QUEUE_DEFAULTS, WebhookQueue } from './queue';
import { httpSender } from './sender';

export class WebhookObject extends DurableObject<Env> {
  private readonly queue: WebhookQueue;
  private readonly reporter: StatsReporter;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const s = settings(env);
    const source = `webhooks:${ctx.id.toString().slice(0, 12)}`;
    this.reporter = new StatsReporter(
      () => source,
      () => statsSink(this.env),
      undefined,
      timerScheduler,
    );
    this.queue = new WebhookQueue(
      ctx.storage.sql,
      { ...QUEUE_DEFAULTS, urls: s.webhookUrls, vacateDelayMs: s.webhookVacateDelayMs, maxQueued: s.webhookMaxQueued },
      httpSender(s.webhookSecret),
      () => Date.now(),
      (delta) => {
        this.reporter.countWebhooks(delta);
      },
    );
    this.reporter.webhookPending = () => this.queue.size();
    // Events left from before a restart: make sure an alarm will send them.
    if (this.queue.nextWake() !== null) void ctx.blockConcurrencyWhile(() => this.wake());
  }

  /** Stores events (answers once they are durable); `lost`: events dropped before they got here. */
  async enqueue(events: WebhookEvent[], lost = 0): Promise<void> {
    this.queue.enqueue(events, lost);
    await this.wake();
  }

  /** Events waiting (tests). */
  size(): number {
    return this.queue.size();
  }

  private async wake(): Promise<void> {
    const next = this.queue.nextWake();
    if (next === null) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || next < current) await this.ctx.storage.setAlarm(next);
  }

  override async alarm(): Promise<void> {
    await this.queue.deliver();
    const next = this.queue.nextWake();
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }
}
