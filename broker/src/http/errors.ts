import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorCode, ApiError } from '@pushflodev/sdk/protocol';

/** An error with a stable code and an HTTP status, answered as JSON. */
export class HttpError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(): ApiError {
    return { success: false, error: this.message, code: this.code };
  }
}

export const badRequest = (code: ErrorCode, message: string) => new HttpError(400, code, message);
