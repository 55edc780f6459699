/**
 * `transport: 'auto'`: the WebSocket first, SSE when the WebSocket cannot
 * open. One connection attempt, one `AutoTransport`; the connection above it
 * sees a single transport either way, so its timeout, backoff and resume do
 * not change.
 *
 * The WebSocket counts as working as soon as anything arrives on it (even a
 * refusal, which is then reported as usual). It falls back to SSE, within the
 * same attempt, when the WebSocket cannot be created, closes before anything
 * arrived, or stays silent for `fallbackMs`. After a fallback whose stream
 * said `connected`, the client's later attempts go straight to SSE for
 * `SSE_STICKY_MS` (like Pusher's transport cache), then try the WebSocket
 * again: a network that blocks WebSockets does not pay the WebSocket's failure
 * on every reconnect, and one that stopped blocking them gets them back.
 */
import type { Clock, TransportName } from '../types.js';
import { CloseCode, type ClientFrame } from '../protocol/index.js';
import type { IncomingFrame } from './server-frames.js';
import { Timer } from './timing.js';
import type { Transport, TransportListener, TransportTarget } from './transport.js';

/** How long reconnects stay on SSE after a fallback (ms). */
export const SSE_STICKY_MS = 30 * 60_000;
/** Longest wait for a silent WebSocket before falling back (ms); at most half the connection timeout. */
export const MAX_FALLBACK_MS = 10_000;

/** What one client remembers across attempts. */
export interface TransportMemory {
  /** Until when (clock ms) attempts go straight to SSE. */
  sseUntil: number;
}

export interface AutoTransportConfig {
  websocket: () => Transport;
  sse: () => Transport;
  clock: Clock;
  memory: TransportMemory;
  /** Silence after which a WebSocket that has not opened is given up for SSE (ms). */
  fallbackMs: number;
  log: (...args: unknown[]) => void;
}

/**
 * A WebSocket with an SSE fallback.
 *
 * @example
 * ```ts
 * const memory = { sseUntil: 0 };
 * const transport = () => new AutoTransport({ websocket, sse, clock: systemClock, memory, fallbackMs: 10_000, log: () => {} });
 * ```
 */
export class AutoTransport implements Transport {
  private active: Transport | null = null;
  /** Something arrived on the WebSocket (or SSE was chosen): no more fallback. */
  private committed = false;
  private listener: TransportListener | null = null;
  private target: TransportTarget | null = null;
  private readonly timer: Timer;

  constructor(private readonly config: AutoTransportConfig) {
    this.timer = new Timer(config.clock);
  }

  /** The transport in use: `websocket` until a fallback. */
  get name(): TransportName {
    return this.active?.name === 'sse' ? 'sse' : 'websocket';
  }

  open(target: TransportTarget, listener: TransportListener): void {
    const { config } = this;
    this.target = target;
    this.listener = listener;
    if (config.clock.now() < config.memory.sseUntil) {
      config.log('using SSE (the WebSocket failed recently)');
      this.startSse(true, false);
      return;
    }
    const ws = config.websocket();
    this.active = ws;
    try {
      ws.open(target, {
        frame: (frame) => {
          if (this.active !== ws) return;
          this.commit();
          this.listener?.frame(frame);
        },
        invalid: (problem, text) => {
          if (this.active !== ws) return;
          this.commit();
          this.listener?.invalid(problem, text);
        },
        closed: (code, reason) => {
          if (this.active !== ws) return;
          if (this.committed) this.listener?.closed(code, reason);
          else this.fallback(`the WebSocket closed before it opened (${code}${reason ? `: ${reason}` : ''})`);
        },
      });
    } catch (err) {
      this.fallback(`no WebSocket (${err instanceof Error ? err.message : String(err)})`, true);
      return;
    }
    this.timer.start(config.fallbackMs, () => this.fallback(`the WebSocket did not open within ${config.fallbackMs} ms`));
  }

  send(frame: ClientFrame): boolean {
    return this.active?.send(frame) ?? false;
  }

  close(code: number, reason: string): void {
    this.timer.clear();
    this.listener = null;
    const active = this.active;
    this.active = null;
    active?.close(code, reason);
  }

  private commit(): void {
    this.committed = true;
    this.timer.clear();
  }

  /** Gives the WebSocket up and opens SSE in its place. */
  private fallback(why: string, fromOpen = false): void {
    if (this.committed || this.listener === null) return;
    this.config.log(`falling back to SSE: ${why}`);
    const ws = this.active;
    this.active = null;
    ws?.close(CloseCode.NORMAL, 'falling back to SSE');
    this.startSse(fromOpen, true);
  }

  /**
   * Opens SSE. `fromOpen`: still inside `open()`, so a failure to start may be
   * thrown to the connection. `fellBack`: the WebSocket failed on this attempt,
   * so a stream that connects starts the sticky period (attempts made during it
   * do not extend it).
   */
  private startSse(fromOpen: boolean, fellBack: boolean): void {
    this.commit();
    const sse = this.config.sse();
    this.active = sse;
    const { clock, memory } = this.config;
    const listener: TransportListener = {
      frame: (frame: IncomingFrame) => {
        if (this.active !== sse) return;
        if (fellBack && frame.type === 'connected') memory.sseUntil = clock.now() + SSE_STICKY_MS;
        this.listener?.frame(frame);
      },
      invalid: (problem, text) => {
        if (this.active === sse) this.listener?.invalid(problem, text);
      },
      closed: (code, reason) => {
        if (this.active === sse) this.listener?.closed(code, reason);
      },
    };
    try {
      sse.open(this.target!, listener);
    } catch (err) {
      this.active = null;
      if (fromOpen) throw err;
      this.listener?.closed(1006, err instanceof Error ? err.message : String(err));
    }
  }
}
