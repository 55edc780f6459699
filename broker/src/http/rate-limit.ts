/** Per-key rate limits on the HTTP surface: one token bucket per key id (a RateLimiterObject). */
import type { Context } from 'hono';
import { ErrorCode } from '@pushflodev/sdk/protocol';
import type { AppEnv } from './auth-middleware';
import { HttpError } from './errors';

/** Charges `n` requests to the caller's key (`keyId`); over the limit: 429 RATE_LIMITED with Retry-After. */
export async function rateLimit(c: Context<AppEnv>, n: number, what = 'publish'): Promise<void> {
  const limiter = c.env.LIMITER.get(c.env.LIMITER.idFromName(c.get('keyId')));
  const verdict = await limiter.take(n);
  if (!verdict.ok) {
    const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
    throw new HttpError(429, ErrorCode.RATE_LIMITED, `${what} rate limit reached for this key; retry in ${seconds} s`, {
      'Retry-After': String(seconds),
    });
  }
}
