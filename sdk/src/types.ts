/** Public types shared by the client, server and React entry points. */
import type { Capability, PresenceMember, RecoveryFailure } from './protocol/index.js';

export type { Capability, PresenceMember };

/** Socket state. `error` is terminal until you call `connect()` again. */
export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'error';

/** A message as your app receives it. */
export interface Message {
  /** Unique message id. */
  id: string;
  /** Channel it was published to. */
  channel: string;
  /** Event type, e.g. `order-shipped` (default `message`). */
  eventType: string;
  /** Publisher id (`server` for HTTP publishes). */
  clientId: string;
  /** The published JSON object. */
  content: Record<string, unknown>;
  /** Publish time, ms since the epoch. */
  timestamp: number;
  /** Per-channel sequence number (Switchyard brokers; absent on brokers without it, and on ephemeral client events). */
  seq?: number;
  /** True when another client published it over its socket (a client event). */
  clientEvent?: boolean;
}

/** A presence change on a channel. */
export type PresenceEvent = { action: 'sync'; members: PresenceMember[] } | { action: 'join' | 'leave'; member: PresenceMember };

/** Sent to `onGap` / the `gap` event when missed messages could not be replayed. */
export interface GapInfo {
  channel: string;
  /** Why: history trimmed (`retention`), reset (`epoch`) or too many missed (`too_far_behind`). */
  reason: RecoveryFailure;
  /** The channel's latest seq now; live messages continue after it. */
  seq: number;
}

/** Callbacks for one subscription. */
export interface SubscriptionOptions {
  /** Each message, once, in order. */
  onMessage?: (message: Message) => void;
  /** Errors for this channel (refused subscription, invalid name…). */
  onError?: (error: Error) => void;
  /** The broker confirmed the subscription (again after every reconnect). */
  onSubscribed?: () => void;
  /** The subscription ended. */
  onUnsubscribed?: () => void;
  /**
   * Messages were missed and can't be replayed (history no longer covers the
   * gap): refetch this channel's state from your backend.
   */
  onGap?: (gap: GapInfo) => void;
  /** Presence changed (channels your token grants `presence` on): the current members and what happened. */
  onPresence?: (members: PresenceMember[], event: PresenceEvent) => void;
  /**
   * Start from a known position instead of the live head: the first subscribe
   * asks for every message after `seq` (of `epoch`, when given), then live ones.
   * Pair it with a snapshot your backend stamped with the channel's seq, so
   * nothing falls between the snapshot and the stream. When history can't
   * cover it, `onGap` fires (refetch the snapshot). Honoured by the
   * subscription that opens the channel; later ones share its position.
   */
  since?: SubscribeSince;
}

/** A position in a channel's stream: the last seq already reflected (0 = from the start). */
export interface SubscribeSince {
  seq: number;
  /** The channel's epoch the seq belongs to; omit when unknown. */
  epoch?: string | null;
}

/** Handle returned by `subscribe`. */
export interface Subscription {
  channel: string;
  unsubscribe: () => void;
}

/** What `connected` tells you. */
export interface ConnectionInfo {
  clientId: string;
  timestamp: number;
  /** The transport this connection runs on. */
  transport: TransportName;
}

/**
 * How frames travel: a WebSocket, or Server-Sent Events down with HTTP POSTs
 * up (for networks that block WebSockets).
 */
export type TransportName = 'websocket' | 'sse';

/**
 * The `transport` option: `auto` (the default) uses the WebSocket and falls
 * back to SSE when it cannot open; `websocket` and `sse` use only that one.
 */
export type TransportOption = 'auto' | TransportName;

/** An EventSource constructor (for the SSE transport, instead of its `fetch` reader). */
export type EventSourceConstructor = new (url: string) => EventSource;

/** The parts of `setTimeout` and friends the client uses; injectable for tests. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** A WebSocket constructor (the global one by default). */
export type WebSocketConstructor = new (url: string) => WebSocket;

/** Options for `new PushFloClient(...)`. */
export interface ClientOptions {
  /** Publish key (`pub_…`), safe to ship to browsers. Not needed with `token`, `authUrl` or `authCallback`. */
  publishKey?: string;
  /** A signed token from your server (`PushFloServer.createToken`). */
  token?: string;
  /** Your endpoint that answers `{ token }` (POST, cookies included); used to get and refresh tokens. */
  authUrl?: string;
  /** Extra headers for `authUrl`. */
  authHeaders?: Record<string, string>;
  /** Returns a fresh token; called before connecting and before the current token expires. */
  authCallback?: () => Promise<string>;
  /** Broker URL, e.g. `http://127.0.0.1:8787`. Default `https://api.pushflo.dev`. */
  baseUrl?: string;
  /** Connect as soon as the client is created. Default false. */
  autoConnect?: boolean;
  /** Log protocol traffic to the console. Default false. */
  debug?: boolean;
  /** How long `connect()` waits for the broker (ms). Default 30000. */
  connectionTimeout?: number;
  /** Ping interval (ms); no answer within 2× drops and reconnects. Default 25000. */
  heartbeatInterval?: number;
  /** Reconnect after unexpected drops. Default true. */
  autoReconnect?: boolean;
  /** Give up after this many failed reconnects (0: never). Default 0. */
  maxReconnectAttempts?: number;
  /** First reconnect delay (ms); ×1.5 per try, ±25 % jitter. Default 1000. */
  reconnectDelay?: number;
  /** Longest reconnect delay (ms). Default 30000. */
  maxReconnectDelay?: number;
  /** After a reconnect, resume each channel from the last seq seen. Default true. */
  replayOnReconnect?: boolean;
  /**
   * `auto` (default): WebSocket, falling back to SSE (Server-Sent Events down,
   * HTTP POSTs up) when the WebSocket cannot open, as Pusher and Ably clients
   * do; after a fallback, reconnects go straight to SSE for 30 minutes, then try
   * the WebSocket again. `websocket` or `sse`: only that transport.
   */
  transport?: TransportOption;
  /** WebSocket implementation (default: the global one). */
  WebSocket?: WebSocketConstructor;
  /**
   * `fetch` for the SSE transport (default: the global one). The SSE stream is
   * read with it (streamed body), so HTTP refusals come with their status and code.
   */
  fetch?: typeof fetch;
  /**
   * An EventSource constructor: the SSE transport reads the stream with it
   * instead of `fetch` (e.g. `globalThis.EventSource`). EventSource hides the
   * HTTP status of a refused stream, so a refusal looks like a network failure.
   */
  EventSource?: EventSourceConstructor;
  /** Timer source (tests). */
  clock?: Clock;
  /** Random source for jitter (tests). */
  random?: () => number;
}

/** Options for `new PushFloServer(...)`. */
export interface ServerOptions {
  /** Secret (`sec_…`) or management (`mgmt_…`) key. Never ship it to browsers. */
  secretKey: string;
  /** Broker URL. Default `https://api.pushflo.dev`. */
  baseUrl?: string;
  /** Per-request timeout (ms). Default 30000. */
  timeout?: number;
  /** Attempts for network errors and 5xx (4xx are never retried; 429 only by `publish`/`publishBatch`, see `maxRetryAfter`). Default 3. */
  retryAttempts?: number;
  /**
   * Longest wait (ms) `publish` and `publishBatch` accept from a 429's
   * `Retry-After` before trying again (within `retryAttempts`). Asked to wait
   * longer, or still limited after the last attempt: a `RateLimitError`. Default 10000; 0 never waits.
   */
  maxRetryAfter?: number;
  /**
   * Where channel management goes (the public SDK's separate Console API).
   * Default: `baseUrl`, since a Switchyard broker serves both.
   */
  consoleUrl?: string;
  /** Log requests to the console. Default false. */
  debug?: boolean;
  /** fetch implementation (default: the global one). */
  fetch?: typeof fetch;
}

/** Options for `publish`. */
export interface PublishOptions {
  /** Event type; default `message`. */
  eventType?: string;
  /**
   * Makes a retried publish a no-op that answers the first result (kept ≥ 2
   * minutes). Without one, each `publish` call gets a fresh key, so the SDK's
   * own retries never duplicate; pass your own to make *your* retries safe too.
   */
  idempotencyKey?: string;
}

/** Options for client events (`client.publish`). */
export interface ClientEventOptions {
  /** Deliver to this socket too. Default true. */
  echo?: boolean;
  /** Do not store in history (typing indicators, cursor moves). Default false. */
  ephemeral?: boolean;
}

/** One message of `publishBatch`. */
export interface BatchMessage {
  channel: string;
  content: Record<string, unknown>;
  eventType?: string;
  /** Idempotency key for this message. */
  id?: string;
}

/** Options for `createToken`. */
export interface TokenOptions {
  /** Who the token is for; other clients see it as `clientId`. */
  clientId: string;
  /** Channel pattern (`*` wildcard) → capabilities, e.g. `{ 'chat:room-*': ['subscribe', 'publish', 'presence'] }`. */
  capabilities: Record<string, Capability[]>;
  /** Lifetime in seconds (default 3600, at most 86400). */
  ttlSeconds?: number;
  /** Shown to other presence members (≤ 1 KB), e.g. `{ name: 'Ana' }`. */
  info?: Record<string, unknown>;
}

/** What `publish` answers. */
export interface PublishResult {
  id: string;
  channelSlug: string;
  eventType?: string;
  clientId?: string;
  /** Subscribers the message is being delivered to. */
  delivered: number;
  createdAt?: string;
  /** Publish time, ms since the epoch. */
  timestamp?: number;
  /** Per-channel sequence number (Switchyard brokers). */
  seq?: number;
}

/** Options for `getMessageHistory`. */
export interface MessageHistoryOptions {
  page?: number;
  pageSize?: number;
  eventType?: string;
  /** Only messages after this time (ms). */
  after?: number;
  /** Only messages before this time (ms). */
  before?: number;
  /** `asc` (publish order, default) or `desc` (newest first). Switchyard brokers. */
  order?: 'asc' | 'desc';
}

/** Pagination of list answers. */
export interface Pagination {
  page: number;
  pageSize: number;
  total: number;
  totalPages: number;
}

/** A channel, as channel management returns it. */
export interface Channel {
  id: string;
  name: string;
  slug: string;
  description: string | null;
  isPrivate: boolean;
  metadata: Record<string, unknown> | null;
  messageCount: number;
  createdAt: string;
  updatedAt: string;
}

/** Input for `createChannel`. */
export interface ChannelInput {
  name: string;
  slug: string;
  description?: string;
  isPrivate?: boolean;
  metadata?: Record<string, unknown>;
}

/** Input for `updateChannel`. */
export interface ChannelUpdateInput {
  name?: string;
  description?: string | null;
  isPrivate?: boolean;
  metadata?: Record<string, unknown> | null;
}

/** Options for `listChannels`. */
export interface ListChannelsOptions {
  page?: number;
  pageSize?: number;
}
