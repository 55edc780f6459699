/**
 * Why a connection ends, and what each close from the broker (or the
 * network) means: the input of `Connection`'s one disconnect path.
 */
import { AuthenticationError, ClientErrorCode, ConnectionError } from '../errors.js';
import { CloseCode, ErrorCode, isTerminalClose, PROTOCOL_VERSION } from '../protocol/index.js';

/** Why a connection ends: the input of the one disconnect path. */
export interface Ending {
  /** Close code and reason for the transport (when there still is one). */
  code: number;
  reason: string;
  /** The error to report; null for a plain end (a drop to reconnect from, `disconnect()`). */
  error: Error | null;
  /** Whether another attempt may succeed: reconnect (with backoff) when this was a live connection or a reconnect. */
  retry: boolean;
  /** The `disconnected` event's reason, when the connection was `connected`. */
  event?: string | undefined;
}

/** What a close from the broker (or the network) means, by phase. */
export function closeEnding(connected: boolean, code: number, reason: string): Ending {
  const base = { code, reason, event: reason || undefined };
  if (code === CloseCode.UNSUPPORTED_PROTOCOL) {
    const error = new ConnectionError(
      reason || `the broker does not speak protocol version ${PROTOCOL_VERSION}`,
      ErrorCode.UNSUPPORTED_PROTOCOL,
      { retryable: false },
    );
    return { ...base, error, retry: false };
  }
  if (isTerminalClose(code)) {
    const error = connected
      ? new ConnectionError(reason || `the broker closed the connection for good (${code})`, ClientErrorCode.CONNECTION_REFUSED, {
          retryable: false,
        })
      : new AuthenticationError(reason || `connection refused (close ${code})`, ErrorCode.UNAUTHORIZED);
    return { ...base, error, retry: false };
  }
  if (connected) return { ...base, error: null, retry: true };
  return { ...base, error: new ConnectionError(reason || `connection closed (${code})`, ClientErrorCode.CONNECTION_CLOSED), retry: true };
}
