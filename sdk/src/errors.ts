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
  /** Stable code for programmatic handling, e.g. `UNAUTHORIZED`, `MESSAGE_TOO_LARGE`. */
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
  constructor(message: string, code = 'CONNECTION_FAILED', options: { retryable?: boolean; cause?: unknown } = {}) {
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
  constructor(message: string, code = 'UNAUTHORIZED', options: { status?: number } = {}) {
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
  constructor(message: string, code = 'VALIDATION_ERROR', options: { status?: number } = {}) {
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
  constructor(message: string, code = 'NETWORK_ERROR', options: { retryable?: boolean; cause?: unknown; status?: number } = {}) {
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
