import { ErrorCode } from './protocol/codes.js';

/**
 * The codes of the errors the SDK raises itself, on its side of the wire: the
 * browser client (`PushFloClient`) and the server client (`PushFloServer`)
 * are both clients of the broker. Codes the broker sends (in an `error` frame
 * or a JSON error body) are passed through unchanged and are listed in
 * `ErrorCode` (`@pushflodev/sdk/protocol`); the SDK also uses a few of those
 * itself when it refuses input before sending it (`ErrorCode.INVALID_CHANNEL`,
 * `ErrorCode.INVALID_CONTENT`…), so that an app sees one code for one problem
 * wherever it was caught. Every `PushFloError` has one of the two as its
 * `code`; they never change meaning.
 *
 * @example
 * ```ts
 * import { ClientErrorCode } from '@pushflodev/sdk';
 *
 * client.on('error', (err) => {
 *   if (err instanceof PushFloError && err.code === ClientErrorCode.MAX_RECONNECT_ATTEMPTS) showOfflineBanner();
 * });
 * ```
 */
export const ClientErrorCode = {
  // ---- keys and tokens
  /** `new PushFloClient` got no publish key, token, authUrl or authCallback. */
  MISSING_PUBLISH_KEY: 'MISSING_PUBLISH_KEY',
  /** `new PushFloServer` got no secret key. */
  MISSING_SECRET_KEY: 'MISSING_SECRET_KEY',
  /** A key with the wrong prefix (`pub_` for clients, `sec_`/`mgmt_` for servers). */
  INVALID_API_KEY: 'INVALID_API_KEY',
  /** `authUrl` / `authCallback` failed or answered something that is not `{ token }`. */
  AUTH_FAILED: 'AUTH_FAILED',
  // ---- input refused before sending
  /** A `since` position that is not `{ seq: integer ≥ 0, epoch?: string }`. */
  INVALID_SINCE: 'INVALID_SINCE',
  /** Input refused by `PushFloServer` (the default of `ValidationError`). */
  VALIDATION_ERROR: 'VALIDATION_ERROR',
  /** Client events sent while disconnected are queued; the queue is full. */
  QUEUE_FULL: 'QUEUE_FULL',
  // ---- the connection
  /** `connect()` on a client that was destroyed. */
  DESTROYED: 'DESTROYED',
  /** No WebSocket implementation: pass the `WebSocket` option. */
  NO_WEBSOCKET: 'NO_WEBSOCKET',
  /** No way to do SSE in this runtime (no `fetch`): pass the `fetch` option. */
  NO_SSE: 'NO_SSE',
  /** A `transport` option other than `auto`, `websocket` or `sse`. */
  INVALID_TRANSPORT: 'INVALID_TRANSPORT',
  /** The socket could not be opened. */
  CONNECTION_FAILED: 'CONNECTION_FAILED',
  /** The broker did not say `connected` within `connectionTimeout`. */
  CONNECTION_TIMEOUT: 'CONNECTION_TIMEOUT',
  /** The socket closed (or `disconnect()` was called) before the connection completed. */
  CONNECTION_CLOSED: 'CONNECTION_CLOSED',
  /** The broker closed the connection for good (a close code 4500–4999). */
  CONNECTION_REFUSED: 'CONNECTION_REFUSED',
  /** `maxReconnectAttempts` reconnects failed in a row. */
  MAX_RECONNECT_ATTEMPTS: 'MAX_RECONNECT_ATTEMPTS',
  /** The broker's `connected` frame names a protocol version this SDK does not speak. */
  PROTOCOL_MISMATCH: 'PROTOCOL_MISMATCH',
  /** The broker sent something that is not a valid frame; it was skipped, the others were handled. */
  INVALID_SERVER_FRAME: 'INVALID_SERVER_FRAME',
  /** An `error` frame or error answer that carried no code of its own. */
  SERVER_ERROR: 'SERVER_ERROR',
  // ---- HTTP (PushFloServer)
  /** The request never got an answer: network down, DNS, connection reset. */
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** No answer within the `timeout` option. */
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  /** The broker answered 2xx with something that is not JSON. */
  PARSE_ERROR: 'PARSE_ERROR',
  /** An HTTP error status the SDK has no better name for. */
  HTTP_ERROR: 'HTTP_ERROR',
} as const;

/** One of `ClientErrorCode`'s values. */
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/**
 * Error classes. Every error the SDK throws or emits is a `PushFloError` with a
 * stable `code` and a `retryable` flag; subclasses say which kind it is.
 *
 * @example
 * ```ts
 * try {
 *   await server.publish('orders:user-1', { status: 'shipped' });
 * } catch (err) {
 *   if (err instanceof AuthenticationError) console.error('check your secret key');
 *   else if (err instanceof PushFloError) console.error(err.code, err.message);
 * }
 * ```
 */
export class PushFloError extends Error {
  /** Stable code for programmatic handling: a `ClientErrorCode` or the broker's `ErrorCode`, e.g. `UNAUTHORIZED`, `MESSAGE_TOO_LARGE`. */
  readonly code: string;
  /** Whether retrying the same operation may succeed. */
  readonly retryable: boolean;
  /** HTTP status, when the error came from a REST call. */
  readonly status?: number;

  constructor(message: string, code: string, options: { retryable?: boolean; cause?: unknown; status?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PushFloError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    if (options.status !== undefined) this.status = options.status;
  }

  /** A JSON-friendly view (no stack). */
  toJSON(): { name: string; message: string; code: string; retryable: boolean; status?: number } {
    const out: { name: string; message: string; code: string; retryable: boolean; status?: number } = {
      name: this.name,
      message: this.message,
      code: this.code,
      retryable: this.retryable,
    };
    if (this.status !== undefined) out.status = this.status;
    return out;
  }

  override toString(): string {
    return `${this.name} [${this.code}]: ${this.message}`;
  }
}

/**
 * The socket could not be opened or kept (timeout, refused, closed).
 * @example
 * ```ts
 * client.on('error', (e) => { if (e instanceof ConnectionError) showBanner(e.message); });
 * ```
 */
export class ConnectionError extends PushFloError {
  constructor(message: string, code: string = ClientErrorCode.CONNECTION_FAILED, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, code, { retryable: options.retryable ?? true, cause: options.cause });
    this.name = 'ConnectionError';
  }
}

/**
 * A key or token was missing, malformed or refused (401/403, `UNAUTHORIZED`).
 * @example
 * ```ts
 * if (err instanceof AuthenticationError) redirectToLogin();
 * ```
 */
export class AuthenticationError extends PushFloError {
  constructor(message: string, code: string = ErrorCode.UNAUTHORIZED, options: { status?: number } = {}) {
    super(message, code, { retryable: false, ...options });
    this.name = 'AuthenticationError';
  }
}

/**
 * Input the SDK or the broker refused: bad channel name, content that is not
 * an object, a message over 32 KB…
 * @example
 * ```ts
 * if (err instanceof ValidationError) form.showError(err.message);
 * ```
 */
export class ValidationError extends PushFloError {
  constructor(message: string, code: string = ClientErrorCode.VALIDATION_ERROR, options: { status?: number } = {}) {
    super(message, code, { retryable: false, ...options });
    this.name = 'ValidationError';
  }
}

/**
 * The network failed, timed out, or the broker answered 5xx/429.
 * `retryable` says whether trying again may help.
 * @example
 * ```ts
 * if (err instanceof NetworkError && err.retryable) queueForLater(job);
 * ```
 */
export class NetworkError extends PushFloError {
  constructor(
    message: string,
    code: string = ClientErrorCode.NETWORK_ERROR,
    options: { retryable?: boolean; cause?: unknown; status?: number } = {},
  ) {
    super(message, code, { retryable: options.retryable ?? true, ...options });
    this.name = 'NetworkError';
  }
}

/**
 * The broker refused the call for now (HTTP 429, `RATE_LIMITED`). A
 * `NetworkError`, so code written for the public SDK keeps working;
 * `retryAfter` says how long the broker asked to wait (ms; from `Retry-After`).
 * `publish` and `publishBatch` wait that long themselves (up to the server
 * client's `maxRetryAfter`) before they give up with this error.
 * @example
 * ```ts
 * if (err instanceof RateLimitError) setTimeout(retry, err.retryAfter);
 * ```
 */
export class RateLimitError extends NetworkError {
  /** How long to wait before trying again (ms). */
  readonly retryAfter: number;

  constructor(message: string, retryAfter: number, options: { code?: string; status?: number } = {}) {
    super(message, options.code ?? 'RATE_LIMITED', { retryable: true, status: options.status ?? 429 });
    this.name = 'RateLimitError';
    this.retryAfter = retryAfter;
  }
}
