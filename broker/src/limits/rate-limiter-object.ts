/**
 * Per-key publish rate limit: one object per API key (by key id), holding a
 * token bucket in memory. Losing it on eviction only refills the bucket.
 */
import { DurableObject } from 'cloudflare:workers';
import { settings, type Env } from '../env';
import { TokenBucket } from './token-bucket';

export class RateLimiterObject extends DurableObject<Env> {
  private bucket: TokenBucket | null = null;

  take(n: number): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = Date.now();
    if (this.bucket === null) {
      const rate = settings(this.env).publishRatePerSecond;
      this.bucket = new TokenBucket(rate, rate * 2, now);
    }
    return this.bucket.take(now, n);
  }
}
