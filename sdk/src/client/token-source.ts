/**
 * Where the client's credential comes from: a fixed publish key or token, or a
 * provider (`authUrl` / `authCallback`) asked before connecting and again
 * before the token expires.
 */
import { AuthenticationError, ClientErrorCode } from '../errors.js';
import { decodeTokenPayload } from '../protocol/index.js';
import type { Clock } from '../types.js';

/** Refresh a token this long before it expires (ms). */
export const REFRESH_BEFORE_MS = 60_000;
/** Shortest wait before a refresh (ms), however close the expiry. */
export const MIN_REFRESH_DELAY_MS = 1_000;

/**
 * The seconds-since-epoch expiry (`exp`) of a token, or null when it has none
 * or is not a JWT. Reads without verifying: only for scheduling a refresh.
 *
 * @example
 * ```ts
 * const exp = tokenExpiry(token); // 1767225600
 * ```
 */
export function tokenExpiry(token: string): number | null {
  const exp = decodeTokenPayload(token)?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? exp : null;
}

export class TokenSource {
  private token: string | null;

  constructor(
    initial: string | null,
    private readonly publishKey: string | null,
    private readonly provider: (() => Promise<string>) | null,
    private readonly clock: Clock,
  ) {
    this.token = initial;
  }

  /** What goes into `?token=`: the token, else the publish key. */
  get credential(): string {
    return this.token ?? this.publishKey ?? '';
  }

  /** Gets a token from the provider when there is none or it is about to expire. */
  async ensure(): Promise<void> {
    if (this.provider === null) return;
    const exp = this.token === null ? null : tokenExpiry(this.token);
    if (this.token !== null && exp !== null && exp * 1000 - this.clock.now() > REFRESH_BEFORE_MS) return;
    this.token = await this.provider();
  }

  /** Whether `ensure()` has a provider to ask (otherwise no connect waits for it). */
  get hasProvider(): boolean {
    return this.provider !== null;
  }

  /**
   * How long to wait before refreshing over the open socket: a minute before
   * expiry, or half the remaining lifetime if that is sooner (at least 1 s).
   * Null when there is nothing to refresh (no provider, or a token without `exp`).
   */
  refreshDelay(): number | null {
    if (this.provider === null || this.token === null) return null;
    const exp = tokenExpiry(this.token);
    if (exp === null) return null;
    const lifetime = exp * 1000 - this.clock.now();
    return Math.max(MIN_REFRESH_DELAY_MS, Math.min(lifetime - REFRESH_BEFORE_MS, lifetime / 2));
  }

  /** Asks the provider for a fresh token and keeps it. */
  async refresh(): Promise<string> {
    if (this.provider === null)
      throw new AuthenticationError('no authUrl or authCallback to refresh the token with', ClientErrorCode.AUTH_FAILED);
    const token = await this.provider();
    this.token = token;
    return token;
  }
}
