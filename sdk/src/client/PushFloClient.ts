/**
 * The browser (and Node, and Workers) client: one connection (a WebSocket, or
 * SSE where WebSockets are blocked), many channels,
 * automatic reconnect with backoff, and lossless resume: after any number of
 * drops, each channel continues from the last seq the app saw, and the app
 * sees every message exactly once, in order.
 *
 * The pieces: `Connection` (transport, heartbeat, backoff, token refresh),
 * one `ChannelSubscription` per channel (seq, epoch, gaps, presence), the
 * `Transport` interface (`WebSocketTransport`, `SseTransport`, and
 * `AutoTransport` choosing between them) and the queue of client
 * events sent while disconnected. This class wires them to the public API.
 */
import { eventTypeProblem, isPlainObject, ErrorCode, type ClientFrame, type PublishFrame } from '../protocol/index.js';
import { ClientErrorCode, ValidationError } from '../errors.js';
import type {
  TransportName,
  ClientEventOptions,
  ClientOptions,
  ConnectionInfo,
  ConnectionState,
  GapInfo,
  Message,
  PresenceEvent,
  PresenceMember,
  SubscribeSince,
  Subscription,
  SubscriptionOptions,
} from '../types.js';
import { assertChannelName } from '../validation.js';
import { Connection, type ConnectionHandler } from './connection.js';
import { Emitter, safeCall } from './emitter.js';
import { ClientEventQueue } from './event-queue.js';
import { resolveOptions, type ResolvedOptions } from './options.js';
import { errorFromFrame, type IncomingConnected, type IncomingError, type IncomingFrame } from './server-frames.js';
import { ChannelSubscription, type ChannelHost } from './subscription.js';
import { TokenSource } from './token-source.js';
import { transports } from './transports.js';
import type { Transport } from './transport.js';

export { MAX_QUEUED_EVENTS } from './event-queue.js';

/**
 * Events a client emits.
 * @example
 * ```ts
 * client.on('gap', ({ channel }) => refetch(channel));
 * client.on('error', (err) => console.warn(err));
 * ```
 */
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
    throw new ValidationError('since.seq must be an integer ≥ 0', ClientErrorCode.INVALID_SINCE);
  }
  if (since.epoch !== undefined && since.epoch !== null && typeof since.epoch !== 'string') {
    throw new ValidationError('since.epoch must be a string', ClientErrorCode.INVALID_SINCE);
  }
}

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
  private readonly options: ResolvedOptions;
  private readonly connection: Connection;
  private readonly channels = new Map<string, ChannelSubscription>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private readonly queue = new ClientEventQueue();
  private readonly host: ChannelHost;
  private id: string | null = null;
  /** The transport of the latest connection attempt. */
  private current: Transport | null = null;

  constructor(options: ClientOptions) {
    super();
    this.options = resolveOptions(options);
    const o = this.options;
    const log = (...args: unknown[]) => this.log(...args);
    this.host = {
      send: (frame) => this.connection.send(frame),
      now: () => o.clock.now(),
      log,
      message: (m) => this.emit('message', m),
      gap: (g) => this.emit('gap', g),
      presence: (channel, members, event) => this.emit('presence', channel, members, event),
    };
    const handler: ConnectionHandler = {
      state: (state) => {
        for (const listener of [...this.stateListeners]) safeCall(listener, state);
      },
      connected: (frame) => this.onConnected(frame),
      frame: (frame) => this.onFrame(frame),
      disconnected: (reason) => {
        for (const sub of this.channels.values()) sub.reset();
        this.emit('disconnected', reason);
      },
      error: (error) => this.emit('error', error),
    };
    const makeTransport = transports(o, log);
    this.connection = new Connection(
      {
        baseUrl: o.baseUrl,
        tokens: new TokenSource(o.token, o.publishKey, o.tokenProvider, o.clock),
        transport: () => (this.current = makeTransport()),
        clock: o.clock,
        random: o.random,
        connectionTimeout: o.connectionTimeout,
        heartbeatInterval: o.heartbeatInterval,
        autoReconnect: o.autoReconnect,
        maxReconnectAttempts: o.maxReconnectAttempts,
        reconnectDelay: o.reconnectDelay,
        maxReconnectDelay: o.maxReconnectDelay,
        log,
      },
      handler,
    );
    if (options.autoConnect) this.connect().catch((err: unknown) => this.log('auto-connect failed', err));
  }

  /** Current state: `disconnected | connecting | connected | error`. */
  get connectionState(): ConnectionState {
    return this.connection.state;
  }

  /**
   * The transport the open connection runs on: `websocket`, or `sse` (with
   * `transport: 'auto'` after a fallback, or `transport: 'sse'`); null while
   * not connected.
   *
   * @example
   * ```ts
   * client.on('connected', () => (badge.title = `via ${client.transport}`));
   * ```
   */
  get transport(): TransportName | null {
    if (this.connection.state !== 'connected' || this.current === null) return null;
    return this.current.name === 'sse' ? 'sse' : 'websocket';
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
    return this.connection.connect();
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
    this.connection.disconnect();
  }

  /**
   * Disconnects and releases everything: subscriptions, listeners, timers.
   * @example
   * ```ts
   * useEffect(() => () => client.destroy(), []);
   * ```
   */
  destroy(): void {
    this.connection.destroy();
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
    if (options.since !== undefined) assertSince(options.since);
    const listener: SubscriptionOptions = { ...options };
    const existing = this.channels.get(channel);
    if (existing === undefined) {
      const sub = new ChannelSubscription(channel, this.host, options.since);
      this.channels.set(channel, sub);
      sub.listeners.add(listener);
      if (this.connection.state === 'connected') sub.sendSubscribe(false);
    } else {
      existing.addListener(listener);
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
    const sub = this.channels.get(channel);
    if (sub === undefined) return;
    for (const listener of [...sub.listeners]) this.removeListener(channel, listener);
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
   * @throws {ValidationError} bad channel, event or data
   * @throws {PushFloError} `QUEUE_FULL` when not connected and 100 events already wait
   * @example
   * ```ts
   * client.publish('chat:room-42', 'user-typing', { typing: true }, { echo: false, ephemeral: true });
   * ```
   */
  publish(channel: string, event: string, data: Record<string, unknown>, options: ClientEventOptions = {}): void {
    assertChannelName(channel);
    const eventProblem = eventTypeProblem(event);
    if (eventProblem !== null) throw new ValidationError(eventProblem.replace('eventType', 'event'), ErrorCode.INVALID_EVENT_TYPE);
    if (!isPlainObject(data)) throw new ValidationError('data must be a JSON object', ErrorCode.INVALID_CONTENT);
    const frame: PublishFrame = { type: 'publish', channel, event, data };
    if (options.echo !== undefined) frame.echo = options.echo;
    if (options.ephemeral !== undefined) frame.ephemeral = options.ephemeral;
    if (this.connection.send(frame satisfies ClientFrame)) return;
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
    return this.channels.get(channel)?.presence() ?? [];
  }

  // ------------------------------------------------------------------ internals

  private log(...args: unknown[]): void {
    if (this.options.debug) console.debug('[PushFlo]', ...args);
  }

  private onConnected(frame: IncomingConnected): void {
    this.id = frame.clientId;
    for (const sub of this.channels.values()) sub.sendSubscribe(this.options.replayOnReconnect);
    for (const queued of this.queue.drain()) this.connection.send(queued satisfies ClientFrame);
    this.emit('connected', {
      clientId: frame.clientId,
      timestamp: frame.timestamp ?? this.options.clock.now(),
      transport: this.transport ?? 'websocket',
    });
  }

  private onFrame(frame: IncomingFrame): void {
    switch (frame.type) {
      case 'subscribed':
        this.channels.get(frame.channel)?.onSubscribed(frame);
        return;
      case 'message':
        this.channels.get(frame.channel)?.onMessage(frame);
        return;
      case 'presence':
        this.channels.get(frame.channel)?.onPresence(frame);
        return;
      case 'error':
        this.onErrorFrame(frame);
        return;
      default: // unsubscribed: the client already forgot the channel
        return;
    }
  }

  private onErrorFrame(frame: IncomingError): void {
    const error = errorFromFrame(frame);
    if (frame.channel !== undefined) this.channels.get(frame.channel)?.onError(error);
    // While connecting it is a refusal: the attempt fails (and reports it); otherwise report it here.
    if (!this.connection.refuse(error)) this.emit('error', error);
  }

  private removeListener(channel: string, listener: SubscriptionOptions): void {
    const sub = this.channels.get(channel);
    if (sub === undefined || !sub.listeners.delete(listener)) return;
    if (sub.listeners.size === 0) {
      this.channels.delete(channel);
      this.connection.send({ type: 'unsubscribe', channel } satisfies ClientFrame);
    }
    safeCall(listener.onUnsubscribed);
  }
}
