/** Validation of REST input: bodies, channel names, content, queries. */
import { byteLength, channelNameProblem, ErrorCode, eventTypeProblem, isPlainObject, MAX_MESSAGE_BYTES } from '@pushflodev/sdk/protocol';
import { badRequest, HttpError } from './errors';

/** Largest request body accepted (a 32 KB message plus its envelope). */
export const MAX_BODY_BYTES = 64 * 1024;

/** A channel name from the (already decoded) path or body. */
export function channelName(name: unknown): string {
  const problem = channelNameProblem(name);
  if (problem !== null) throw badRequest(ErrorCode.INVALID_CHANNEL, problem);
  return name as string;
}

/** Largest batch request body. */
export const MAX_BATCH_BODY_BYTES = 1024 * 1024;

/** Reads a JSON object body, refusing oversized and non-JSON bodies. */
export async function jsonBody(request: Request, limit = MAX_BODY_BYTES): Promise<Record<string, unknown>> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) throw tooLarge(limit);
  const text = await request.text();
  if (byteLength(text) > limit) throw tooLarge(limit);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest(ErrorCode.INVALID_JSON, 'request body is not valid JSON');
  }
  if (!isPlainObject(value)) throw badRequest(ErrorCode.INVALID_REQUEST, 'request body must be a JSON object');
  return value;
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, ErrorCode.PAYLOAD_TOO_LARGE, `request body is larger than ${limit} bytes`);
}

/** An idempotency key: 1–128 printable characters. */
export function idempotencyKeyOf(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(value))
    throw badRequest(ErrorCode.INVALID_REQUEST, `'${field}' must be 1 to 128 printable characters`);
  return value;
}

/** Validated message content, as the JSON text that will be stored and sent. */
export function contentText(content: unknown, field = 'content'): string {
  if (content === undefined) throw badRequest(ErrorCode.INVALID_CONTENT, `'${field}' is required and must be a JSON object`);
  if (!isPlainObject(content))
    throw badRequest(
      ErrorCode.INVALID_CONTENT,
      `'${field}' must be a JSON object (got ${Array.isArray(content) ? 'an array' : typeof content})`,
    );
  const text = JSON.stringify(content);
  const bytes = byteLength(text);
  if (bytes > MAX_MESSAGE_BYTES)
    throw new HttpError(413, ErrorCode.MESSAGE_TOO_LARGE, `message is ${bytes} bytes; the limit is ${MAX_MESSAGE_BYTES}`);
  return text;
}

export function eventTypeOf(value: unknown, field = 'eventType'): string {
  if (value === undefined || value === null) return 'message';
  const problem = eventTypeProblem(value);
  if (problem !== null) throw badRequest(ErrorCode.INVALID_EVENT_TYPE, problem.replace('eventType', field));
  return value as string;
}

export function intQuery(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw badRequest(ErrorCode.INVALID_QUERY, `'${name}' must be an integer from ${min} to ${max}`);
  return n;
}

export function optionalIntQuery(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  return intQuery(value, name, 0, 0, Number.MAX_SAFE_INTEGER);
}
