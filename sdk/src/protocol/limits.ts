/** Wire-level limits shared by the broker and the SDK. */
export const PROTOCOL_VERSION = 1;
/** Largest message content, as serialised JSON (bytes). */
export const MAX_MESSAGE_BYTES = 32 * 1024;
/** Largest single client frame (bytes). */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Longest event type. */
export const MAX_EVENT_TYPE_LENGTH = 64;
const EVENT_TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

export function eventTypeProblem(eventType: unknown): string | null {
  if (typeof eventType !== 'string' || eventType.length === 0) return 'eventType must be a non-empty string';
  if (eventType.length > MAX_EVENT_TYPE_LENGTH) return `eventType is ${eventType.length} characters; the limit is ${MAX_EVENT_TYPE_LENGTH}`;
  if (!EVENT_TYPE_RE.test(eventType)) return `invalid eventType '${eventType}': use letters, digits and _ . : - (e.g. 'order-shipped')`;
  return null;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const encoder = new TextEncoder();
export function byteLength(text: string): number {
  // Fast path: ASCII-only strings are their own length.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range \x00-\x7f is the point of the fast path
  return /^[\x00-\x7f]*$/.test(text) ? text.length : encoder.encode(text).byteLength;
}

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
