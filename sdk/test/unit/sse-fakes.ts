/**
 * A fake broker on the other side of `fetch`, for the SSE transport: streams
 * the tests write events into (real `ReadableStream`s, read by the real
 * fetch reader), and the POSTs of the frames endpoint.
 */
import { formatSseComment, formatSseEvent, sseEventName } from '../../src/protocol/index.js';

/** Lets pending promises (fetch, stream reads) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setTimeout(r, 0));
}

export class FakeStream {
  private controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  readonly body: ReadableStream<Uint8Array>;
  aborted = false;
  private readonly encoder = new TextEncoder();

  constructor(
    readonly url: URL,
    signal: AbortSignal | null | undefined,
  ) {
    this.body = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.controller = c;
      },
      cancel: () => {
        this.aborted = true;
      },
    });
    signal?.addEventListener('abort', () => {
      this.aborted = true;
      try {
        this.controller?.error(new DOMException('aborted', 'AbortError'));
      } catch {
        // already closed
      }
    });
  }

  /** Raw text onto the stream. */
  write(text: string): void {
    this.controller?.enqueue(this.encoder.encode(text));
  }
  /** One frame as the broker sends it (event name from its type). */
  frame(frame: Record<string, unknown>, id?: string): void {
    const type = String(frame.type);
    const e: { event?: string; id?: string; data: string } = { data: JSON.stringify(frame) };
    if (type !== 'message') e.event = sseEventName(type);
    if (id !== undefined) e.id = id;
    this.write(formatSseEvent(e));
  }
  /** `connected` with a connection id and secret. */
  accept(clientId = 'client_1', pingInterval = 15_000): void {
    this.frame({
      type: 'connected',
      clientId,
      timestamp: 1,
      protocol: 1,
      heartbeatTimeout: 70_000,
      pingInterval,
      connectionId: 'sse_0_abc',
      connectionSecret: 'secret-1',
    });
  }
  heartbeat(): void {
    this.write(formatSseEvent({ event: 'heartbeat', data: '{"type":"pong"}' }));
  }
  comment(text: string): void {
    this.write(formatSseComment(text));
  }
  /** The broker ends the stream with a close event. */
  closeWith(code: number, reason: string): void {
    this.write(formatSseEvent({ event: 'close', data: JSON.stringify({ type: 'close', code, reason }) }));
    this.end();
  }
  /** The stream ends (the network or the broker went away). */
  end(): void {
    try {
      this.controller?.close();
    } catch {
      // already closed
    }
  }
  /** The connection breaks mid-stream. */
  fail(): void {
    try {
      this.controller?.error(new TypeError('network error'));
    } catch {
      // already closed
    }
  }
}

export interface FakePost {
  url: URL;
  authorization: string | null;
  frames: Array<Record<string, unknown>>;
}

/** The fake broker: what was asked of it and how it answers. */
export class FakeSseServer {
  streams: FakeStream[] = [];
  posts: FakePost[] = [];
  /** `DELETE /sse` requests (streams the client ended). */
  deletes: FakePost[] = [];
  /** Answer for the next stream request instead of a stream (a refusal). */
  refuseNext: { status: number; body: unknown } | null = null;
  /** How POSTs are answered (default 202). */
  answerPost: (post: FakePost) => Response | Promise<Response> = () =>
    Response.json({ success: true, data: { accepted: 1 } }, { status: 202 });
  /** POSTs not answered yet, when `holdPosts` is set. */
  held: Array<() => void> = [];
  holdPosts = false;

  reset(): void {
    this.streams = [];
    this.posts = [];
    this.deletes = [];
    this.refuseNext = null;
    this.held = [];
    this.holdPosts = false;
    this.answerPost = () => Response.json({ success: true, data: { accepted: 1 } }, { status: 202 });
  }

  get last(): FakeStream {
    const s = this.streams.at(-1);
    if (s === undefined) throw new Error('no stream was opened');
    return s;
  }

  /** Every frame POSTed, in order. */
  postedFrames(): Array<Record<string, unknown>> {
    return this.posts.flatMap((p) => p.frames);
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    if (url.hostname !== 'broker.test') throw new TypeError(`the fake fetch only knows broker.test, not ${url.host}`);
    if (init?.method === 'DELETE') {
      this.deletes.push({ url, authorization: new Headers(init.headers).get('Authorization'), frames: [] });
      return new Response(null, { status: 204 });
    }
    if ((init?.method ?? 'GET') === 'POST') {
      const headers = new Headers(init?.headers);
      const parsed: unknown = JSON.parse(String(init?.body));
      const post: FakePost = {
        url,
        authorization: headers.get('Authorization'),
        frames: (Array.isArray(parsed) ? parsed : [parsed]) as Array<Record<string, unknown>>,
      };
      this.posts.push(post);
      if (this.holdPosts) await new Promise<void>((r) => this.held.push(r));
      return this.answerPost(post);
    }
    if (this.refuseNext !== null) {
      const { status, body } = this.refuseNext;
      this.refuseNext = null;
      return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
        status,
        headers: { 'Content-Type': 'application/json' },
      });
    }
    const stream = new FakeStream(url, init?.signal);
    this.streams.push(stream);
    return new Response(stream.body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
  };
}
