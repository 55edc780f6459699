/**
 * The WebSocket transport: `ws(s)://host/ws?token=…&v=…&coalesce=1`.
 *
 * With `coalesce=1` the broker may put several frames into one WebSocket text
 * message, joined by `\n` (fewer, larger messages under load). Every message is
 * therefore split into lines and each line handled as one frame, in order; a
 * broker that does not coalesce sends one frame per message, which is the same
 * thing with one line.
 */
import { ClientErrorCode, ConnectionError } from '../errors.js';
import type { ClientFrame } from '../protocol/index.js';
import type { WebSocketConstructor } from '../types.js';
import { parseServerFrame, splitFrames } from './server-frames.js';
import type { Transport, TransportListener, TransportTarget } from './transport.js';

const CONNECTING = 0;
const OPEN = 1;

/** The WebSocket URL for a target: http→ws, https→wss, path `/ws`, the target's params, then `coalesce=1`. */
export function webSocketUrl(target: TransportTarget): string {
  const base = target.baseUrl.replace(/^http(s?):\/\//, 'ws$1://');
  const query = new URLSearchParams({ ...target.params, coalesce: '1' });
  return `${base}/ws?${query.toString()}`;
}

/**
 * A transport over one WebSocket.
 *
 * @example
 * ```ts
 * const transport = new WebSocketTransport(globalThis.WebSocket);
 * ```
 */
export class WebSocketTransport implements Transport {
  readonly name = 'websocket';
  private ws: WebSocket | null = null;

  /** `Ctor` undefined: there is no WebSocket in this runtime (`open` says so). */
  constructor(private readonly Ctor: WebSocketConstructor | undefined) {}

  open(target: TransportTarget, listener: TransportListener): void {
    if (this.Ctor === undefined) {
      throw new ConnectionError('no WebSocket implementation: pass the `WebSocket` option', ClientErrorCode.NO_WEBSOCKET, {
        retryable: false,
      });
    }
    let ws: WebSocket;
    try {
      ws = new this.Ctor(webSocketUrl(target));
    } catch (err) {
      throw new ConnectionError(`could not open a WebSocket: ${String(err)}`, ClientErrorCode.CONNECTION_FAILED, { cause: err });
    }
    this.ws = ws;
    ws.onmessage = (event: MessageEvent) => {
      const text = typeof event.data === 'string' ? event.data : String(event.data);
      for (const line of splitFrames(text)) {
        // A listener may close the transport mid-message (a refusal, a protocol mismatch): stop there.
        if (this.ws !== ws) return;
        const parsed = parseServerFrame(line);
        if (parsed.kind === 'frame') listener.frame(parsed.frame);
        else if (parsed.kind === 'invalid') listener.invalid(parsed.problem, line);
      }
    };
    ws.onclose = (event: CloseEvent) => {
      if (this.ws !== ws) return;
      this.detach();
      listener.closed(event.code, event.reason);
    };
    ws.onerror = () => undefined; // a close event follows
  }

  send(frame: ClientFrame): boolean {
    const ws = this.ws;
    if (ws === null || ws.readyState !== OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  close(code: number, reason: string): void {
    const ws = this.detach();
    if (ws === null) return;
    const close = () => {
      try {
        ws.close(code, reason);
      } catch {
        // already closing
      }
    };
    if (ws.readyState === OPEN) close();
    // Closing a socket that is still connecting makes browsers log a warning
    // (React StrictMode's mount → unmount → mount does exactly that): let it
    // open, then close it. One that never opens just goes away.
    else if (ws.readyState === CONNECTING) ws.onopen = close;
  }

  private detach(): WebSocket | null {
    const ws = this.ws;
    this.ws = null;
    if (ws !== null) {
      ws.onmessage = null;
      ws.onclose = null;
      ws.onerror = null;
    }
    return ws;
  }
}
