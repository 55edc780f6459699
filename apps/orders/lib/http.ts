import { AppError } from './orders';

/** A JSON error answer; never a stack. */
export function fail(err: unknown): Response {
  if (err instanceof AppError) return Response.json({ error: err.message, code: err.code }, { status: err.status });
  console.error('orders: unexpected error', err);
  return Response.json({ error: 'internal error', code: 'INTERNAL' }, { status: 500 });
}

/** The request's JSON body, or a 400. */
export async function body(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.length > 16_384) throw new AppError(400, 'BODY_TOO_LARGE', 'request body is over 16 KB');
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError(400, 'INVALID_JSON', 'request body is not valid JSON');
  }
}
