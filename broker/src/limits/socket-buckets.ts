/** Per-socket rate limits: frames (pings excluded, burst 2×) and client events. */
import { TokenBucket } from './token-bucket';

export type SocketLimit = 'frames' | 'events';

interface Buckets {
  frames: TokenBucket;
  events: TokenBucket;
  warnedAt: number;
}

export class SocketBuckets {
  private readonly buckets = new Map<string, Buckets>();

  constructor(
    private readonly framesPerSecond: number,
    private readonly eventsPerSecond: number,
  ) {}

  /** 'ok', 'refused', or 'warn' (refused, and the first refusal of frames in a second: tell the client). */
  take(id: string, kind: SocketLimit, now: number): 'ok' | 'refused' | 'warn' {
    let b = this.buckets.get(id);
    if (b === undefined) {
      const f = this.framesPerSecond;
      const e = this.eventsPerSecond;
      b = { frames: new TokenBucket(f, f * 2, now), events: new TokenBucket(e, e, now), warnedAt: 0 };
      this.buckets.set(id, b);
    }
    if (b[kind].take(now).ok) return 'ok';
    if (kind === 'events') return 'warn';
    if (now - b.warnedAt < 1000) return 'refused';
    b.warnedAt = now;
    return 'warn';
  }

  forget(id: string): void {
    this.buckets.delete(id);
  }
}
