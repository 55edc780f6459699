/** Validation of REST input: bodies, channel names, content, queries. */
import type { Context, MiddlewareHandler } from 'hono';
import {
  byteLength,
  channelNameProblem,
  ErrorCode,
  eventTypeProblem,
  isPlainObject,
  MAX_MESSAGE_BYTES,
  MAX_SSE_POST_BYTES,
} from '@pushflodev/sdk/protocol';
import type { AppEnv } from './auth-middleware';
import { badRequest, HttpError } from './errors';
import { countWorkerError } from '../stats/sinks';

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

/**
 * The largest body each route takes; every other route takes
 * `MAX_BODY_BYTES` (the body of a route that reads none is still drained
 * through the limit, never buffered whole).
 */
const BODY_LIMITS: Readonly<Record<string, number>> = {
  '/api/v1/batch': MAX_BATCH_BODY_BYTES,
  '/sse/frames': MAX_SSE_POST_BYTES,
};

/** The body limit of a request path. */
export function bodyLimitFor(path: string): number {
  return BODY_LIMITS[path] ?? MAX_BODY_BYTES;
}

/**
 * Reads every request body through a streaming size limit, before auth and
 * before any parsing, and leaves its text for the handlers (`bodyText`). A
 * declared `Content-Length` over the limit is refused without reading a byte;
 * a chunked body (no length) is read chunk by chunk and refused the moment it
 * passes the limit: 413 `PAYLOAD_TOO_LARGE`, and the broker has held at most
 * the limit plus one chunk. So a 100 MB body costs what its first kilobytes do.
 */
export const readBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const body = c.req.raw.body;
  if (body === null) {
    c.set('bodyText', '');
    return next();
  }
  const limit = bodyLimitFor(c.req.path);
  const declared = c.req.header('Content-Length');
  if (declared !== undefined && Number(declared) > limit) return refuseTooLarge(c, limit, body.getReader());
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) return refuseTooLarge(c, limit, reader);
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  c.set('bodyText', decoder.decode(bytes));
  return next();
};

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Most of a refused body read (and dropped) after the answer, and for how long. */
const DRAIN_BYTES = 8 * 1024 * 1024;
const DRAIN_MS = 2_000;

/**
 * The 413 for a body over its limit. Its JSON goes out at once; the
 * connection is held open while what the client is still sending is read and
 * dropped (up to DRAIN_BYTES or DRAIN_MS: a client stops when it sees the
 * answer), and only then closed. Closing with unread input makes the kernel
 * answer with a reset, which destroys the 413 before a client still writing
 * can read it (what nginx's "lingering close" avoids). Nothing is kept.
 */
function refuseTooLarge(c: Context<AppEnv>, limit: number, reader: ReadableStreamDefaultReader<Uint8Array>): Response {
  const error = tooLarge(limit);
  countWorkerError(c, error.code);
  const json = encoder.encode(JSON.stringify(error.body()));
  const out = new FixedLengthStream(json.byteLength);
  const writer = out.writable.getWriter();
  void writer.write(json).catch(() => undefined);
  c.executionCtx.waitUntil(drain(reader).finally(() => writer.close().catch(() => undefined)));
  return new Response(out.readable, {
    status: 413,
    headers: { 'Content-Type': 'application/json', ...error.headers },
  });
}

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), DRAIN_MS);
  });
  let dropped = 0;
  try {
    while (dropped < DRAIN_BYTES) {
      const read = await Promise.race([reader.read(), timeout]);
      if (read === 'timeout' || read.done) break;
      dropped += read.value.byteLength;
    }
  } catch {
    // the client went away, or sent a broken body: nothing more to read
  } finally {
    clearTimeout(timer);
    void reader.cancel().catch(() => undefined);
  }
}

/** The request's JSON object body (already read within its limit by `readBody`), refusing non-JSON and non-objects. */
export function jsonBody(c: Context<AppEnv>): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(c.get('bodyText') ?? '');
  } catch {
    throw badRequest(ErrorCode.INVALID_JSON, 'request body is not valid JSON');
  }
  if (!isPlainObject(value)) throw badRequest(ErrorCode.INVALID_REQUEST, 'request body must be a JSON object');
  return value;
}

function tooLarge(limit: number): HttpError {
  // Any origin may read the refusal: the browser-facing routes with bodies (`/auth/token`, `/sse/frames`) allow every origin.
  return new HttpError(413, ErrorCode.PAYLOAD_TOO_LARGE, `request body is larger than ${limit} bytes`, {
    'Access-Control-Allow-Origin': '*',
  });
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
