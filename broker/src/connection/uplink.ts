/**
 * Client events from one shard up to their channel objects.
 *
 * Each channel has a queue. At most one publish call per channel is in
 * flight; events that arrive meanwhile wait and go together in the next call
 * (`publishMany`), in arrival order. So a sender's events reach the channel in
 * the order it sent them, and under load (a game's 20 moves a second from
 * every player) the number of calls stays bounded while batches grow, instead
 * of one call per event. Queues are capped: past `maxQueued` an event is
 * refused at once, and the caller answers the sender; nothing is dropped
 * silently.
 */
import type { PublishFrame } from '@pushflodev/sdk/protocol';
import type { PublishInput } from '../rpc';
import type { SocketMeta } from './hub-types';

export interface UplinkPort {
  /** Publishes the inputs on the channel, in order, in one step. */
  publishMany(channel: string, inputs: PublishInput[]): Promise<unknown>;
}

export interface UplinkOptions {
  /** Events waiting for one channel before new ones are refused. */
  maxQueued: number;
  /** Events in one call. */
  maxBatch: number;
}

interface Pending {
  input: PublishInput;
  /** Called if the call carrying this event failed. */
  failed: () => void;
}

interface Queue {
  items: Pending[];
  sending: boolean;
}

export class Uplink {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly port: UplinkPort,
    private readonly options: UplinkOptions = { maxQueued: 1_000, maxBatch: 100 },
  ) {}

  /** Queues an event for its channel; false when the channel's queue is full (refused, not queued). */
  push(channel: string, input: PublishInput, failed: () => void): boolean {
    let queue = this.queues.get(channel);
    if (queue === undefined) {
      queue = { items: [], sending: false };
      this.queues.set(channel, queue);
    }
    if (queue.items.length >= this.options.maxQueued) return false;
    queue.items.push({ input, failed });
    if (!queue.sending) void this.drain(channel, queue);
    return true;
  }

  /** Events waiting (not yet in a call) for a channel. */
  waiting(channel: string): number {
    return this.queues.get(channel)?.items.length ?? 0;
  }

  private async drain(channel: string, queue: Queue): Promise<void> {
    queue.sending = true;
    while (queue.items.length > 0) {
      const batch = queue.items.splice(0, this.options.maxBatch);
      try {
        await this.port.publishMany(
          channel,
          batch.map((p) => p.input),
        );
      } catch {
        for (const p of batch) p.failed();
      }
    }
    queue.sending = false;
    this.queues.delete(channel);
  }
}

/** What a client event (`publish` over a socket) asks its channel to publish. */
export function clientEventInput(frame: PublishFrame, meta: SocketMeta): PublishInput {
  const input: PublishInput = {
    eventType: frame.event,
    data: JSON.stringify(frame.data),
    clientId: meta.clientId,
    clientEvent: true,
    ephemeral: frame.ephemeral ?? false,
  };
  if (frame.echo === false) input.except = meta.id;
  return input;
}
