/**
 * Fan-out from one channel to the connection shards holding its subscribers.
 *
 * Each shard has an outbox. At most one delivery call per shard is in flight;
 * whatever is published meanwhile waits in the outbox and goes in the next
 * call as one batch. So frames reach every shard in seq order, and under load
 * the number of calls stays bounded while batches grow. Outboxes are capped:
 * a shard that falls further behind than `maxQueued` is told to drop the
 * channel's sockets (they reconnect and resume from their last seq; nothing
 * is lost because everything is in history first).
 */

import type { Entry, ShardPort } from '../rpc';

interface Outbox {
  queue: Entry[];
  sending: boolean;
}

export interface FanoutOptions {
  maxQueued: number;
  maxBatch: number;
  /**
   * Most characters of frames in one delivery call (a single larger frame
   * still goes alone). Keeps one call from handing each socket more than a
   * slice of its slow-consumer cap at once, so the shard hears from its
   * clients (acks, pings) between slices.
   */
  maxBatchChars: number;
  /** Attempts per batch before the shard is considered gone. */
  attempts: number;
}

export class Fanout {
  private readonly outboxes = new Map<string, Outbox>();

  constructor(
    private readonly port: ShardPort,
    /** Called with each shard's latest subscriber count (0: nobody left there). */
    private readonly onCount: (shard: string, count: number) => void,
    private readonly options: FanoutOptions = { maxQueued: 10_000, maxBatch: 512, maxBatchChars: 256 * 1024, attempts: 3 },
  ) {}

  /** Queues an entry for every shard and starts any idle outbox. */
  push(shards: Iterable<string>, entry: Entry): void {
    for (const shard of shards) {
      let box = this.outboxes.get(shard);
      if (box === undefined) {
        box = { queue: [], sending: false };
        this.outboxes.set(shard, box);
      }
      if (box.queue.length >= this.options.maxQueued) {
        box.queue.length = 0;
        this.port.evict(shard).catch(() => undefined);
        continue;
      }
      box.queue.push(entry);
      if (!box.sending) void this.drain(shard, box);
    }
  }

  /** Entries waiting (not yet handed to a shard), for stats and tests. */
  pending(): number {
    let n = 0;
    for (const box of this.outboxes.values()) n += box.queue.length;
    return n;
  }

  forget(shard: string): void {
    this.outboxes.get(shard)?.queue.splice(0);
  }

  private async drain(shard: string, box: Outbox): Promise<void> {
    box.sending = true;
    try {
      while (box.queue.length > 0) {
        const batch = box.queue.splice(0, this.batchLength(box.queue));
        const count = await this.sendWithRetry(shard, batch);
        if (count === null) {
          // The shard is gone (its sockets went with it and will resume elsewhere).
          box.queue.length = 0;
          this.onCount(shard, 0);
          break;
        }
        this.onCount(shard, count);
      }
    } finally {
      box.sending = false;
      if (box.queue.length === 0) this.outboxes.delete(shard);
    }
  }

  /** How many queued entries go in the next call: at most maxBatch, and maxBatchChars of frames (at least one). */
  private batchLength(queue: Entry[]): number {
    const most = Math.min(queue.length, this.options.maxBatch);
    let chars = 0;
    for (let i = 0; i < most; i++) {
      chars += queue[i]!.frame.length;
      if (chars > this.options.maxBatchChars) return Math.max(1, i);
    }
    return most;
  }

  private async sendWithRetry(shard: string, batch: Entry[]): Promise<number | null> {
    for (let attempt = 1; attempt <= this.options.attempts; attempt++) {
      try {
        return await this.port.deliver(shard, batch);
      } catch {
        // Retrying is safe: shards drop entries they have already delivered.
      }
    }
    return null;
  }
}
