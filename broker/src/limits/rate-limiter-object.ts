/**
 * Rate limits: one object per bucket (an API key by key id, or a client
 * address for the token route), holding a token bucket in memory. Losing it
 * on eviction only refills the bucket.
 */
import { DurableObject } from 'cloudflare:workers';
import { settings, type Env } from '../env';
import { TokenBucket } from './token-bucket';

export class RateLimiterObject extends DurableObject<Env> {
  private bucket: TokenBucket | null = null;

  /** Takes `n` from the bucket; `size` (default: the publish rate, burst 2×) sizes it on first use. */
  take(n: number, size?: { perSecond: number; burst: number }): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = Date.now();
    if (this.bucket === null) {
      const rate = settings(this.env).publishRatePerSecond;
      this.bucket = size === undefined ? new TokenBucket(rate, rate * 2, now) : new TokenBucket(size.perSecond, size.burst, now);
    }
    return this.bucket.take(now, n);
  }
}
