/**
 * One SSE stream, seen by the Hub as a socket (`HubSocket`): whatever the hub
 * sends it becomes an SSE event (see `protocol/sse.ts`), so subscribing,
 * replay, the live buffer and seq dedupe are the hub's own, unchanged.
 *
 * On top, the stream keeps its **cursor**: for every channel, the epoch and
 * the last seq it wrote. Every event that moves it (a sequenced message,
 * `subscribed`, `unsubscribed`) carries the cursor as its SSE `id`, so a
 * client that reconnects with `Last-Event-ID` resumes every channel exactly.
 *
 * Output is capped: bytes written but not yet read by the client
 * (`maxBufferedBytes`); past it the stream ends (a slow consumer resumes
 * from history). The client going away (its read side cancelled, or a write
 * failing) ends the stream too; either way `onGone` is called once.
 */
import {
  encodeCursor,
  formatSseComment,
  formatSseEvent,
  isPlainObject,
  sseEventName,
  SseEvent,
  type SseCloseFrame,
} from '@pushflodev/sdk/protocol';
import type { HubSocket, SocketMeta } from './hub';

/** The start of every `message` frame the channel objects serialise (`messageFrame()`). */
const MESSAGE_PREFIX = '{"type":"message","channel":"';
/** The fields `messageFrame()` writes after the content: timestamp, then seq and clientEvent when present. */
const MESSAGE_TAIL = /^,"timestamp":-?\d+(?:\.\d+)?(?:e[+-]?\d+)?(?:,"seq":(\d+))?(?:,"clientEvent":true)?\}$/;

/** Where a `message` frame belongs: its channel and seq (none on ephemeral events); null when it is not one. */
export function messagePosition(text: string): { channel: string; seq: number | undefined } | null {
  if (text.startsWith(MESSAGE_PREFIX)) {
    // Channel names never need escaping, so the name ends at the next quote.
    const end = text.indexOf('"', MESSAGE_PREFIX.length);
    const at = text.lastIndexOf(',"timestamp":');
    const tail = at === -1 ? null : MESSAGE_TAIL.exec(text.slice(at));
    if (end !== -1 && tail !== null)
      return { channel: text.slice(MESSAGE_PREFIX.length, end), seq: tail[1] === undefined ? undefined : Number(tail[1]) };
  }
  // Not in messageFrame()'s layout: read it properly.
  try {
    const frame: unknown = JSON.parse(text);
    if (!isPlainObject(frame) || frame.type !== 'message' || typeof frame.channel !== 'string') return null;
    return { channel: frame.channel, seq: typeof frame.seq === 'number' ? frame.seq : undefined };
  } catch {
    return null;
  }
}

export interface SseStreamOptions {
  /** Bytes written and not yet read by the client before the stream is ended as a slow consumer. */
  maxBufferedBytes: number;
  /** Heartbeats as `heartbeat` events (the client asked `heartbeats=event`) rather than comments. */
  heartbeatEvents: boolean;
  now(): number;
  /** The stream ended (by the broker, the client, or the cap). Called once. */
  onGone(stream: SseStream, why: 'closed' | 'cancelled' | 'slow'): void;
}

interface Position {
  epoch: string | null;
  seq: number;
}

const encoder = new TextEncoder();

export class SseStream implements HubSocket {
  readonly readable: ReadableStream<Uint8Array>;
  private controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  private readonly cursor = new Map<string, Position>();
  private ended = false;
  /** Last time the client read (ms): the stream pulled for more. */
  readAt: number;

  constructor(
    /** The hub's view of the connection (kept here: a stream does not hibernate). */
    public meta: SocketMeta,
    /** The bearer secret for `POST /sse/frames`. */
    readonly secret: string,
    private readonly options: SseStreamOptions,
  ) {
    this.readAt = options.now();
    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => {
          this.readAt = this.options.now();
        },
        cancel: () => this.gone('cancelled'),
      },
      // Nothing is buffered ahead of the reader: desiredSize is minus the unread bytes.
      { highWaterMark: 0, size: (chunk) => chunk.byteLength },
    );
  }

  /** The connection id. */
  get id(): string {
    return this.meta.id;
  }

  /** Whether the stream has ended. */
  get closed(): boolean {
    return this.ended;
  }

  /** Bytes written that the client has not read yet. */
  get unread(): number {
    return Math.max(0, -(this.controller?.desiredSize ?? 0));
  }

  /** The cursor now (`name=epoch.seq,…`). */
  cursorText(): string {
    return encodeCursor([...this.cursor].map(([channel, p]) => ({ channel, epoch: p.epoch, seq: p.seq })));
  }

  /** Sets a channel's starting position (a resume from a cursor), before its subscription confirms it. */
  startAt(channel: string, epoch: string | null, seq: number): void {
    this.cursor.set(channel, { epoch, seq });
  }

  /** One or more frames from the hub (coalesced frames are joined by `\n`). */
  send(text: string): void {
    if (this.ended) return;
    if (!text.includes('\n')) this.frame(text);
    else for (const line of text.split('\n')) if (line !== '') this.frame(line);
  }

  /** Writes the last event (`close {code, reason}`) and ends the stream. */
  close(code: number, reason: string): void {
    if (this.ended) return;
    this.write(formatSseEvent({ event: SseEvent.close, data: JSON.stringify({ type: 'close', code, reason } satisfies SseCloseFrame) }));
    if (this.ended) return;
    try {
      this.controller?.close();
    } catch {
      // already closed
    }
    this.gone('closed');
  }

  /** A heartbeat: a comment, or a `heartbeat` event the client can see. */
  heartbeat(): void {
    this.write(
      this.options.heartbeatEvents ? formatSseEvent({ event: SseEvent.heartbeat, data: '{"type":"pong"}' }) : formatSseComment('heartbeat'),
    );
  }

  private frame(text: string): void {
    const position = messagePosition(text);
    if (position !== null) {
      let id: string | undefined;
      if (position.seq !== undefined) {
        const p = this.cursor.get(position.channel);
        if (p === undefined) this.cursor.set(position.channel, { epoch: null, seq: position.seq });
        else p.seq = position.seq;
        id = this.cursorText();
      }
      this.write(formatSseEvent(id === undefined ? { data: text } : { id, data: text }));
      return;
    }
    let type = 'unknown';
    let id: string | undefined;
    try {
      const frame: unknown = JSON.parse(text);
      if (isPlainObject(frame) && typeof frame.type === 'string') {
        type = frame.type;
        if (type === 'subscribed' && typeof frame.channel === 'string') id = this.subscribed(frame);
        else if (type === 'unsubscribed' && typeof frame.channel === 'string') {
          this.cursor.delete(frame.channel);
          id = this.cursorText();
        }
      }
    } catch {
      // the hub only sends JSON; anything else goes out as it is
    }
    this.write(
      formatSseEvent(id === undefined ? { event: sseEventName(type), data: text } : { event: sseEventName(type), id, data: text }),
    );
  }

  /**
   * `subscribed` moves the channel's position: a fresh start or a gap that
   * could not be covered continues from the head (`seq`); a recovery from
   * where the replay starts (`seq - replayed`), never backwards.
   */
  private subscribed(frame: Record<string, unknown>): string {
    const channel = frame.channel as string;
    const epoch = typeof frame.epoch === 'string' ? frame.epoch : null;
    const head = typeof frame.seq === 'number' ? frame.seq : 0;
    const before = this.cursor.get(channel);
    let seq = head;
    if (frame.recovered === true) {
      const from = head - (typeof frame.replayed === 'number' ? frame.replayed : 0);
      seq = before !== undefined && before.epoch === epoch ? Math.max(before.seq, from) : from;
    }
    this.cursor.set(channel, { epoch, seq });
    return this.cursorText();
  }

  private write(text: string): void {
    if (this.ended || this.controller === null) return;
    const bytes = encoder.encode(text);
    if (this.unread + bytes.byteLength > this.options.maxBufferedBytes) {
      try {
        this.controller.error(new Error('slow consumer'));
      } catch {
        // already errored
      }
      this.gone('slow');
      return;
    }
    try {
      this.controller.enqueue(bytes);
    } catch {
      this.gone('cancelled');
    }
  }

  private gone(why: 'closed' | 'cancelled' | 'slow'): void {
    if (this.ended) return;
    this.ended = true;
    this.options.onGone(this, why);
  }
}
