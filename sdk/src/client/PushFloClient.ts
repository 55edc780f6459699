/**
 * The browser (and Node, and Workers) client: one WebSocket, many channels,
 * automatic reconnect with backoff, and lossless resume: after any number of
 * drops, each channel continues from the last seq the app saw, and the app
 * sees every message exactly once, in order.
 */
import {
  isTerminalClose,
  type ClientFrame,
  type ErrorFrame,
  type MessageFrame,
  type ServerFrame,
  type SubscribedFrame,
  type SubscribeFrame,
} from '../protocol/index.js';
import { AuthenticationError, ConnectionError, PushFloError } from '../errors.js';
import type {
  ClientOptions,
  Clock,
  ConnectionInfo,
  ConnectionState,
  GapInfo,
  Message,
  Subscription,
  SubscriptionOptions,
  WebSocketConstructor,
} from '../types.js';
import { assertChannelName } from '../validation.js';
import { DEFAULT_BASE_URL } from '../constants.js';
import { ChannelState } from './channel-state.js';
import { Emitter, safeCall } from './emitter.js';
import { backoffDelay, systemClock } from './timing.js';


/** Events a client emits. */
export interface ClientEvents {
  connected: [ConnectionInfo];
  disconnected: [reason?: string];
  message: [Message];
  error: [Error];
  /** Messages were missed on a channel and can't be replayed: refetch its state. */
  gap: [GapInfo];
}

interface Resolved {
  publishKey: string;
  baseUrl: string;
  debug: boolean;
  connectionTimeout: number;
  heartbeatInterval: number;
  autoReconnect: boolean;
  maxReconnectAttempts: number;
  reconnectDelay: number;
  maxReconnectDelay: number;
  replayOnReconnect: boolean;
  WebSocket: WebSocketConstructor | undefined;
  clock: Clock;
  random: () => number;
}

interface Pending {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

const OPEN = 1;
const CONNECTING = 0;

/**
 * Real-time client.
 *
 * @example
 * ```ts
 * import { PushFloClient } from '@pushflodev/sdk';
 *
 * const client = new PushFloClient({ publishKey: 'pub_local_dev', baseUrl: 'http://127.0.0.1:8787' });
 * await client.connect();
 * const sub = client.subscribe('orders:user-123', {
 *   onMessage: (m) => console.log(m.eventType, m.content),
 *   onGap: () => refetchOrders(), // history could not cover a long outage
 * });
 * // later
 * sub.unsubscribe();
 * client.destroy();
 * ```
 */
export class PushFloClient extends Emitter<ClientEvents> {
  private readonly options: Resolved;
  private readonly channels = new Map<string, ChannelState>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private ws: WebSocket | null = null;
  private state: ConnectionState = 'disconnected';
  private id: string | null = null;
  private pending: Pending | null = null;
  private intentional = false;
  private destroyed = false;
  private reconnecting = false;
  private attempt = 0;
  private lastFrameAt = 0;
  private connectTimer: unknown = null;
  private heartbeatTimer: unknown = null;
  private reconnectTimer: unknown = null;

  constructor(options: ClientOptions) {
    super();
    if (!options || !options.publishKey) throw new AuthenticationError('publishKey is required', 'MISSING_PUBLISH_KEY');
    if (!/^(pub|sec|mgmt)_/.test(options.publishKey)) {
      throw new AuthenticationError("publishKey must start with 'pub_' (or 'sec_'/'mgmt_' on servers)", 'INVALID_API_KEY');
    }
    this.options = {
      publishKey: options.publishKey,
      baseUrl: (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, ''),
      debug: options.debug ?? false,
      connectionTimeout: options.connectionTimeout ?? 30_000,
      heartbeatInterval: options.heartbeatInterval ?? 25_000,
      autoReconnect: options.autoReconnect ?? true,
      maxReconnectAttempts: options.maxReconnectAttempts ?? 0,
      reconnectDelay: options.reconnectDelay ?? 1_000,
      maxReconnectDelay: options.maxReconnectDelay ?? 30_000,
      replayOnReconnect: options.replayOnReconnect ?? true,
      WebSocket: options.WebSocket,
      clock: options.clock ?? systemClock,
      random: options.random ?? Math.random,
    };
    if (options.autoConnect) this.connect().catch((err: unknown) => this.log('auto-connect failed', err));
  }

  /** Current state: `disconnected | connecting | connected | error`. */
  get connectionState(): ConnectionState {
    return this.state;
  }

  /** The id the broker gave this connection (null before the first connect). */
  get clientId(): string | null {
    return this.id;
  }

  /**
   * Opens the socket. Resolves when the broker says `connected`; rejects on a
   * refused key (AuthenticationError), a timeout or a close. Calling it while
   * connecting returns the same promise; while connected, resolves at once.
   *
   * @example
   * ```ts
   * await client.connect();
   * console.log(client.clientId);
   * ```
   */
  connect(): Promise<void> {
    if (this.destroyed) return Promise.reject(new ConnectionError('this client was destroyed', 'DESTROYED', { retryable: false }));
    if (this.state === 'connected') return Promise.resolve();
    if (this.pending !== null) return this.pending.promise;
    this.intentional = false;
    this.reconnecting = false;
    this.clearTimer('reconnectTimer');
    return this.open();
  }

  /**
   * Closes the socket and stops reconnecting. Subscriptions are kept and
   * resumed (with replay) by the next `connect()`.
   * @example
   * ```ts
   * client.disconnect();
   * ```
   */
  disconnect(): void {
    this.intentional = true;
    this.clearTimer('reconnectTimer');
    const wasConnected = this.state === 'connected';
    this.dropSocket(1000, 'client disconnect');
    this.failPending(new ConnectionError('disconnected before the connection completed', 'CONNECTION_CLOSED', { retryable: false }));
    this.setState('disconnected');
    if (wasConnected) this.emit('disconnected', 'Disconnected by client');
  }

  /**
   * Disconnects and releases everything: subscriptions, listeners, timers.
   * @example
   * ```ts
   * useEffect(() => () => client.destroy(), []);
   * ```
   */
  destroy(): void {
    this.disconnect();
    this.destroyed = true;
    this.channels.clear();
    this.stateListeners.clear();
    this.removeAllListeners();
  }

  /**
   * Subscribes to a channel. Safe before `connect()`: the subscription is sent
   * once connected, and again (resuming from the last seq) after each reconnect.
   * Several subscriptions to one channel share one server subscription.
   *
   * @throws {ValidationError} when the channel name is invalid (nothing is sent)
   * @example
   * ```ts
   * const sub = client.subscribe('chat:room-42', { onMessage: (m) => render(m) });
   * sub.unsubscribe();
   * ```
   */
  subscribe(channel: string, options: SubscriptionOptions = {}): Subscription {
    assertChannelName(channel);
    const listener: SubscriptionOptions = { ...options };
    let state = this.channels.get(channel);
    if (state === undefined) {
      state = new ChannelState(channel);
      this.channels.set(channel, state);
      state.listeners.add(listener);
      if (this.state === 'connected') this.sendSubscribe(state, false);
    } else {
      state.listeners.add(listener);
      if (state.confirmed) queueMicrotask(() => state!.listeners.has(listener) && safeCall(listener.onSubscribed));
    }
    return {
      channel,
      unsubscribe: () => this.removeListener(channel, listener),
    };
  }

  /**
   * Ends every subscription to `channel`.
   * @example
   * ```ts
   * client.unsubscribe('orders:user-123');
   * ```
   */
  unsubscribe(channel: string): void {
    const state = this.channels.get(channel);
    if (state === undefined) return;
    for (const listener of [...state.listeners]) this.removeListener(channel, listener);
  }

  /**
   * Calls `listener` on every state change; returns a function that stops it.
   * @example
   * ```ts
   * const off = client.onConnectionChange((s) => (badge.textContent = s));
   * ```
   */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => {
      this.stateListeners.delete(listener);
    };
  }

  /**
   * Channels with at least one subscription.
   * @example
   * ```ts
   * client.getSubscribedChannels(); // ['orders:user-123']
   * ```
   */
  getSubscribedChannels(): string[] {
    return [...this.channels.keys()];
  }

  /**
   * Whether the client holds a subscription to `channel`.
   * @example
   * ```ts
   * if (!client.isSubscribed('news')) client.subscribe('news');
   * ```
   */
  isSubscribed(channel: string): boolean {
    return this.channels.has(channel);
  }

  /**
   * The last seq the app has seen on `channel` (null before any), for apps that
   * combine a snapshot with the live stream.
   * @example
   * ```ts
   * const seq = client.lastSeq('game:match-9');
   * ```
   */
  lastSeq(channel: string): number | null {
    return this.channels.get(channel)?.lastSeq ?? null;
  }

  // ------------------------------------------------------------------ internals

  private log(...args: unknown[]): void {
    if (this.options.debug) console.debug('[PushFlo]', ...args);
  }

  private setState(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of [...this.stateListeners]) safeCall(listener, state);
  }

  private clearTimer(name: 'connectTimer' | 'heartbeatTimer' | 'reconnectTimer'): void {
    if (this[name] !== null) {
      this.options.clock.clearTimeout(this[name]);
      this[name] = null;
    }
  }

  private wsUrl(): string {
    const base = this.options.baseUrl.replace(/^http(s?):\/\//, 'ws$1://');
    return `${base}/ws?token=${encodeURIComponent(this.options.publishKey)}`;
  }

  private open(): Promise<void> {
    let resolve!: () => void;
    let reject!: (err: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.pending = { promise, resolve, reject };
    // An unobserved rejection of a background reconnect must not become an unhandled rejection.
    promise.catch(() => undefined);
    this.setState('connecting');

    const Ctor = this.options.WebSocket ?? (globalThis.WebSocket as WebSocketConstructor | undefined);
    if (Ctor === undefined) {
      this.connectFailed(new ConnectionError('no WebSocket implementation: pass the `WebSocket` option', 'NO_WEBSOCKET', { retryable: false }), false);
      return promise;
    }
    let ws: WebSocket;
    try {
      ws = new Ctor(this.wsUrl());
    } catch (err) {
      this.connectFailed(new ConnectionError(`could not open a WebSocket: ${String(err)}`, 'CONNECTION_FAILED', { cause: err }), true);
      return promise;
    }
    this.ws = ws;
    ws.onmessage = (event: MessageEvent) => this.onFrame(event.data);
    ws.onclose = (event: CloseEvent) => this.onClose(event.code, event.reason);
    ws.onerror = () => this.log('socket error');
    this.connectTimer = this.options.clock.setTimeout(() => {
      this.connectTimer = null;
      this.dropSocket(4000, 'connect timeout');
      this.connectFailed(
        new ConnectionError(`no answer from ${this.options.baseUrl} within ${this.options.connectionTimeout} ms`, 'CONNECTION_TIMEOUT'),
        true,
      );
    }, this.options.connectionTimeout);
    return promise;
  }

  /** The socket did not reach `connected`. Reconnect attempts keep trying; a first connect reports. */
  private connectFailed(error: Error, retryable: boolean): void {
    this.clearTimer('connectTimer');
    if (this.reconnecting && retryable && !this.intentional && !this.destroyed) {
      this.failPending(error);
      this.setState('disconnected');
      this.scheduleReconnect();
      return;
    }
    this.setState('error');
    this.emit('error', error);
    this.failPending(error);
  }

  private failPending(error: Error): void {
    const pending = this.pending;
    this.pending = null;
    pending?.reject(error);
  }

  /** Detaches and closes the current socket without triggering reconnect logic. */
  private dropSocket(code: number, reason: string): void {
    this.clearTimer('connectTimer');
    this.clearTimer('heartbeatTimer');
    const ws = this.ws;
    this.ws = null;
    if (ws === null) return;
    ws.onmessage = null;
    ws.onclose = null;
    ws.onerror = null;
    if (ws.readyState === OPEN || ws.readyState === CONNECTING) {
      try {
        ws.close(code, reason);
      } catch {
        // already closing
      }
    }
    for (const state of this.channels.values()) {
      state.confirmed = false;
      state.resyncing = false;
    }
  }

  private send(frame: ClientFrame): boolean {
    const ws = this.ws;
    if (ws === null || ws.readyState !== OPEN) return false;
    ws.send(JSON.stringify(frame));
    this.log('→', frame);
    return true;
  }

  private sendSubscribe(state: ChannelState, resume: boolean): void {
    const frame: SubscribeFrame = { type: 'subscribe', channel: state.channel };
    if (resume && state.lastSeq !== null) {
      frame.lastSeq = state.lastSeq;
      if (state.epoch !== null) frame.epoch = state.epoch;
    }
    this.send(frame satisfies ClientFrame);
  }

  private removeListener(channel: string, listener: SubscriptionOptions): void {
    const state = this.channels.get(channel);
    if (state === undefined || !state.listeners.delete(listener)) return;
    if (state.listeners.size === 0) {
      this.channels.delete(channel);
      if (this.state === 'connected') this.send({ type: 'unsubscribe', channel } satisfies ClientFrame);
    }
    safeCall(listener.onUnsubscribed);
  }

  private onFrame(raw: unknown): void {
    this.lastFrameAt = this.options.clock.now();
    let frame: ServerFrame;
    try {
      frame = JSON.parse(typeof raw === 'string' ? raw : String(raw)) as ServerFrame;
    } catch {
      this.log('ignoring a frame that is not JSON');
      return;
    }
    this.log('←', frame);
    switch (frame.type) {
      case 'connected':
        return this.onConnected(frame.clientId, frame.timestamp);
      case 'pong':
        return;
      case 'subscribed':
        return this.onSubscribed(frame);
      case 'message':
        return this.onMessage(frame);
      case 'error':
        return this.onErrorFrame(frame);
      case 'unsubscribed':
        return;
    }
  }

  private onConnected(clientId: string, timestamp: number): void {
    this.clearTimer('connectTimer');
    this.id = clientId ?? null;
    this.attempt = 0;
    this.reconnecting = false;
    this.setState('connected');
    this.startHeartbeat();
    const pending = this.pending;
    this.pending = null;
    for (const state of this.channels.values()) this.sendSubscribe(state, this.options.replayOnReconnect);
    this.emit('connected', { clientId: clientId ?? '', timestamp: timestamp ?? this.options.clock.now() });
    pending?.resolve();
  }

  private onSubscribed(frame: SubscribedFrame): void {
    const state = this.channels.get(frame.channel);
    if (state === undefined) return;
    state.confirmed = true;
    state.resyncing = false;
    if (typeof frame.epoch === 'string') state.epoch = frame.epoch;
    if (frame.recovered === false) {
      // The gap can't be covered: continue live from the head and tell the app.
      state.lastSeq = frame.seq;
      const gap: GapInfo = { channel: frame.channel, reason: frame.reason ?? 'retention', seq: frame.seq };
      for (const listener of [...state.listeners]) safeCall(listener.onGap, gap);
      this.emit('gap', gap);
    } else if (frame.recovered === undefined && typeof frame.seq === 'number') {
      // A fresh subscription starts at the head.
      state.lastSeq = frame.seq;
    }
    for (const listener of [...state.listeners]) safeCall(listener.onSubscribed);
  }

  private onMessage(frame: MessageFrame): void {
    const state = this.channels.get(frame.channel);
    if (state === undefined || typeof frame.messageId !== 'string') return;
    const message: Message = {
      id: frame.messageId,
      channel: frame.channel,
      eventType: frame.eventType ?? 'message',
      clientId: frame.clientId ?? '',
      content: frame.data ?? {},
      timestamp: frame.timestamp ?? this.options.clock.now(),
    };
    if (typeof frame.seq === 'number') message.seq = frame.seq;
    const verdict = state.accept(message);
    if (verdict === 'duplicate') {
      this.log(`dropped a duplicate on ${frame.channel} (seq ${frame.seq})`);
      return;
    }
    if (verdict === 'gap') {
      // Never hand the app a message out of order: ask for the missing ones.
      if (!state.resyncing) {
        this.log(`gap on ${frame.channel}: have ${state.lastSeq}, got ${frame.seq}; resuming`);
        state.resyncing = true;
        this.sendSubscribe(state, true);
      }
      return;
    }
    for (const listener of [...state.listeners]) safeCall(listener.onMessage, message);
    this.emit('message', message);
  }

  private onErrorFrame(frame: ErrorFrame): void {
    const text = frame.error ?? 'unknown error';
    const error =
      frame.code === 'UNAUTHORIZED' || frame.code === 'INVALID_TOKEN'
        ? new AuthenticationError(text, frame.code)
        : new PushFloError(text, frame.code ?? 'SERVER_ERROR', { retryable: frame.code === 'RATE_LIMITED' || frame.code === 'SUBSCRIBE_FAILED' });
    if (frame.channel !== undefined) {
      for (const listener of [...(this.channels.get(frame.channel)?.listeners ?? [])]) safeCall(listener.onError, error);
    }
    if (this.pending !== null && this.state === 'connecting') {
      this.dropSocket(1000, 'refused');
      this.connectFailed(error, false);
      return;
    }
    this.emit('error', error);
  }

  private onClose(code: number, reason: string): void {
    const wasConnected = this.state === 'connected';
    this.ws = null;
    this.dropSocket(1000, '');
    const terminal = isTerminalClose(code);
    if (this.state === 'connecting') {
      this.connectFailed(
        terminal
          ? new AuthenticationError(reason || `connection refused (close ${code})`, 'UNAUTHORIZED')
          : new ConnectionError(reason || `connection closed (${code})`, 'CONNECTION_CLOSED'),
        !terminal,
      );
      return;
    }
    if (!wasConnected) return;
    this.setState('disconnected');
    this.emit('disconnected', reason || undefined);
    if (terminal) {
      this.setState('error');
      this.emit('error', new ConnectionError(reason || `the broker closed the connection for good (${code})`, 'CONNECTION_REFUSED', { retryable: false }));
      return;
    }
    if (this.options.autoReconnect && !this.intentional) this.scheduleReconnect();
  }

  private startHeartbeat(): void {
    this.clearTimer('heartbeatTimer');
    const interval = this.options.heartbeatInterval;
    const tick = () => {
      this.heartbeatTimer = null;
      if (this.state !== 'connected') return;
      if (this.options.clock.now() - this.lastFrameAt >= 2 * interval) {
        this.log('heartbeat timeout: reconnecting');
        this.dropSocket(4001, 'heartbeat timeout');
        this.setState('disconnected');
        this.emit('disconnected', 'Heartbeat timeout');
        if (this.options.autoReconnect && !this.intentional) this.scheduleReconnect();
        return;
      }
      this.send({ type: 'ping' } satisfies ClientFrame);
      this.heartbeatTimer = this.options.clock.setTimeout(tick, interval);
    };
    this.heartbeatTimer = this.options.clock.setTimeout(tick, interval);
  }

  private scheduleReconnect(): void {
    if (this.destroyed || this.intentional || this.reconnectTimer !== null) return;
    const max = this.options.maxReconnectAttempts;
    if (max > 0 && this.attempt >= max) {
      this.setState('error');
      this.emit('error', new ConnectionError(`gave up after ${max} reconnect attempts`, 'MAX_RECONNECT_ATTEMPTS', { retryable: false }));
      return;
    }
    const delay = backoffDelay(this.attempt, this.options.reconnectDelay, this.options.maxReconnectDelay, this.options.random);
    this.attempt++;
    this.log(`reconnecting in ${delay} ms (attempt ${this.attempt})`);
    this.reconnectTimer = this.options.clock.setTimeout(() => {
      this.reconnectTimer = null;
      this.reconnecting = true;
      void this.open();
    }, delay);
  }
}
