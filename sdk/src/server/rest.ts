/**
 * The HTTP side: JSON requests with a bearer key, a timeout per attempt, and
 * retries with backoff for network errors and 5xx only (4xx never: the same
 * request would fail the same way). A 429 is retried only where the caller
 * says so (publishes, which carry idempotency keys), after the broker's
 * `Retry-After` when that is within `maxRetryAfter`. Errors come back typed,
 * with the broker's code.
 */
import { AuthenticationError, ClientErrorCode, NetworkError, PushFloError, RateLimitError, ValidationError } from '../errors.js';
import { ErrorCode } from '../protocol/index.js';

export interface RestOptions {
  apiKey: string;
  baseUrl: string;
  timeout: number;
  retryAttempts: number;
  /** Longest Retry-After (ms) a rate-limited request waits before trying again. */
  maxRetryAfter: number;
  debug: boolean;
  fetch: typeof fetch;
}

type Query = Record<string, string | number | undefined>;

interface ErrorBody {
  error?: string;
  code?: string;
}

export class RestClient {
  constructor(private readonly options: RestOptions) {}

  async request<T>(
    method: string,
    path: string,
    init: { body?: unknown; query?: Query; headers?: Record<string, string>; retryRateLimited?: boolean } = {},
  ): Promise<T> {
    const url = new URL(`/api/v1${path}`, this.options.baseUrl);
    for (const [key, value] of Object.entries(init.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const attempts = Math.max(1, this.options.retryAttempts);
    let lastError: PushFloError | null = null;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        return await this.once<T>(method, url, init.body, init.headers);
      } catch (err) {
        const error = err instanceof PushFloError ? err : new NetworkError(String(err), ClientErrorCode.NETWORK_ERROR, { cause: err });
        if (!error.retryable || attempt === attempts) throw error;
        let delay: number;
        if (error instanceof RateLimitError) {
          // Waiting is only safe where a retry cannot duplicate, and only as long as allowed.
          if (init.retryRateLimited !== true || error.retryAfter > this.options.maxRetryAfter) throw error;
          delay = error.retryAfter;
        } else {
          delay = Math.min(5_000, 250 * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5);
        }
        lastError = error;
        if (this.options.debug)
          console.debug(
            `[PushFlo] ${method} ${url.pathname} failed (${error.code}); retry ${attempt}/${attempts - 1} in ${Math.round(delay)} ms`,
          );
        await new Promise((r) => setTimeout(r, delay));
      }
    }
    throw lastError ?? new NetworkError('request failed', ClientErrorCode.NETWORK_ERROR);
  }

  private async once<T>(method: string, url: URL, body: unknown, headers: Record<string, string> = {}): Promise<T> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.options.timeout);
    let response: Response;
    try {
      if (this.options.debug) console.debug(`[PushFlo] ${method} ${url.href}`);
      response = await this.options.fetch(url, {
        method,
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${this.options.apiKey}`, ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: controller.signal,
      });
    } catch (err) {
      if (controller.signal.aborted)
        throw new NetworkError(`request timed out after ${this.options.timeout} ms`, ClientErrorCode.REQUEST_TIMEOUT, { cause: err });
      throw new NetworkError(`network error: ${err instanceof Error ? err.message : String(err)}`, ClientErrorCode.NETWORK_ERROR, {
        cause: err,
      });
    } finally {
      clearTimeout(timer);
    }
    const text = await response.text();
    let json: unknown;
    if (text.length > 0) {
      try {
        json = JSON.parse(text);
      } catch {
        if (response.ok)
          throw new NetworkError('the broker answered with something that is not JSON', ClientErrorCode.PARSE_ERROR, {
            retryable: false,
            status: response.status,
          });
      }
    }
    if (!response.ok) throw errorFor(response, (json ?? {}) as ErrorBody);
    if (response.status === 204 || json === undefined) return undefined as T;
    const wrapped = json as { success?: boolean; data?: unknown; pagination?: unknown };
    if (wrapped && typeof wrapped === 'object' && 'success' in wrapped && 'data' in wrapped) {
      return ('pagination' in wrapped ? { data: wrapped.data, pagination: wrapped.pagination } : wrapped.data) as T;
    }
    return json as T;
  }
}

function errorFor(response: Response, body: ErrorBody): PushFloError {
  const status = response.status;
  const message = body.error ?? `HTTP ${status}`;
  if (status === 401) return new AuthenticationError(message, body.code ?? ErrorCode.UNAUTHORIZED, { status });
  if (status === 403) return new AuthenticationError(message, body.code ?? ErrorCode.FORBIDDEN, { status });
  if (status === 400 || status === 413 || status === 422)
    return new ValidationError(message, body.code ?? ClientErrorCode.VALIDATION_ERROR, { status });
  if (status === 429)
    return new RateLimitError(message, retryAfterMs(response.headers.get('Retry-After')), {
      code: body.code ?? ErrorCode.RATE_LIMITED,
      status,
    });
  if (status >= 500) return new NetworkError(message, body.code ?? ClientErrorCode.SERVER_ERROR, { retryable: true, status });
  return new PushFloError(message, body.code ?? (status === 404 ? ErrorCode.NOT_FOUND : ClientErrorCode.HTTP_ERROR), { status });
}

/** `Retry-After` (delay-seconds or an HTTP date) in ms; 1 s when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  if (header === null) return 1_000;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? 1_000 : Math.max(0, at - now);
}
