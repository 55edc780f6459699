/**
 * A test reader for an SSE stream (a Response whose body is
 * `text/event-stream`), usable in workerd and in Node: events are read as
 * they arrive and every wait is for an event or the end, never a sleep.
 */
import { SseParser, type MessageFrame, type ServerFrame } from '@pushflodev/sdk/protocol';
import { WAIT_MS } from './wait';

export interface StreamEvent {
  /** SSE event name (`message` for the default). */
  event: string;
  /** The SSE id in force after this event (the cursor). */
  id: string;
  /** The data as text, and parsed. */
  data: string;
  frame: ServerFrame & Record<string, unknown>;
}

export class TestStream {
  readonly events: StreamEvent[] = [];
  readonly comments: string[] = [];
  ended: string | null = null;
  private waiters: Array<() => void> = [];
  private cursor = 0;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(readonly response: Response) {
    if (response.body === null) throw new Error('no body');
    this.reader = response.body.getReader();
    void this.pump();
  }

  private async pump(): Promise<void> {
    const parser = new SseParser();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await this.reader.read();
        if (done) break;
        for (const item of parser.feed(decoder.decode(value, { stream: true }))) {
          if (item.kind === 'comment') this.comments.push(item.text);
          if (item.kind === 'event') {
            this.events.push({
              event: item.event,
              id: item.lastEventId,
              data: item.data,
              frame: JSON.parse(item.data) as StreamEvent['frame'],
            });
          }
        }
        this.wake();
      }
      this.ended = 'end';
    } catch (err) {
      this.ended = `error: ${String(err)}`;
    }
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Waits until `predicate` holds (re-checked on each event or the end), or fails after `ms`. */
  async until<T>(predicate: () => T | undefined | null | false, what: string, ms = WAIT_MS): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = predicate();
      if (value !== undefined && value !== null && value !== false) return value;
      if (this.ended !== null && !what.includes('end'))
        throw new Error(
          `stream ended (${this.ended}) while waiting for ${what}; events: ${JSON.stringify(this.events.slice(-5).map((e) => e.data))}`,
        );
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; events: ${JSON.stringify(this.events.slice(-5).map((e) => e.data))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The next event not yet consumed. */
  async next(): Promise<StreamEvent> {
    const e = await this.until(() => this.events[this.cursor], 'next event');
    this.cursor++;
    return e;
  }

  /** The next event with this SSE name, skipping others. */
  async nextEvent(name: string): Promise<StreamEvent> {
    for (;;) {
      const e = await this.next();
      if (e.event === name) return e;
    }
  }

  /** `subscribed` for a channel (skipping other events), or throws on an error event for it. */
  async subscribed(channel: string): Promise<StreamEvent> {
    for (;;) {
      const e = await this.next();
      if (e.event === 'subscribed' && e.frame.channel === channel) return e;
      if (e.event === 'broker-error' && e.frame.channel === channel) throw new Error(`subscribe failed: ${e.data}`);
    }
  }

  messages(channel?: string): MessageFrame[] {
    return this.events
      .filter((e) => e.event === 'message' && (channel === undefined || e.frame.channel === channel))
      .map((e) => e.frame as unknown as MessageFrame);
  }

  async waitForMessages(count: number, channel?: string): Promise<MessageFrame[]> {
    return this.until(() => {
      const m = this.messages(channel);
      return m.length >= count ? m : undefined;
    }, `${count} messages`);
  }

  /** The id of the last event (what EventSource would send as `Last-Event-ID`). */
  get lastEventId(): string {
    return this.events.at(-1)?.id ?? '';
  }

  /** The client goes away. */
  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }
}
