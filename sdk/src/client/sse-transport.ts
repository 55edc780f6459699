/**
 * The SSE transport: frames come down a `text/event-stream`
 * (`GET /sse?token=…&v=…&heartbeats=event`) and go up as HTTP POSTs to the
 * frames endpoint (`sse-uplink.ts`). The wire contract is in
 * `protocol/sse.ts`.
 *
 * The stream is opened with no channel: once `connected` has arrived (with the
 * connection's id and secret), the client subscribes exactly as over a
 * WebSocket, with `subscribe {channel, lastSeq, epoch}` frames, so resuming
 * after a drop, gaps and presence work the same on both transports. Pings are
 * not sent: the broker's heartbeat events show the stream is alive, and the
 * connection's heartbeat timeout notices a silent one.
 *
 * A refusal before the stream starts (an HTTP 4xx with a JSON `{code, error}`)
 * is reported as the WebSocket reports one: an `error` frame, then a close with
 * the matching close code.
 */
import { ClientErrorCode, ConnectionError } from '../errors.js';
import { CloseCode, ErrorCode, SSE_PATH, SseEvent, SseParam, isPlainObject, type ClientFrame } from '../protocol/index.js';
import { parseServerFrame, type IncomingError } from './server-frames.js';
import type { SseReader, SseReaderFactory } from './sse-reader.js';
import { FrameUplink, framesUrl } from './sse-uplink.js';
import type { Transport, TransportListener, TransportTarget } from './transport.js';

/** The stream URL for a target: `/sse`, the target's params, then `heartbeats=event`. */
export function sseUrl(target: TransportTarget): string {
  const query = new URLSearchParams({ ...target.params, [SseParam.heartbeats]: 'event' });
  return `${target.baseUrl}${SSE_PATH}?${query.toString()}`;
}

/** `DELETE /sse?connection=…`: the URL that ends a stream. */
export function endUrl(baseUrl: string, connectionId: string): string {
  return `${baseUrl}${SSE_PATH}?${SseParam.connection}=${encodeURIComponent(connectionId)}`;
}

/** The close code a refused stream stands for, as a WebSocket would have been closed. */
export function refusalCloseCode(status: number, code: string): number {
  if (code === ErrorCode.TOKEN_EXPIRED) return CloseCode.TOKEN_EXPIRED;
  if (code === ErrorCode.UNSUPPORTED_PROTOCOL) return CloseCode.UNSUPPORTED_PROTOCOL;
  if (status === 429 || status >= 500) return CloseCode.GOING_AWAY;
  return CloseCode.UNAUTHORIZED;
}

function refusalOf(status: number, body: string): { code: string; error: string } {
  try {
    const parsed: unknown = JSON.parse(body);
    if (isPlainObject(parsed) && typeof parsed.code === 'string') {
      return { code: parsed.code, error: typeof parsed.error === 'string' ? parsed.error : `HTTP ${status}` };
    }
  } catch {
    // not JSON: a proxy's page, or a broker without SSE
  }
  if (status === 404) return { code: ErrorCode.NOT_FOUND, error: `this broker has no SSE endpoint (GET ${SSE_PATH} answered 404)` };
  return { code: ClientErrorCode.HTTP_ERROR, error: `GET ${SSE_PATH} answered HTTP ${status}` };
}

/**
 * A transport over one SSE stream and its frames endpoint.
 *
 * @example
 * ```ts
 * const fetchFn: typeof fetch = (input, init) => fetch(input, init);
 * const transport = new SseTransport(fetchReader(fetchFn), fetchFn);
 * ```
 */
export class SseTransport implements Transport {
  readonly name = 'sse';
  private listener: TransportListener | null = null;
  private reader: SseReader | null = null;
  private uplink: FrameUplink | null = null;
  /** Where to end the stream (known once `connected` arrived). */
  private endUrl: { url: string; secret: string } | null = null;

  /** `open` undefined or `fetchFn` undefined: this runtime has no way to do SSE (`open` says so). */
  constructor(
    private readonly openStream: SseReaderFactory | undefined,
    private readonly fetchFn: typeof fetch | undefined,
  ) {}

  open(target: TransportTarget, listener: TransportListener): void {
    const { openStream, fetchFn } = this;
    if (openStream === undefined || fetchFn === undefined) {
      throw new ConnectionError('no fetch in this runtime: pass the `fetch` option to use the SSE transport', ClientErrorCode.NO_SSE, {
        retryable: false,
      });
    }
    this.listener = listener;
    // A page going away ends its stream at once (a WebSocket is closed by the browser; a stream
    // would linger until the broker's next write), and its presence leaves now.
    if (typeof globalThis.addEventListener === 'function') globalThis.addEventListener('pagehide', this.onPageHide);
    this.reader = openStream(sseUrl(target), {
      event: (name, data) => this.onEvent(target, fetchFn, name, data),
      refused: (status, body) => this.onRefused(status, body),
      ended: (reason) => this.end(1006, reason),
    });
  }

  send(frame: ClientFrame): boolean {
    if (this.listener === null || this.uplink === null) return false;
    if (frame.type === 'ping') return true; // the broker's heartbeats keep the stream alive
    return this.uplink.push(frame);
  }

  /** Closes the stream, and tells the broker (`DELETE /sse`) so that the connection's presence leaves at once. */
  close(): void {
    const { endUrl, fetchFn } = this;
    this.detach();
    if (endUrl !== null && fetchFn !== undefined) {
      // keepalive: the request still goes out while the page unloads.
      void fetchFn(endUrl.url, { method: 'DELETE', headers: { Authorization: `Bearer ${endUrl.secret}` }, keepalive: true }).then(
        (res) => res.body?.cancel(),
        () => undefined, // the stream ends anyway; the broker notices at its next write
      );
    }
  }

  private readonly onPageHide = (): void => {
    const listener = this.listener;
    if (listener === null) return;
    this.close();
    listener.closed(CloseCode.GOING_AWAY, 'the page was hidden');
  };

  private detach(): void {
    if (typeof globalThis.removeEventListener === 'function') globalThis.removeEventListener('pagehide', this.onPageHide);
    this.listener = null;
    this.endUrl = null;
    this.uplink?.stop();
    this.uplink = null;
    const reader = this.reader;
    this.reader = null;
    reader?.close();
  }

  private onEvent(target: TransportTarget, fetchFn: typeof fetch, name: string, data: string): void {
    const listener = this.listener;
    if (listener === null) return;
    if (name === SseEvent.close) {
      let code: number = CloseCode.GOING_AWAY;
      let reason = 'the broker ended the stream';
      try {
        const parsed: unknown = JSON.parse(data);
        if (isPlainObject(parsed) && Number.isInteger(parsed.code)) code = parsed.code as number;
        if (isPlainObject(parsed) && typeof parsed.reason === 'string') reason = parsed.reason;
      } catch {
        // a close without details: reconnect
      }
      this.end(code, reason);
      return;
    }
    const parsed = parseServerFrame(data);
    if (parsed.kind === 'invalid') listener.invalid(parsed.problem, data);
    if (parsed.kind !== 'frame') return;
    const frame = parsed.frame;
    if (frame.type === 'connected') {
      if (frame.connectionId === undefined || frame.connectionSecret === undefined) {
        listener.invalid("an SSE 'connected' needs a connectionId and a connectionSecret", data);
        this.end(CloseCode.GOING_AWAY, 'no connection id on the stream');
        return;
      }
      this.endUrl = { url: endUrl(target.baseUrl, frame.connectionId), secret: frame.connectionSecret };
      this.uplink = new FrameUplink(fetchFn, framesUrl(target.baseUrl, frame.connectionId), frame.connectionSecret, {
        failed: (error) => this.listener?.frame(error),
        gone: (reason) => this.end(CloseCode.GOING_AWAY, `the broker no longer knows this stream (${reason})`),
      });
    }
    listener.frame(frame);
  }

  private onRefused(status: number, body: string): void {
    const listener = this.listener;
    if (listener === null) return;
    const { code, error } = refusalOf(status, body);
    const closeCode = refusalCloseCode(status, code);
    // A temporary failure (429, 5xx) is a close to retry after; a refusal is an `error` frame first, as over a WebSocket.
    if (closeCode !== CloseCode.GOING_AWAY) listener.frame({ type: 'error', code, error } satisfies IncomingError);
    this.end(closeCode, error);
  }

  /** The stream ended without `close()`: detach and tell the listener once. */
  private end(code: number, reason: string): void {
    const listener = this.listener;
    if (listener === null) return;
    this.detach();
    listener.closed(code, reason);
  }
}
