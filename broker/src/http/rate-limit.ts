/** Per-key rate limits on the HTTP surface: one token bucket per key id (a RateLimiterObject). */
import type { Context } from 'hono';
import { ErrorCode } from '@pushflodev/sdk/protocol';
import type { AppEnv } from './auth-middleware';
import { HttpError } from './errors';
import { stub } from '../stub';

/**
 * Charges `n` requests to the caller's key (`keyId`), or to `bucket` at
 * `perSecond`; over the limit: 429 RATE_LIMITED with Retry-After.
 */
export async function rateLimit(
  c: Context<AppEnv>,
  n: number,
  what = 'publish',
  bucket?: { name: string; perSecond: number; burst: number; whose: string },
): Promise<void> {
  const limiter = stub(c.env.LIMITER, bucket?.name ?? c.get('keyId'));
  const verdict = await limiter.take(n, bucket === undefined ? undefined : { perSecond: bucket.perSecond, burst: bucket.burst });
  if (!verdict.ok) {
    const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
    throw new HttpError(
      429,
      ErrorCode.RATE_LIMITED,
      `${what} rate limit reached for this ${bucket?.whose ?? 'key'}; retry in ${seconds} s`,
      {
        'Retry-After': String(seconds),
      },
    );
  }
}
