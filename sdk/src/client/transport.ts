/**
 * How frames travel between the client and the broker. The connection only
 * sees this interface: open, send a frame, close, and the frames and the close
 * coming back. `WebSocketTransport` and `SseTransport` (an event stream
 * down, HTTP POSTs up: its `open` starts the stream, `send` POSTs the frame,
 * `close` ends both) implement it, and `AutoTransport` picks one, without the
 * connection, its heartbeat, backoff or token refresh changing.
 */
import type { ClientFrame } from '../protocol/index.js';
import type { IncomingFrame } from './server-frames.js';

/** Where and as whom to connect; each transport builds its own URL from it. */
export interface TransportTarget {
  /** The broker's base URL (`http(s)://host[:port]`, no trailing slash). */
  baseUrl: string;
  /** Query parameters every transport sends (`token`, `v`). */
  params: Record<string, string>;
}

/** What a transport reports. After `close()` it reports nothing more. */
export interface TransportListener {
  /** One frame, in the order the broker sent it. */
  frame(frame: IncomingFrame): void;
  /** Something arrived that is not a valid frame: skipped; the frames around it are still reported. */
  invalid(problem: string, text: string): void;
  /** The transport ended without `close()` being called (the broker or the network closed it). */
  closed(code: number, reason: string): void;
}

/**
 * One connection attempt's channel to the broker. Used once: a new attempt
 * makes a new transport.
 *
 * @example
 * ```ts
 * const t = new WebSocketTransport(globalThis.WebSocket);
 * t.open({ baseUrl: 'http://127.0.0.1:8787', params: { token: 'pub_local_dev', v: '1' } }, {
 *   frame: (f) => console.log(f.type),
 *   invalid: (problem) => console.warn(problem),
 *   closed: (code) => console.log('closed', code),
 * });
 * t.send({ type: 'ping' });
 * ```
 */
export interface Transport {
  /** A short name for logs and `client.transport` (`websocket`, `sse`). */
  readonly name: string;
  /**
   * Starts connecting. Throws a `ConnectionError` when it cannot even start
   * (`retryable` says whether another attempt may do better).
   */
  open(target: TransportTarget, listener: TransportListener): void;
  /** Sends one frame; false when the transport is not open (nothing was sent). */
  send(frame: ClientFrame): boolean;
  /** Closes and detaches: no listener call follows. Safe to call more than once. */
  close(code: number, reason: string): void;
}

/** Makes the transport for each connection attempt. */
export type TransportFactory = () => Transport;
