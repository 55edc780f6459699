/**
 * WebSocket close codes the broker uses, with their meaning.
 *
 * | range       | meaning                                                       |
 * | ----------- | ------------------------------------------------------------- |
 * | 1000        | normal close (client asked, or channel work done)             |
 * | 4000 – 4499 | temporary: the client should reconnect with backoff and resume |
 * | 4500 – 4999 | terminal: do NOT reconnect until something changes (new key…)  |
 *
 * A close is always preceded by an `error` frame carrying the matching
 * `ErrorCode` when there is something to say.
 */
export const CloseCode = {
  NORMAL: 1000,
  /** The broker is restarting or moving the socket; reconnect and resume. */
  GOING_AWAY: 4000,
  /** No ping/pong (or other frame) for too long; reconnect and resume. */
  HEARTBEAT_TIMEOUT: 4001,
  /** The socket fell too far behind; reconnect and resume from the last seq. */
  SLOW_CONSUMER: 4002,
  /** The token expired; get a fresh one, reconnect and resume. */
  TOKEN_EXPIRED: 4003,
  /** The key or token was refused. */
  UNAUTHORIZED: 4500,
  /** The protocol version asked for is not spoken here. */
  UNSUPPORTED_PROTOCOL: 4501,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** First code of the do-not-reconnect range. */
export const TERMINAL_CLOSE_MIN = 4500;

/** True when a client must not reconnect automatically after this close code. */
export function isTerminalClose(code: number): boolean {
  return code >= TERMINAL_CLOSE_MIN && code <= 4999;
}
