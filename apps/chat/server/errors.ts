/** Errors the API answers as JSON `{error, code}` with a 4xx/5xx status; never a stack. */
export class AppError extends Error {
  readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 503;
  readonly code: string;

  constructor(status: AppError['status'], code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}
