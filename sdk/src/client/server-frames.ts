/**
 * The client's boundary for what the broker sends: one WebSocket message may
 * carry several frames, one per line (frame coalescing, asked for with
 * `coalesce=1`), and each line is checked before the client acts on it.
 *
 * The checks are about the fields the client reads. The base protocol's
 * frames lack Switchyard's extensions (`seq`, `epoch`, `protocol`…), so those
 * are optional here; a field that is present with the wrong type makes the
 * whole frame invalid. A frame `type` this client does not know is skipped
 * quietly (a newer broker may send more), not reported.
 */
import {
  ErrorCode,
  isPlainObject,
  type AuthenticatedFrame,
  type ConnectedFrame,
  type MessageFrame,
  type PresenceFrame,
  type PresenceMember,
  type RecoveryFailure,
  type SubscribedFrame,
  type UnsubscribedFrame,
} from '../protocol/index.js';
import { AuthenticationError, ClientErrorCode, ConnectionError, PushFloError } from '../errors.js';

/** `T`'s `type` and `K` fields, and the rest optional. */
type Base<T extends { type: string }, K extends keyof T> = Pick<T, 'type' | K> & Partial<Omit<T, 'type' | K>>;

/** `connected`: only `clientId` is in the base protocol. */
export type IncomingConnected = Base<ConnectedFrame, 'clientId'>;
export type IncomingSubscribed = Base<SubscribedFrame, 'channel'>;
export type IncomingMessage = Base<MessageFrame, 'channel' | 'messageId'>;
/** `error`, with a code and a text always set (`SERVER_ERROR` when the broker gave none). */
export interface IncomingError {
  type: 'error';
  error: string;
  code: string;
  channel?: string;
}

/** A server frame that passed the checks. */
export type IncomingFrame =
  | IncomingConnected
  | IncomingSubscribed
  | UnsubscribedFrame
  | IncomingMessage
  | IncomingError
  | { type: 'pong' }
  | PresenceFrame
  | Base<AuthenticatedFrame, never>;

/** What one line is. */
export type ParsedLine = { kind: 'frame'; frame: IncomingFrame } | { kind: 'unknown'; type: string } | { kind: 'invalid'; problem: string };

const RECOVERY_FAILURES: readonly string[] = ['retention', 'epoch', 'too_far_behind'] satisfies RecoveryFailure[];

/** The lines of one received text, in order (empty lines skipped). */
export function splitFrames(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isSeq = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
/** Absent, or of the right type. */
const optional = (v: unknown, check: (v: unknown) => boolean): boolean => v === undefined || check(v);

function isMember(v: unknown): v is PresenceMember {
  return isPlainObject(v) && isString(v.clientId) && (v.data === null || v.data === undefined || isPlainObject(v.data));
}

/** Why the frame is unusable, or null. */
function problemOf(f: Record<string, unknown>): string | null {
  switch (f.type) {
    case 'connected':
      if (!isString(f.clientId)) return "'connected' needs a string clientId";
      if (!optional(f.timestamp, isNumber) || !optional(f.pingInterval, isNumber))
        return "'connected' has a non-numeric timestamp or pingInterval";
      if (!optional(f.protocol, isNumber)) return "'connected' has a non-numeric protocol";
      if (!optional(f.connectionId, isString) || !optional(f.connectionSecret, isString))
        return "'connected' has a non-string connectionId or connectionSecret";
      return null;
    case 'subscribed':
      if (!isString(f.channel)) return "'subscribed' needs a string channel";
      if (!optional(f.seq, isSeq) || !optional(f.epoch, isString) || !optional(f.recovered, isBoolean))
        return "'subscribed' has a malformed seq, epoch or recovered";
      if (!optional(f.reason, (r) => isString(r) && RECOVERY_FAILURES.includes(r))) return "'subscribed' has an unknown reason";
      return null;
    case 'unsubscribed':
      return isString(f.channel) ? null : "'unsubscribed' needs a string channel";
    case 'message':
      if (!isString(f.channel) || !isString(f.messageId)) return "'message' needs a string channel and messageId";
      if (!optional(f.seq, isSeq) || !optional(f.timestamp, isNumber)) return "'message' has a malformed seq or timestamp";
      if (!optional(f.eventType, isString) || !optional(f.clientId, isString) || !optional(f.data, isPlainObject))
        return "'message' has a malformed eventType, clientId or data";
      return null;
    case 'presence':
      if (!isString(f.channel)) return "'presence' needs a string channel";
      if (f.action === 'sync') return Array.isArray(f.members) && f.members.every(isMember) ? null : "'presence' sync needs a members list";
      if (f.action === 'join' || f.action === 'leave') return isMember(f.member) ? null : `'presence' ${f.action} needs a member`;
      return "'presence' has an unknown action";
    case 'error':
      return optional(f.channel, isString) ? null : "'error' has a non-string channel";
    default: // pong, authenticated: nothing the client reads
      return null;
  }
}

const KNOWN = new Set(['connected', 'subscribed', 'unsubscribed', 'message', 'presence', 'error', 'pong', 'authenticated']);

/**
 * Checks one line. Never throws.
 *
 * @example
 * ```ts
 * for (const line of splitFrames(event.data)) {
 *   const parsed = parseServerFrame(line);
 *   if (parsed.kind === 'frame') handle(parsed.frame);
 * }
 * ```
 */
export function parseServerFrame(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: 'invalid', problem: 'not JSON' };
  }
  if (!isPlainObject(value) || !isString(value.type)) return { kind: 'invalid', problem: "not a JSON object with a string 'type'" };
  if (!KNOWN.has(value.type)) return { kind: 'unknown', type: value.type };
  const problem = problemOf(value);
  if (problem !== null) return { kind: 'invalid', problem };
  if (value.type === 'error') {
    // The fallbacks apply here, before anything reads the code.
    const frame: IncomingError = {
      type: 'error',
      error: isString(value.error) ? value.error : 'unknown error',
      code: isString(value.code) && value.code !== '' ? value.code : ClientErrorCode.SERVER_ERROR,
    };
    if (isString(value.channel)) frame.channel = value.channel;
    return { kind: 'frame', frame };
  }
  return { kind: 'frame', frame: value as unknown as IncomingFrame };
}

/**
 * The error an `error` frame stands for: token and key refusals are
 * `AuthenticationError`s, an unsupported protocol a `ConnectionError`, the
 * rest `PushFloError`s (retryable when the broker says to try again).
 */
export function errorFromFrame(frame: IncomingError): PushFloError {
  const { code, error: text } = frame;
  if (code === ErrorCode.UNAUTHORIZED || code === ErrorCode.INVALID_TOKEN || code.startsWith('TOKEN_'))
    return new AuthenticationError(text, code);
  if (code === ErrorCode.UNSUPPORTED_PROTOCOL) return new ConnectionError(text, code, { retryable: false });
  const retryable = code === ErrorCode.RATE_LIMITED || code === ErrorCode.SUBSCRIBE_FAILED || code === ErrorCode.PUBLISH_FAILED;
  return new PushFloError(text, code, { retryable });
}
