/**
 * A channel object's side of webhooks: turns what happens in the channel
 * (subscriber count crossing zero, presence members arriving and leaving,
 * client events on opted-in channels) into events, and hands them to the
 * channel's webhook queue object.
 *
 * Fire-and-forget for the fan-out path: recording an event is an array push.
 * At most one `enqueue` call is in flight; events that arrive meanwhile go in
 * the next call, so they reach the queue in order. The buffer is capped;
 * events that do not fit, or whose call fails three times, are counted and
 * reported to the queue with the next call (the queue counts them as dropped
 * in the statistics). Once `enqueue` answers, the events are stored.
 */
import { patternMatches, type PresenceMember, type WebhookEvent } from '@pushflodev/sdk/protocol';
import type { Env, Settings } from '../env';
import { newEventId, queueStub } from './events';

/** Sends events to the queue; `lost`: events dropped here since the last call. */
export type EnqueuePort = (events: WebhookEvent[], lost: number) => Promise<void>;

export interface EmitterOptions {
  /** Events held while a call is out (default 1,000). */
  maxBuffered: number;
  /** Events per call (default 100). */
  maxBatch: number;
  /** Attempts per call before its events count as lost (default 3). */
  attempts: number;
}

/** What the emitter needs to know about a client event. */
export interface ClientEventInfo {
  id: string;
  eventType: string;
  clientId: string;
  /** Content as JSON text (a validated object). */
  data: string;
  timestamp: number;
  seq?: number;
}

export class WebhookEmitter {
  private buffer: WebhookEvent[] = [];
  private sending = false;
  private lost = 0;
  /** Whether this channel's client events are wanted (a channel object has one name). */
  private wantsClientEvents: { channel: string; yes: boolean } | null = null;

  constructor(
    private readonly port: EnqueuePort,
    private readonly clientEventPatterns: readonly string[],
    private readonly options: EmitterOptions = { maxBuffered: 1_000, maxBatch: 100, attempts: 3 },
  ) {}

  /** The channel's subscriber count went from `before` to `after`. */
  occupancy(channel: string, before: number, after: number, now: number): void {
    if (before <= 0 && after > 0) this.push({ id: newEventId(), name: 'channel_occupied', channel, timeMs: now });
    else if (before > 0 && after <= 0) this.push({ id: newEventId(), name: 'channel_vacated', channel, timeMs: now });
  }

  /** Presence members (client ids, not sockets) that arrived or left. */
  members(channel: string, members: readonly PresenceMember[], action: 'join' | 'leave', now: number): void {
    const name = action === 'join' ? 'member_added' : 'member_removed';
    for (const m of members) this.push({ id: newEventId(), name, channel, timeMs: now, clientId: m.clientId, info: m.data });
  }

  /** A client event, sent when the channel matches `WEBHOOK_CLIENT_EVENTS`. */
  clientEvent(channel: string, m: ClientEventInfo): void {
    if (this.wantsClientEvents?.channel !== channel) {
      this.wantsClientEvents = { channel, yes: this.clientEventPatterns.some((p) => patternMatches(p, channel)) };
    }
    if (!this.wantsClientEvents.yes) return;
    const event: WebhookEvent = {
      id: newEventId(),
      name: 'client_event',
      channel,
      timeMs: m.timestamp,
      event: m.eventType,
      clientId: m.clientId,
      data: JSON.parse(m.data) as Record<string, unknown>,
      messageId: m.id,
    };
    if (m.seq !== undefined) event.seq = m.seq;
    this.push(event);
  }

  /** Events not yet handed to the queue (tests, stats). */
  pending(): number {
    return this.buffer.length;
  }

  private push(event: WebhookEvent): void {
    if (this.buffer.length >= this.options.maxBuffered) {
      this.lost++;
      return;
    }
    this.buffer.push(event);
    if (!this.sending) void this.drain();
  }

  private async drain(): Promise<void> {
    this.sending = true;
    try {
      while (this.buffer.length > 0) {
        const batch = this.buffer.splice(0, this.options.maxBatch);
        const lost = this.lost;
        this.lost = 0;
        if (!(await this.sendWithRetry(batch, lost))) this.lost += lost + batch.length;
      }
    } finally {
      this.sending = false;
    }
  }

  private async sendWithRetry(batch: WebhookEvent[], lost: number): Promise<boolean> {
    for (let attempt = 1; attempt <= this.options.attempts; attempt++) {
      try {
        await this.port(batch, lost);
        return true;
      } catch {
        // The queue object was unreachable for a moment: try again.
      }
    }
    return false;
  }
}

/** The channel object's emitter, or null when webhooks are off (no URL or no secret). */
export function channelWebhooks(env: Env, s: Settings): WebhookEmitter | null {
  if (s.webhookUrls.length === 0 || env.WEBHOOKS === undefined) return null;
  return new WebhookEmitter((events, lost) => queueStub(env, events[0]!.channel).enqueue(events, lost), s.webhookClientEvents);
}
