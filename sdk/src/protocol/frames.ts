/**
 * The socket protocol: every frame a client may send and every frame the
 * broker sends, as discriminated unions. Client frames are validated here, at
 * the boundary; the broker builds server frames with `satisfies ServerFrame`.
 *
 * The base protocol is PushFlo's; the fields marked "extension" ride on its
 * frames and are ignored by clients that do not know them.
 *
 * Framing: every WebSocket text message is one JSON frame, except on a socket
 * opened with `coalesce=1` in its URL, where one message may hold several
 * server frames joined by `\n` (split with `splitFrames`, see coalesce.ts).
 * Client frames are always one per message.
 */
import { channelNameProblem } from './channel-name.js';
import { ErrorCode } from './codes.js';
import { isPlainObject, MAX_FRAME_BYTES, MAX_MESSAGE_BYTES, byteLength, eventTypeProblem } from './limits.js';
import { MAX_TOKEN_BYTES } from './token.js';

// ---------------------------------------------------------------- client → server

export interface SubscribeFrame {
  type: 'subscribe';
  channel: string;
  /** Extension: the last `seq` this client saw on the channel; the broker replays everything after it. */
  lastSeq?: number;
  /** Extension: the channel `epoch` that `lastSeq` belongs to. */
  epoch?: string;
}
export interface UnsubscribeFrame {
  type: 'unsubscribe';
  channel: string;
}
export interface PingFrame {
  type: 'ping';
}
export interface AckFrame {
  type: 'ack';
  messageId: string;
}
/** Extension: a client event, published over the socket (needs a token granting `publish`). */
export interface PublishFrame {
  type: 'publish';
  channel: string;
  event: string;
  data: Record<string, unknown>;
  /** Deliver to the sender's own socket too (default true). */
  echo?: boolean;
  /** Not stored in history and not sequenced, e.g. typing indicators (default false). */
  ephemeral?: boolean;
}
/** Extension: replace the socket's token (refresh before expiry) without dropping subscriptions. */
export interface AuthFrame {
  type: 'auth';
  token: string;
}
export type ClientFrame = SubscribeFrame | UnsubscribeFrame | PingFrame | AckFrame | PublishFrame | AuthFrame;

// ---------------------------------------------------------------- server → client

export interface ConnectedFrame {
  type: 'connected';
  clientId: string;
  timestamp: number;
  /** Extension: protocol version spoken on this socket. */
  protocol: number;
  /** Extension: the socket is closed after this long without any frame from the client (ms). */
  heartbeatTimeout: number;
  /** Extension: how often to ping (ms) so that presence notices a dead socket quickly. */
  pingInterval: number;
  /** Extension, SSE streams only: the connection's id, for `POST /sse/frames?connection=` (see `sse.ts`). */
  connectionId?: string;
  /** Extension, SSE streams only: the bearer secret for `POST /sse/frames` (known only to the stream's reader). */
  connectionSecret?: string;
}
export interface SubscribedFrame {
  type: 'subscribed';
  channel: string;
  /** Extension: the channel's latest seq when the subscription started (after any replay). */
  seq: number;
  /** Extension: identifies the channel's history; a new epoch means old seqs mean nothing. */
  epoch: string;
  /**
   * Extension, present when the subscribe carried `lastSeq`: true when every
   * missed message follows (`replayed` of them), false when the gap can't be
   * covered and the app must refetch its state.
   */
  recovered?: boolean;
  /** Extension: how many missed messages follow this frame. */
  replayed?: number;
  /** Extension: why recovery failed: history trimmed, reset, or too far behind. */
  reason?: RecoveryFailure;
}
export type RecoveryFailure = 'retention' | 'epoch' | 'too_far_behind';
export interface UnsubscribedFrame {
  type: 'unsubscribed';
  channel: string;
}
export interface MessageFrame {
  type: 'message';
  channel: string;
  messageId: string;
  eventType: string;
  clientId: string;
  data: Record<string, unknown>;
  timestamp: number;
  /** Extension: per-channel sequence number, contiguous from 1 within an epoch. Absent on ephemeral client events. */
  seq?: number;
  /** Extension: true when a client published it over its socket. */
  clientEvent?: true;
}
export interface ErrorFrame {
  type: 'error';
  error: string;
  code: ErrorCode;
  channel?: string;
}
export interface PongFrame {
  type: 'pong';
}
/** A presence member: one client id, however many sockets (tabs) it has open. */
export interface PresenceMember {
  clientId: string;
  data: Record<string, unknown> | null;
}
/** Extension: presence. `sync` (the full list, right after `subscribed`), then `join`/`leave`. */
export type PresenceFrame =
  | { type: 'presence'; channel: string; action: 'sync'; members: PresenceMember[] }
  | { type: 'presence'; channel: string; action: 'join' | 'leave'; member: PresenceMember };
/** Extension: answer to `auth`. */
export interface AuthenticatedFrame {
  type: 'authenticated';
  clientId: string;
  /** New expiry, seconds since the epoch. */
  exp: number;
}
export type ServerFrame =
  | ConnectedFrame
  | SubscribedFrame
  | UnsubscribedFrame
  | MessageFrame
  | ErrorFrame
  | PongFrame
  | PresenceFrame
  | AuthenticatedFrame;

/** The exact ping text the public client sends; answered without waking a hibernated object. */
export const PING_TEXT = JSON.stringify({ type: 'ping' } satisfies PingFrame);
export const PONG_TEXT = JSON.stringify({ type: 'pong' } satisfies PongFrame);

// ---------------------------------------------------------------- validation

export type ParseResult = { ok: true; frame: ClientFrame } | { ok: false; code: ErrorCode; error: string; channel?: string };

function fail(code: ErrorCode, error: string, channel?: string): ParseResult {
  return channel === undefined ? { ok: false, code, error } : { ok: false, code, error, channel };
}

/** Validates one raw client frame. Never throws. */
export function parseClientFrame(raw: string | ArrayBuffer): ParseResult {
  if (typeof raw !== 'string') return fail(ErrorCode.INVALID_FRAME, 'frames must be JSON text, not binary');
  if (raw.length > MAX_FRAME_BYTES || byteLength(raw) > MAX_FRAME_BYTES)
    return fail(ErrorCode.FRAME_TOO_LARGE, `frame is larger than ${MAX_FRAME_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return fail(ErrorCode.INVALID_JSON, 'frame is not valid JSON');
  }
  if (!isPlainObject(value)) return fail(ErrorCode.INVALID_FRAME, 'frame must be a JSON object');
  const type = value.type;
  if (typeof type !== 'string') return fail(ErrorCode.INVALID_FRAME, "frame needs a string 'type'");

  switch (type) {
    case 'ping':
      return { ok: true, frame: { type } };
    case 'ack': {
      if (typeof value.messageId !== 'string') return fail(ErrorCode.INVALID_FRAME, "ack needs a string 'messageId'");
      return { ok: true, frame: { type, messageId: value.messageId } };
    }
    case 'subscribe':
    case 'unsubscribe': {
      const channel = value.channel;
      const problem = channelNameProblem(channel);
      if (problem !== null) return fail(ErrorCode.INVALID_CHANNEL, problem, typeof channel === 'string' ? channel : undefined);
      const name = channel as string;
      if (type === 'unsubscribe') return { ok: true, frame: { type, channel: name } };
      const frame: SubscribeFrame = { type, channel: name };
      if (value.lastSeq !== undefined && value.lastSeq !== null) {
        if (!Number.isSafeInteger(value.lastSeq) || (value.lastSeq as number) < 0)
          return fail(ErrorCode.INVALID_FRAME, "'lastSeq' must be a non-negative integer", name);
        frame.lastSeq = value.lastSeq as number;
      }
      if (value.epoch !== undefined && value.epoch !== null) {
        if (typeof value.epoch !== 'string' || value.epoch.length > 64)
          return fail(ErrorCode.INVALID_FRAME, "'epoch' must be a string", name);
        frame.epoch = value.epoch;
      }
      return { ok: true, frame };
    }
    case 'auth': {
      if (typeof value.token !== 'string' || value.token.length === 0 || value.token.length > MAX_TOKEN_BYTES)
        return fail(ErrorCode.INVALID_FRAME, "auth needs a 'token' string");
      return { ok: true, frame: { type, token: value.token } };
    }
    case 'publish': {
      const channel = value.channel;
      const problem = channelNameProblem(channel);
      if (problem !== null) return fail(ErrorCode.INVALID_CHANNEL, problem, typeof channel === 'string' ? channel : undefined);
      const name = channel as string;
      const eventProblem = eventTypeProblem(value.event);
      if (eventProblem !== null) return fail(ErrorCode.INVALID_EVENT_TYPE, eventProblem.replace('eventType', 'event'), name);
      if (!isPlainObject(value.data)) return fail(ErrorCode.INVALID_CONTENT, "'data' must be a JSON object", name);
      if (byteLength(JSON.stringify(value.data)) > MAX_MESSAGE_BYTES)
        return fail(ErrorCode.MESSAGE_TOO_LARGE, `'data' is over ${MAX_MESSAGE_BYTES} bytes`, name);
      for (const flag of ['echo', 'ephemeral'] as const) {
        if (value[flag] !== undefined && typeof value[flag] !== 'boolean')
          return fail(ErrorCode.INVALID_FRAME, `'${flag}' must be a boolean`, name);
      }
      const frame: PublishFrame = { type, channel: name, event: value.event as string, data: value.data };
      if (value.echo !== undefined) frame.echo = value.echo as boolean;
      if (value.ephemeral !== undefined) frame.ephemeral = value.ephemeral as boolean;
      return { ok: true, frame };
    }
    default:
      return fail(ErrorCode.UNKNOWN_FRAME_TYPE, `unknown frame type '${type.slice(0, 40)}'`);
  }
}
