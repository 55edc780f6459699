/**
 * A test client socket with an inbox, usable in workerd and in Node: frames
 * are read one by one and every wait is for a frame or a close, never a sleep.
 */
import type { MessageFrame, ServerFrame } from '@pushflodev/sdk/protocol';
import { WAIT_MS } from './wait';

/** The part of WebSocket both runtimes share. */
export interface SocketLike {
  send(data: string | ArrayBufferLike | ArrayBufferView): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message', fn: (e: { data: unknown }) => void): void;
  addEventListener(type: 'close', fn: (e: { code: number; reason: string }) => void): void;
}

export function seqs(frames: MessageFrame[]): number[] {
  return frames.map((f) => f.seq ?? -1);
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** A client socket with an inbox: `next()` waits for the next frame. */
export class TestSocket {
  readonly frames: ServerFrame[] = [];
  closed: { code: number; reason: string } | null = null;
  private waiters: Array<() => void> = [];

  /** Frames in each WebSocket message received, in order (1 each unless the socket coalesces). */
  readonly framesPerMessage: number[] = [];

  /** `coalesced`: the socket was opened with `coalesce=1`, so one message may hold several frames joined by `\n`. */
  constructor(
    readonly ws: SocketLike,
    readonly coalesced = false,
  ) {
    ws.addEventListener('message', (e) => {
      const text = e.data as string;
      // Without coalescing a message is exactly one JSON frame (a joined one would not parse).
      const texts = coalesced ? text.split('\n') : [text];
      for (const t of texts) this.frames.push(JSON.parse(t) as ServerFrame);
      this.framesPerMessage.push(texts.length);
      this.wake();
    });
    ws.addEventListener('close', (e) => {
      this.closed = { code: e.code, reason: e.reason };
      this.wake();
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  private cursor = 0;

  /** Waits until `predicate` holds (re-checked on each frame or close), or fails after `ms`. */
  async until<T>(predicate: () => T | undefined | false, what: string, ms = WAIT_MS): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = predicate();
      if (value !== undefined && value !== false) return value;
      if (this.closed !== null && !what.includes('close'))
        throw new Error(`socket closed (${this.closed.code} ${this.closed.reason}) while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(this.frames.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The next frame not yet consumed. */
  async next(): Promise<ServerFrame> {
    const frame = await this.until(() => this.frames[this.cursor], 'next frame');
    this.cursor++;
    return frame;
  }

  /** The next frame of the given type, skipping others. */
  async nextOf<K extends ServerFrame['type']>(type: K): Promise<Extract<ServerFrame, { type: K }>> {
    for (;;) {
      const frame = await this.next();
      if (frame.type === type) return frame as Extract<ServerFrame, { type: K }>;
    }
  }

  messages(channel?: string): MessageFrame[] {
    return this.frames.filter((f): f is MessageFrame => f.type === 'message' && (channel === undefined || f.channel === channel));
  }

  async waitForMessages(count: number, channel?: string, ms = WAIT_MS): Promise<MessageFrame[]> {
    return this.until(
      () => {
        const m = this.messages(channel);
        return m.length >= count ? m : undefined;
      },
      `${count} messages`,
      ms,
    );
  }

  async waitForClose(): Promise<{ code: number; reason: string }> {
    return this.until(() => this.closed ?? undefined, 'close');
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  async subscribe(channel: string, extra: Record<string, unknown> = {}) {
    this.send({ type: 'subscribe', channel, ...extra });
    for (;;) {
      const f = await this.next();
      if (f.type === 'subscribed' && f.channel === channel) return f;
      if (f.type === 'error' && f.channel === channel) throw new Error(`subscribe failed: ${f.code} ${f.error}`);
    }
  }

  close(): void {
    try {
      this.ws.close(1000, 'bye');
    } catch {
      // already closed
    }
  }
}
