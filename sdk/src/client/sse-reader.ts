/**
 * Reading a `text/event-stream`: with `fetch` (the default: a streamed body,
 * in browsers, Node ≥ 22 and Workers) or with an `EventSource`. Either way the
 * reader reports SSE events by name, a refusal, or the end of the stream, and
 * never reconnects by itself: reconnecting (with backoff and a resume) is the
 * connection's job, the same as for a WebSocket.
 */
import { SSE_EVENT_NAMES, SseParser } from '../protocol/index.js';
import type { EventSourceConstructor } from '../types.js';

/** What a reader reports; after `close()` it reports nothing more. */
export interface SseSink {
  /** One SSE event: its name (`message` for the default) and data. */
  event(name: string, data: string): void;
  /** The broker answered the stream request with an error status (and this body). */
  refused(status: number, body: string): void;
  /** The stream ended or could not be reached (network, broker). */
  ended(reason: string): void;
}

/** An open stream. */
export interface SseReader {
  close(): void;
}

/** Opens a stream on `url`. */
export type SseReaderFactory = (url: string, sink: SseSink) => SseReader;

/**
 * Reads the stream from a streamed `fetch` body. Unlike EventSource it sees
 * the status and the JSON body of a refusal (`401 {code: "TOKEN_EXPIRED"}`).
 *
 * @example
 * ```ts
 * const open = fetchReader((input, init) => fetch(input, init));
 * const stream = open('http://127.0.0.1:8787/sse?token=pub_local_dev', sink);
 * ```
 */
export function fetchReader(fetchFn: typeof fetch): SseReaderFactory {
  return (url, sink) => {
    const controller = new AbortController();
    let done = false;
    const finish = (report: () => void) => {
      if (done) return;
      done = true;
      report();
    };
    const run = async () => {
      let res: Response;
      try {
        res = await fetchFn(url, { headers: { Accept: 'text/event-stream' }, signal: controller.signal });
      } catch (err) {
        finish(() => sink.ended(`could not reach the broker: ${String(err)}`));
        return;
      }
      const type = res.headers.get('Content-Type') ?? '';
      if (!res.ok || res.body === null || !type.startsWith('text/event-stream')) {
        let body = '';
        try {
          body = await res.text();
        } catch {
          // no body to read
        }
        finish(() => sink.refused(res.ok ? 502 : res.status, body));
        return;
      }
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      const parser = new SseParser();
      try {
        for (;;) {
          const { value, done: end } = await reader.read();
          if (done) return;
          if (end) break;
          for (const item of parser.feed(decoder.decode(value, { stream: true }))) {
            if (done) return;
            if (item.kind === 'event') sink.event(item.event, item.data);
          }
        }
        finish(() => sink.ended('the broker ended the stream'));
      } catch (err) {
        finish(() => sink.ended(`the stream broke: ${String(err)}`));
      }
    };
    void run();
    return {
      close: () => {
        done = true;
        controller.abort();
      },
    };
  };
}

/**
 * Reads the stream with an EventSource. Its automatic reconnect is switched
 * off (the first error closes it), and a refusal cannot be told from a network
 * failure: EventSource does not expose the status.
 *
 * @example
 * ```ts
 * const open = eventSourceReader(globalThis.EventSource);
 * ```
 */
export function eventSourceReader(Ctor: EventSourceConstructor): SseReaderFactory {
  return (url, sink) => {
    const es = new Ctor(url);
    let done = false;
    const onEvent = (e: Event) => {
      if (!done) sink.event(e.type, String((e as MessageEvent).data));
    };
    for (const name of SSE_EVENT_NAMES) es.addEventListener(name, onEvent);
    es.onerror = () => {
      if (done) return;
      done = true;
      es.close();
      sink.ended('the event stream failed or ended');
    };
    return {
      close: () => {
        done = true;
        es.close();
      },
    };
  };
}
