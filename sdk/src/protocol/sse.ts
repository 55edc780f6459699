/**
 * The SSE transport's wire contract, shared by the broker (which writes the
 * stream) and the SDK (which reads it). For networks that block WebSockets.
 *
 * **Down: `GET /sse?token=<key or token>&channel=<c>&channel=<d>…`** answers
 * `text/event-stream`. Every SSE event's `data` is one server frame, the same
 * JSON text as over the WebSocket. The SSE event name is the frame's `type`
 * (`connected`, `subscribed`, `unsubscribed`, `presence`, `authenticated`,
 * `pong`), except that `message` frames use the default event (no `event:`
 * line, so `EventSource.onmessage` gets them) and `error` frames are named
 * `broker-error` (`error` is EventSource's own connection-error event). Two
 * events exist only here: `heartbeat` (see below) and `close` (the broker ends
 * the stream: `{type: "close", code, reason}`, with a WebSocket close code).
 *
 * **The cursor.** Every event that moves a channel's position (a sequenced
 * message, `subscribed`, `unsubscribed`) carries an SSE `id`: the stream's
 * cursor, every channel of the stream with the epoch and the last seq sent,
 * `name=epoch.seq` joined by `,` (`chat:room-1=3f9a01bc.42,news=7d00aa12.0`;
 * the epoch may be empty: `news=.0`). A new stream given a cursor (the
 * `Last-Event-ID` header EventSource sends by itself when it reconnects, or the
 * `lastEventId` query parameter) subscribes to the union of its `channel`
 * parameters and the cursor's channels, each cursor channel resuming from its
 * position: exactly the missed messages, in order, then live ones; or a
 * `subscribed {recovered: false, reason}` when history no longer covers it.
 *
 * **Up: `POST /sse/frames?connection=<connectionId>`** with
 * `Authorization: Bearer <connectionSecret>` (both from the stream's first
 * event, `connected`) and a JSON body: one client frame or a list of up to
 * `MAX_SSE_FRAMES_PER_POST`, handled in order exactly as if they had arrived
 * over a WebSocket (`subscribe`, `unsubscribe`, `publish`, `auth`, `ping`…);
 * answers and errors come back on the stream. Answers `202 {success: true,
 * data: {accepted}}`. **`DELETE /sse?connection=<connectionId>`** (same
 * bearer) ends the stream at once (a clean close: presence leaves now; a
 * client that just goes away is noticed at the broker's next write, at the
 * latest the next heartbeat).
 *
 * **Heartbeats.** At least every 25 s the broker writes a comment line
 * (`: heartbeat`), which keeps proxies from closing an idle stream. With
 * `heartbeats=event` it writes a `heartbeat` event instead (data
 * `{"type":"pong"}`), which a client can see (EventSource hides comments): the
 * SDK asks for it and treats a silent stream as dead.
 */
import { channelNameProblem } from './channel-name.js';

/** The stream. */
export const SSE_PATH = '/sse';
/** The frames endpoint (client → broker). */
export const SSE_FRAMES_PATH = '/sse/frames';

/** Query parameters of `GET /sse`. */
export const SseParam = {
  /** The publish key or signed token (as `/ws?token=`). */
  token: 'token',
  /** The protocol version (as `/ws?v=`). */
  version: 'v',
  /** A channel to subscribe to; may repeat. */
  channel: 'channel',
  /** A cursor, for clients that cannot set `Last-Event-ID` (the header wins when both are present). */
  cursor: 'lastEventId',
  /** `event`: heartbeats as `heartbeat` events instead of comments. */
  heartbeats: 'heartbeats',
  /** `POST /sse/frames?connection=`: the stream's connection id. */
  connection: 'connection',
} as const;

/** SSE event names (the frame `type` they carry, where it differs or is SSE-only). */
export const SseEvent = {
  /** `error` frames: `error` is EventSource's own event for a failed connection. */
  error: 'broker-error',
  /** A heartbeat the client can see (`heartbeats=event`); data `{"type":"pong"}`. */
  heartbeat: 'heartbeat',
  /** The broker ends the stream; data `SseCloseFrame`. */
  close: 'close',
  /** EventSource's default event name: `message` frames are sent without an `event:` line. */
  message: 'message',
} as const;

/** Every SSE event name the broker sends. */
export const SSE_EVENT_NAMES = [
  'connected',
  'subscribed',
  'unsubscribed',
  SseEvent.message,
  'presence',
  'authenticated',
  'pong',
  SseEvent.error,
  SseEvent.heartbeat,
  SseEvent.close,
] as const;

/** The SSE event name for a frame type. */
export function sseEventName(frameType: string): string {
  return frameType === 'error' ? SseEvent.error : frameType;
}

/** The last event of a stream the broker ends itself: a WebSocket close code and reason (see `CloseCode`). */
export interface SseCloseFrame {
  type: 'close';
  code: number;
  reason: string;
}

/** Most frames in one `POST /sse/frames`. */
export const MAX_SSE_FRAMES_PER_POST = 100;
/** Largest `POST /sse/frames` body (bytes). */
export const MAX_SSE_POST_BYTES = 256 * 1024;
/** Longest cursor accepted (characters). */
export const MAX_SSE_CURSOR_LENGTH = 32 * 1024;
/** Most seconds between two heartbeats. */
export const MAX_SSE_HEARTBEAT_MS = 25_000;

// ---------------------------------------------------------------- the cursor

/** One channel's position in a stream. */
export interface CursorEntry {
  channel: string;
  /** The channel's epoch the seq belongs to; null when unknown. */
  epoch: string | null;
  /** The last seq sent (or the head when the subscription started). */
  seq: number;
}

const EPOCH_RE = /^[A-Za-z0-9_-]{0,64}$/;

/**
 * The cursor text for some positions (`name=epoch.seq,…`).
 * @example
 * ```ts
 * encodeCursor([{ channel: 'chat:room-1', epoch: '3f9a01bc', seq: 42 }]); // 'chat:room-1=3f9a01bc.42'
 * ```
 */
export function encodeCursor(entries: Iterable<CursorEntry>): string {
  const parts: string[] = [];
  for (const e of entries) parts.push(`${e.channel}=${e.epoch ?? ''}.${e.seq}`);
  return parts.join(',');
}

/** A parsed cursor, or why it was refused. */
export type CursorParse = { ok: true; entries: CursorEntry[] } | { ok: false; error: string };

/**
 * Reads a cursor (the empty text is the empty cursor). Channel names cannot
 * contain `,`; an epoch cannot contain `=` or `.`, so each entry splits at its
 * last `=` and the last `.` after it.
 * @example
 * ```ts
 * const parsed = parseCursor(request.headers.get('Last-Event-ID') ?? '');
 * if (parsed.ok) for (const { channel, epoch, seq } of parsed.entries) resume(channel, epoch, seq);
 * ```
 */
export function parseCursor(text: string): CursorParse {
  if (text.length > MAX_SSE_CURSOR_LENGTH) return { ok: false, error: `the cursor is over ${MAX_SSE_CURSOR_LENGTH} characters` };
  const entries: CursorEntry[] = [];
  const seen = new Set<string>();
  if (text.trim() === '') return { ok: true, entries };
  for (const part of text.split(',')) {
    const eq = part.lastIndexOf('=');
    const dot = part.lastIndexOf('.');
    if (eq <= 0 || dot < eq) return { ok: false, error: `cursor entry '${part.slice(0, 80)}' is not 'channel=epoch.seq'` };
    const channel = part.slice(0, eq);
    const epoch = part.slice(eq + 1, dot);
    const seqText = part.slice(dot + 1);
    const problem = channelNameProblem(channel);
    if (problem !== null) return { ok: false, error: `cursor: ${problem}` };
    if (!EPOCH_RE.test(epoch)) return { ok: false, error: `cursor entry for '${channel}' has a malformed epoch` };
    const seq = Number(seqText);
    if (!/^\d{1,16}$/.test(seqText) || !Number.isSafeInteger(seq))
      return { ok: false, error: `cursor entry for '${channel}' has a malformed seq` };
    if (seen.has(channel)) return { ok: false, error: `cursor names '${channel}' twice` };
    seen.add(channel);
    entries.push({ channel, epoch: epoch === '' ? null : epoch, seq });
  }
  return { ok: true, entries };
}

// ---------------------------------------------------------------- the event-stream format

/** One SSE event to write. */
export interface SseOutgoing {
  /** Event name; omitted for the default (`message`). */
  event?: string;
  id?: string;
  /** The data; a newline in it becomes several `data:` lines. */
  data: string;
}

/**
 * One event in `text/event-stream` form, ending with the blank line.
 * @example
 * ```ts
 * formatSseEvent({ event: 'subscribed', id: cursor, data: JSON.stringify(frame) });
 * ```
 */
export function formatSseEvent(e: SseOutgoing): string {
  let out = '';
  if (e.event !== undefined && e.event !== SseEvent.message) out += `event: ${e.event}\n`;
  if (e.id !== undefined) out += `id: ${e.id}\n`;
  for (const line of e.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** A comment line (ignored by readers; keeps idle connections open). */
export function formatSseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

/** What a reader gets from the stream. */
export type SseIncoming =
  | { kind: 'event'; event: string; data: string; lastEventId: string }
  | { kind: 'comment'; text: string }
  | { kind: 'retry'; ms: number };

/**
 * An incremental `text/event-stream` reader, as the HTML standard describes
 * it: feed it text as it arrives (any chunking), get complete events back.
 *
 * @example
 * ```ts
 * const parser = new SseParser();
 * for (const item of parser.feed(chunk)) if (item.kind === 'event') handle(item.event, item.data);
 * ```
 */
export class SseParser {
  private buffer = '';
  private started = false;
  private data: string[] = [];
  private event = '';
  private lastEventId = '';
  /** The previous chunk ended with `\r`: a `\n` starting the next one belongs to it. */
  private pendingCr = false;

  /** Most characters of one unfinished line kept (a stream that never ends a line is cut off there). */
  static readonly MAX_LINE = 1024 * 1024;

  feed(chunk: string): SseIncoming[] {
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (this.pendingCr && text.startsWith('\n')) text = text.slice(1);
    this.pendingCr = false;
    this.buffer += text;
    const out: SseIncoming[] = [];
    let start = 0;
    for (;;) {
      const lf = this.buffer.indexOf('\n', start);
      const cr = this.buffer.indexOf('\r', start);
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        end = cr;
        if (cr + 1 === this.buffer.length) {
          this.pendingCr = true;
          next = cr + 1;
        } else next = this.buffer[cr + 1] === '\n' ? cr + 2 : cr + 1;
      } else if (lf !== -1) {
        end = lf;
        next = lf + 1;
      } else break;
      this.line(this.buffer.slice(start, end), out);
      start = next;
    }
    this.buffer = this.buffer.slice(start);
    if (this.buffer.length > SseParser.MAX_LINE) this.buffer = '';
    return out;
  }

  private line(line: string, out: SseIncoming[]): void {
    if (line === '') {
      if (this.data.length > 0)
        out.push({ kind: 'event', event: this.event || SseEvent.message, data: this.data.join('\n'), lastEventId: this.lastEventId });
      this.data = [];
      this.event = '';
      return;
    }
    if (line.startsWith(':')) {
      out.push({ kind: 'comment', text: line.slice(1).trimStart() });
      return;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.data.push(value);
        return;
      case 'event':
        this.event = value;
        return;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        return;
      case 'retry':
        if (/^\d+$/.test(value)) out.push({ kind: 'retry', ms: Number(value) });
        return;
      default:
        return;
    }
  }
}
