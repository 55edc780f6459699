/**
 * The browser (and Node, and Workers) client: one WebSocket, many channels,
 * automatic reconnect with backoff, and lossless resume: after any number of
 * drops, each channel continues from the last seq the app saw, and the app
 * sees every message exactly once, in order.
 */
import {
  eventTypeProblem,
  isPlainObject,
  isTerminalClose,
  type ClientFrame,
  type PresenceFrame,
  type PublishFrame,
  type ErrorFrame,
  type MessageFrame,
  type ServerFrame,
  type SubscribedFrame,
  type SubscribeFrame,
} from '../protocol/index.js';
import { AuthenticationError, ConnectionError, PushFloError, ValidationError } from '../errors.js';
import type {
  ClientEventOptions,
  ClientOptions,
  Clock,
  ConnectionInfo,
  ConnectionState,
  GapInfo,
  Message,
  PresenceEvent,
  PresenceMember,
  SubscribeSince,
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
  /** Presence changed on a channel. */
  presence: [channel: string, members: PresenceMember[], event: PresenceEvent];
}

/** Checks a `since` option before anything is sent. */
function assertSince(since: SubscribeSince): void {
  if (typeof since !== 'object' || since === null || !Number.isSafeInteger(since.seq) || since.seq < 0) {
    throw new ValidationError('since.seq must be an integer ≥ 0', 'INVALID_SINCE');
  }
  if (since.epoch !== undefined && since.epoch !== null && typeof since.epoch !== 'string') {
    throw new ValidationError('since.epoch must be a string', 'INVALID_SINCE');
  }
}

/** Client events queued while not connected, at most. */
export const MAX_QUEUED_EVENTS = 100;
/** Refresh a token this long before it expires (ms). */
const REFRESH_BEFORE_MS = 60_000;

interface Resolved {
  publishKey: string | null;
  token: string | null;
  tokenProvider: (() => Promise<string>) | null;
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
  private refreshTimer: unknown = null;
  private token: string | null;
  private pingInterval: number;
  private readonly queue: PublishFrame[] = [];

  constructor(options: ClientOptions) {
    super();
    const hasAuth = options?.token !== undefined || options?.authUrl !== undefined || options?.authCallback !== undefined;
    if (!options || (!options.publishKey && !hasAuth)) {
      throw new AuthenticationError('publishKey is required (or token / authUrl / authCallback)', 'MISSING_PUBLISH_KEY');
    }
    if (options.publishKey && !/^(pub|sec|mgmt)_/.test(options.publishKey)) {
      throw new AuthenticationError("publishKey must start with 'pub_' (or 'sec_'/'mgmt_' on servers)", 'INVALID_API_KEY');
    }
    const authUrl = options.authUrl;
    const tokenProvider =
      options.authCallback ??
      (authUrl === undefined
        ? null
        : async () => {
            const res = await fetch(authUrl, { method: 'POST', credentials: 'include', headers: { Accept: 'application/json', ...options.authHeaders } });
            if (!res.ok) throw new AuthenticationError(`authUrl answered ${res.status}`, res.status === 401 || res.status === 403 ? 'UNAUTHORIZED' : 'AUTH_FAILED');
            const body = (await res.json()) as { token?: unknown };
            if (typeof body.token !== 'string') throw new AuthenticationError("authUrl must answer JSON { token: '…' }", 'AUTH_FAILED');
            return body.token;
          });
    this.token = options.token ?? null;
    this.pingInterval = options.heartbeatInterval ?? 25_000;
    this.options = {
      publishKey: options.publishKey ?? null,
      token: options.token ?? null,
      tokenProvider,
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
    if (options.since !== undefined) assertSince(options.since);
    if (state === undefined) {
      state = new ChannelState(channel);
      if (options.since !== undefined) {
        state.lastSeq = options.since.seq;
        state.epoch = options.since.epoch ?? null;
        state.fromSince = true;
      }
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

  /**
   * Publishes a client event over the socket (typing indicators, player
   * moves): no HTTP call. Needs a token granting `publish` on the channel.
   * While disconnected, up to 100 events are queued and sent on reconnect;
   * refusals (no grant, rate limit) arrive as errors on the channel's
   * subscriptions and the `error` event.
   *
   * @throws {ValidationError} bad channel, event or data, or a full queue
   * @example
   * ```ts
   * client.publish('chat:room-42', 'user-typing', { typing: true }, { echo: false, ephemeral: true });
   * ```
   */
  publish(channel: string, event: string, data: Record<string, unknown>, options: ClientEventOptions = {}): void {
    assertChannelName(channel);
    const eventProblem = eventTypeProblem(event);
    if (eventProblem !== null) throw new ValidationError(eventProblem.replace('eventType', 'event'), 'INVALID_EVENT_TYPE');
    if (!isPlainObject(data)) throw new ValidationError('data must be a JSON object', 'INVALID_CONTENT');
    const frame: PublishFrame = { type: 'publish', channel, event, data };
    if (options.echo !== undefined) frame.echo = options.echo;
    if (options.ephemeral !== undefined) frame.ephemeral = options.ephemeral;
    if (this.state === 'connected' && this.send(frame satisfies ClientFrame)) return;
    if (this.queue.length >= MAX_QUEUED_EVENTS) {
      throw new PushFloError(`not connected and ${MAX_QUEUED_EVENTS} client events are already queued`, 'QUEUE_FULL', { retryable: true });
    }
    this.queue.push(frame);
  }

  /**
   * Current presence members of a channel (client ids with their `info`).
   * @example
   * ```ts
   * const online = client.presence('chat:room-42').map((m) => m.data?.name);
   * ```
   */
  presence(channel: string): PresenceMember[] {
    return [...(this.channels.get(channel)?.members.values() ?? [])];
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

  private clearTimer(name: 'connectTimer' | 'heartbeatTimer' | 'reconnectTimer' | 'refreshTimer'): void {
    if (this[name] !== null) {
      this.options.clock.clearTimeout(this[name]);
      this[name] = null;
    }
  }

  private wsUrl(): string {
    const base = this.options.baseUrl.replace(/^http(s?):\/\//, 'ws$1://');
    return `${base}/ws?token=${encodeURIComponent(this.token ?? this.options.publishKey ?? '')}`;
  }

  /** Seconds-since-epoch expiry of the current token, or null. */
  private tokenExpiry(): number | null {
    if (this.token === null) return null;
    try {
      const payload = this.token.split('.')[1] ?? '';
      const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (payload.length % 4)) % 4));
      const exp = (JSON.parse(json) as { exp?: unknown }).exp;
      return typeof exp === 'number' ? exp : null;
    } catch {
      return null;
    }
  }

  /** Gets a token from the provider when there is none or it is about to expire. */
  private async ensureToken(): Promise<void> {
    const provider = this.options.tokenProvider;
    if (provider === null) return;
    const exp = this.tokenExpiry();
    if (this.token !== null && exp !== null && exp * 1000 - this.options.clock.now() > REFRESH_BEFORE_MS) return;
    this.token = await provider();
  }

  /** Refreshes the token over the open socket shortly before it expires. */
  private scheduleRefresh(): void {
    this.clearTimer('refreshTimer');
    const exp = this.tokenExpiry();
    if (this.options.tokenProvider === null || exp === null) return;
    const lifetime = exp * 1000 - this.options.clock.now();
    const delay = Math.max(1_000, Math.min(lifetime - REFRESH_BEFORE_MS, lifetime / 2));
    this.refreshTimer = this.options.clock.setTimeout(() => {
      this.refreshTimer = null;
      this.options.tokenProvider!()
        .then((token) => {
          this.token = token;
          this.send({ type: 'auth', token } satisfies ClientFrame);
        })
        .catch((err: unknown) => {
          this.emit('error', err instanceof Error ? err : new AuthenticationError(String(err), 'AUTH_FAILED'));
          this.refreshTimer = this.options.clock.setTimeout(() => this.scheduleRefresh(), 5_000);
        });
    }, delay);
  }

  private open(): Promise<void> {
    if (this.options.tokenProvider !== null) {
      // Get a token first; then open the socket as usual.
      let resolve!: () => void;
      let reject!: (err: Error) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      promise.catch(() => undefined);
      this.pending = { promise, resolve, reject };
      this.setState('connecting');
      this.ensureToken().then(
        () => {
          if (this.pending?.promise !== promise) return; // disconnected meanwhile
          this.pending = null;
          this.openSocket().then(resolve, reject);
        },
        (err: unknown) => {
          if (this.pending?.promise !== promise) return;
          this.connectFailed(err instanceof Error ? err : new AuthenticationError(String(err), 'AUTH_FAILED'), true);
        },
      );
      return promise;
    }
    return this.openSocket();
  }

  private openSocket(): Promise<void> {
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
    this.clearTimer('refreshTimer');
    const ws = this.ws;
    this.ws = null;
    if (ws === null) return;
    ws.onmessage = null;
    ws.onclose = null;
    ws.onerror = null;
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
    if ((resume || state.fromSince) && state.lastSeq !== null) {
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
        if (typeof frame.pingInterval === 'number' && frame.pingInterval > 0) {
          this.pingInterval = Math.min(this.options.heartbeatInterval, frame.pingInterval);
        }
        return this.onConnected(frame.clientId, frame.timestamp);
      case 'presence':
        return this.onPresence(frame);
      case 'authenticated':
        this.scheduleRefresh();
        return;
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
    for (const frame of this.queue.splice(0)) this.send(frame satisfies ClientFrame);
    this.scheduleRefresh();
    this.emit('connected', { clientId: clientId ?? '', timestamp: timestamp ?? this.options.clock.now() });
    pending?.resolve();
  }

  private onSubscribed(frame: SubscribedFrame): void {
    const state = this.channels.get(frame.channel);
    if (state === undefined) return;
    state.confirmed = true;
    state.resyncing = false;
    state.fromSince = false;
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
    if (frame.clientEvent === true) message.clientEvent = true;
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

  private onPresence(frame: PresenceFrame): void {
    const state = this.channels.get(frame.channel);
    if (state === undefined) return;
    let event: PresenceEvent;
    if (frame.action === 'sync') {
      state.members.clear();
      for (const m of frame.members) state.members.set(m.clientId, m);
      event = { action: 'sync', members: frame.members };
    } else {
      if (frame.action === 'join') {
        if (state.members.has(frame.member.clientId)) return; // already known (sync raced the join)
        state.members.set(frame.member.clientId, frame.member);
      } else if (!state.members.delete(frame.member.clientId)) {
        return;
      }
      event = { action: frame.action, member: frame.member };
    }
    const members = [...state.members.values()];
    for (const listener of [...state.listeners]) safeCall(listener.onPresence, members, event);
    this.emit('presence', frame.channel, members, event);
  }

  private onErrorFrame(frame: ErrorFrame): void {
    const text = frame.error ?? 'unknown error';
    const error =
      frame.code === 'UNAUTHORIZED' || frame.code === 'INVALID_TOKEN' || frame.code.startsWith('TOKEN_')
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
    const interval = this.pingInterval;
    const tick = () => {
      this.heartbeatTimer = null;
      if (this.state !== 'connected') return;
      if (this.options.clock.now() - this.lastFrameAt >= 2 * this.pingInterval) {
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
