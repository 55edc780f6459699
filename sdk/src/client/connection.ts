/**
 * One logical connection to the broker over any number of transports: it gets
 * a token, opens a transport, waits for `connected`, pings, refreshes the
 * token over the open socket, and reconnects with backoff after a drop. What
 * travels over it (subscriptions, messages) is the client's business.
 *
 * Its state is one discriminated union, `Phase`; each phase holds the timers
 * and the transport that are valid in it, and entering another phase clears
 * them. Every way a connection ends (a close, a heartbeat timeout, a connect
 * timeout, a refusal, a protocol mismatch, `disconnect()`) goes through one
 * method, `end()`, which decides between reconnecting, failing and stopping.
 */
import { AuthenticationError, ClientErrorCode, ConnectionError } from '../errors.js';
import { CloseCode, PROTOCOL_VERSION, type ClientFrame } from '../protocol/index.js';
import type { Clock, ConnectionState } from '../types.js';
import { deferred, type Deferred } from './deferred.js';
import { closeEnding, type Ending } from './endings.js';
import type { IncomingConnected, IncomingFrame } from './server-frames.js';
import { backoffDelay, Timer } from './timing.js';
import type { TokenSource } from './token-source.js';
import type { Transport, TransportFactory } from './transport.js';

/** Retry a failed token refresh after this long (ms). */
export const REFRESH_RETRY_MS = 5_000;

export interface ConnectionConfig {
  baseUrl: string;
  tokens: TokenSource;
  transport: TransportFactory;
  clock: Clock;
  random: () => number;
  connectionTimeout: number;
  heartbeatInterval: number;
  autoReconnect: boolean;
  maxReconnectAttempts: number;
  reconnectDelay: number;
  maxReconnectDelay: number;
  log: (...args: unknown[]) => void;
}

/** What the connection tells its owner. */
export interface ConnectionHandler {
  /** The public state changed. */
  state(state: ConnectionState): void;
  /** The broker accepted the connection: send subscriptions and queued frames now. */
  connected(frame: IncomingConnected): void;
  /** Any frame but `connected`, `pong` and `authenticated` (which the connection handles). */
  frame(frame: IncomingFrame): void;
  /** A connection that was `connected` ended; `reason` is for the `disconnected` event. */
  disconnected(reason: string | undefined): void;
  /** Something to report on the `error` event. */
  error(error: Error): void;
}

/** One call of `connect()` (or one reconnect), until `connected` or failure. */
interface Attempt {
  readonly done: Deferred<void>;
  /** A reconnect after a drop: a retryable failure schedules the next one instead of failing. */
  readonly reconnect: boolean;
}

interface Open {
  kind: 'open';
  transport: Transport;
  heartbeat: Timer;
  refresh: Timer;
  lastFrameAt: number;
  pingInterval: number;
}

type Phase =
  | { kind: 'idle' }
  | { kind: 'authorizing'; attempt: Attempt }
  | { kind: 'opening'; attempt: Attempt; transport: Transport; timeout: Timer }
  | Open
  | { kind: 'backoff'; timer: Timer }
  | { kind: 'failed'; error: Error }
  | { kind: 'destroyed' };

/** The phase's name, for tests and logs. */
export type PhaseKind = Phase['kind'];

const PUBLIC_STATE: Record<PhaseKind, ConnectionState> = {
  idle: 'disconnected',
  authorizing: 'connecting',
  opening: 'connecting',
  open: 'connected',
  backoff: 'disconnected',
  failed: 'error',
  destroyed: 'disconnected',
};

export class Connection {
  private phase: Phase = { kind: 'idle' };
  private published: ConnectionState = 'disconnected';
  /** Reconnect attempts since the last `connected`. */
  private attempts = 0;

  constructor(
    private readonly config: ConnectionConfig,
    private readonly handler: ConnectionHandler,
  ) {}

  /** The public state: `disconnected | connecting | connected | error`. */
  get state(): ConnectionState {
    return this.published;
  }

  /** The internal phase (tests, debugging). */
  get phaseKind(): PhaseKind {
    return this.phase.kind;
  }

  /** Opens the connection; the same promise while an attempt is under way. */
  connect(): Promise<void> {
    const p = this.phase;
    switch (p.kind) {
      case 'destroyed':
        return Promise.reject(new ConnectionError('this client was destroyed', ClientErrorCode.DESTROYED, { retryable: false }));
      case 'open':
        return Promise.resolve();
      case 'authorizing':
      case 'opening':
        return p.attempt.done.promise;
      default:
        return this.begin(false);
    }
  }

  /** Closes and stops reconnecting (what `client.disconnect()` does). */
  disconnect(): void {
    if (this.phase.kind === 'destroyed') return;
    this.end({ code: CloseCode.NORMAL, reason: 'client disconnect', error: null, retry: false, event: 'Disconnected by client' });
  }

  /** Disconnects for good: `connect()` refuses from now on. */
  destroy(): void {
    this.disconnect();
    this.enter({ kind: 'destroyed' });
  }

  /** Sends a frame on the live connection; false when not connected (nothing sent). */
  send(frame: ClientFrame): boolean {
    if (this.phase.kind !== 'open') return false;
    const sent = this.phase.transport.send(frame);
    if (sent) this.config.log('→', frame);
    return sent;
  }

  /**
   * The broker refused the connection with an `error` frame. While the
   * connection is being opened this ends the attempt (no retry) and returns
   * true; otherwise it returns false and the caller reports the error.
   */
  refuse(error: Error): boolean {
    if (this.phase.kind !== 'opening') return false;
    this.end({ code: CloseCode.NORMAL, reason: 'refused', error, retry: false });
    return true;
  }

  // ------------------------------------------------------------------ phases

  private enter(next: Phase): void {
    const prev = this.phase;
    if (prev.kind === 'opening') prev.timeout.clear();
    else if (prev.kind === 'open') {
      prev.heartbeat.clear();
      prev.refresh.clear();
    } else if (prev.kind === 'backoff') prev.timer.clear();
    this.phase = next;
    const state = PUBLIC_STATE[next.kind];
    if (state !== this.published) {
      this.published = state;
      this.handler.state(state);
    }
  }

  private begin(reconnect: boolean): Promise<void> {
    const attempt: Attempt = { done: deferred<void>(), reconnect };
    const { tokens } = this.config;
    if (!tokens.hasProvider) {
      this.openTransport(attempt);
      return attempt.done.promise;
    }
    const phase: Phase = { kind: 'authorizing', attempt };
    this.enter(phase);
    tokens.ensure().then(
      () => {
        if (this.phase === phase) this.openTransport(attempt);
      },
      (err: unknown) => {
        if (this.phase !== phase) return; // disconnected meanwhile
        const error = err instanceof Error ? err : new AuthenticationError(String(err), ClientErrorCode.AUTH_FAILED);
        this.end({ code: CloseCode.NORMAL, reason: '', error, retry: true });
      },
    );
    return attempt.done.promise;
  }

  private openTransport(attempt: Attempt): void {
    const { config } = this;
    const transport = config.transport();
    const phase: Phase = { kind: 'opening', attempt, transport, timeout: new Timer(config.clock) };
    this.enter(phase);
    try {
      transport.open(
        { baseUrl: config.baseUrl, params: { token: config.tokens.credential, v: String(PROTOCOL_VERSION) } },
        {
          frame: (frame) => this.onFrame(transport, frame),
          invalid: (problem, text) => this.onInvalid(transport, problem, text),
          closed: (code, reason) => this.onClosed(transport, code, reason),
        },
      );
    } catch (err) {
      const error =
        err instanceof ConnectionError ? err : new ConnectionError(String(err), ClientErrorCode.CONNECTION_FAILED, { cause: err });
      this.end({ code: CloseCode.NORMAL, reason: '', error, retry: error.retryable });
      return;
    }
    phase.timeout.start(config.connectionTimeout, () =>
      this.end({
        code: CloseCode.GOING_AWAY,
        reason: 'connect timeout',
        error: new ConnectionError(
          `no answer from ${config.baseUrl} within ${config.connectionTimeout} ms`,
          ClientErrorCode.CONNECTION_TIMEOUT,
        ),
        retry: true,
      }),
    );
  }

  /** The phase `transport` belongs to, if it is still the current one. */
  private live(transport: Transport): Extract<Phase, { kind: 'opening' | 'open' }> | null {
    const p = this.phase;
    return (p.kind === 'opening' || p.kind === 'open') && p.transport === transport ? p : null;
  }

  private onFrame(transport: Transport, frame: IncomingFrame): void {
    const p = this.live(transport);
    if (p === null) return;
    this.config.log('←', frame);
    if (p.kind === 'open') p.lastFrameAt = this.config.clock.now();
    if (frame.type === 'connected') {
      if (p.kind === 'opening') this.opened(p, frame);
    } else if (frame.type === 'authenticated') {
      if (p.kind === 'open') this.scheduleRefresh(p);
    } else if (frame.type !== 'pong') {
      this.handler.frame(frame);
    }
  }

  private onInvalid(transport: Transport, problem: string, text: string): void {
    const p = this.live(transport);
    if (p === null) return;
    if (p.kind === 'open') p.lastFrameAt = this.config.clock.now();
    this.config.log('← invalid frame skipped:', problem, text.slice(0, 200));
    this.handler.error(
      new ConnectionError(`the broker sent an invalid frame (${problem}); it was skipped`, ClientErrorCode.INVALID_SERVER_FRAME, {
        retryable: false,
      }),
    );
  }

  private onClosed(transport: Transport, code: number, reason: string): void {
    const p = this.live(transport);
    if (p !== null) this.end(closeEnding(p.kind === 'open', code, reason));
  }

  private opened(p: Extract<Phase, { kind: 'opening' }>, frame: IncomingConnected): void {
    const { config } = this;
    if (frame.protocol !== undefined && frame.protocol !== PROTOCOL_VERSION) {
      const error = new ConnectionError(
        `the broker speaks protocol version ${frame.protocol}; this SDK speaks ${PROTOCOL_VERSION}: upgrade the SDK or the broker`,
        ClientErrorCode.PROTOCOL_MISMATCH,
        { retryable: false },
      );
      this.end({ code: CloseCode.NORMAL, reason: 'unsupported protocol', error, retry: false });
      return;
    }
    const advertised = frame.pingInterval;
    const open: Open = {
      kind: 'open',
      transport: p.transport,
      heartbeat: new Timer(config.clock),
      refresh: new Timer(config.clock),
      lastFrameAt: config.clock.now(),
      pingInterval: advertised !== undefined && advertised > 0 ? Math.min(config.heartbeatInterval, advertised) : config.heartbeatInterval,
    };
    this.attempts = 0;
    this.enter(open);
    this.startHeartbeat(open);
    this.scheduleRefresh(open);
    this.handler.connected(frame);
    p.attempt.done.resolve();
  }

  private startHeartbeat(p: Open): void {
    const tick = () => {
      if (this.phase !== p) return;
      if (this.config.clock.now() - p.lastFrameAt >= 2 * p.pingInterval) {
        this.config.log('heartbeat timeout: reconnecting');
        this.end({ code: CloseCode.HEARTBEAT_TIMEOUT, reason: 'heartbeat timeout', error: null, retry: true, event: 'Heartbeat timeout' });
        return;
      }
      this.send({ type: 'ping' } satisfies ClientFrame);
      p.heartbeat.start(p.pingInterval, tick);
    };
    p.heartbeat.start(p.pingInterval, tick);
  }

  /** Refreshes the token over the open socket shortly before it expires. */
  private scheduleRefresh(p: Open): void {
    const { tokens } = this.config;
    const delay = tokens.refreshDelay();
    if (delay === null) {
      p.refresh.clear();
      return;
    }
    p.refresh.start(delay, () => {
      tokens.refresh().then(
        (token) => {
          if (this.phase === p) this.send({ type: 'auth', token } satisfies ClientFrame);
        },
        (err: unknown) => {
          if (this.phase !== p) return;
          this.handler.error(err instanceof Error ? err : new AuthenticationError(String(err), ClientErrorCode.AUTH_FAILED));
          p.refresh.start(REFRESH_RETRY_MS, () => this.scheduleRefresh(p));
        },
      );
    });
  }

  // ------------------------------------------------------------------ the one disconnect path

  /**
   * Ends the current phase: closes the transport, clears its timers, tells
   * the owner, then reconnects (a retryable end of a live connection or of a
   * reconnect, with `autoReconnect`), fails (an error to report) or stops.
   */
  private end(e: Ending): void {
    const was = this.phase;
    if (was.kind === 'destroyed') return;
    const attempt = was.kind === 'authorizing' || was.kind === 'opening' ? was.attempt : null;
    if (was.kind === 'opening' || was.kind === 'open') was.transport.close(e.code, e.reason);
    const reconnect = e.retry && this.config.autoReconnect && (was.kind === 'open' || attempt?.reconnect === true);
    if (was.kind === 'open') {
      // A live connection always passes through `disconnected` (and its event) first.
      const stopped: Phase = { kind: 'idle' };
      this.enter(stopped);
      this.handler.disconnected(e.event);
      if (this.phase !== stopped) return; // the app reconnected from its `disconnected` listener
    }
    if (reconnect) {
      attempt?.done.reject(e.error ?? new ConnectionError(e.reason || 'connection closed', ClientErrorCode.CONNECTION_CLOSED));
      this.scheduleReconnect();
    } else if (e.error !== null) {
      this.enter({ kind: 'failed', error: e.error });
      this.handler.error(e.error);
      attempt?.done.reject(e.error);
    } else {
      this.enter({ kind: 'idle' });
      attempt?.done.reject(
        new ConnectionError('disconnected before the connection completed', ClientErrorCode.CONNECTION_CLOSED, { retryable: false }),
      );
    }
  }

  private scheduleReconnect(): void {
    const { config } = this;
    const max = config.maxReconnectAttempts;
    if (max > 0 && this.attempts >= max) {
      const error = new ConnectionError(`gave up after ${max} reconnect attempts`, ClientErrorCode.MAX_RECONNECT_ATTEMPTS, {
        retryable: false,
      });
      this.enter({ kind: 'failed', error });
      this.handler.error(error);
      return;
    }
    const delay = backoffDelay(this.attempts, config.reconnectDelay, config.maxReconnectDelay, config.random);
    this.attempts++;
    config.log(`reconnecting in ${delay} ms (attempt ${this.attempts})`);
    const phase: Phase = { kind: 'backoff', timer: new Timer(config.clock) };
    this.enter(phase);
    phase.timer.start(delay, () => {
      if (this.phase === phase) void this.begin(true);
    });
  }
}
