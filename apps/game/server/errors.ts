/** Errors the API answers as `{error, code}` with a 4xx status; anything else is a 500 without details. */
export class ApiError extends Error {
  readonly status: 400 | 401 | 403 | 404 | 409 | 422;
  readonly code: string;

  constructor(status: 400 | 401 | 403 | 404 | 409 | 422, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}
