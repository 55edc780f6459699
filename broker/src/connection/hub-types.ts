/**
 * The Hub's interfaces to its host (the ShardObject) and to sockets: what a
 * socket is, what survives hibernation about it, where subscriptions are
 * stored, and the limits the hub enforces.
 */
import type { Capability, ErrorCode, PublishResult, TokenCheck } from '@pushflodev/sdk/protocol';
import type { JoinOptions, JoinResult, PublishInput } from '../rpc';
import type { UplinkOptions } from './uplink';

export interface HubSocket {
  send(text: string): void;
  close(code: number, reason: string): void;
}

/** What survives hibernation about a socket, kept small (it lives in the socket's attachment). */
export interface SocketMeta {
  /** Connection id, unique per socket. */
  id: string;
  clientId: string;
  connectedAt: number;
  /** Last time a frame arrived from the client (updated coarsely). */
  seenAt: number;
  /** Opened with a token (rather than an API key). */
  token: boolean;
  /** Token expiry, ms since the epoch. */
  exp: number | null;
  /** Member of at least one presence channel: held to the shorter presence timeout. */
  presence: boolean;
  /** Opened with `coalesce=1`: may get several frames per WebSocket message (see outflow.ts). */
  coalesce?: boolean;
}

/** A token socket's grants. */
export interface SocketAuth {
  cap: Record<string, Capability[]>;
  /** Presence data as JSON text. */
  info: string | null;
}

/** Durable per-socket state beyond the attachment (subscriptions, grants), in the shard's SQLite. */
export interface HubStore {
  addSub(socketId: string, channel: string, presence: boolean): void;
  removeSub(socketId: string, channel: string): void;
  removeSocket(socketId: string): void;
  subs(): Array<{ socketId: string; channel: string; presence: boolean }>;
  setAuth(socketId: string, auth: SocketAuth): void;
  auths(): Map<string, SocketAuth>;
  /**
   * Highest seq this shard has handed its sockets per channel, so a shard
   * that wakes from hibernation still skips what they already have (a
   * hibernated shard had nothing in flight: every live socket had it all).
   */
  setSeq(channel: string, seq: number): void;
  forgetSeq(channel: string): void;
  seqs(): Map<string, number>;
}

/** What the hub needs from its host. */
export interface HubHost<S extends HubSocket> {
  meta(ws: S): SocketMeta;
  saveMeta(ws: S, meta: SocketMeta): void;
  store: HubStore;
  join(channel: string, subscribers: number, options: JoinOptions): Promise<JoinResult>;
  /** Reports the subscribers left here after a drop (0: stop sending), and presence connections that left. */
  leave(channel: string, subscribers: number, presenceConnections: string[]): Promise<void>;
  /** Publishes client events on a channel, in order, in one step. */
  publishMany(channel: string, inputs: PublishInput[]): Promise<PublishResult[]>;
  verifyToken(token: string): Promise<TokenCheck>;
  now(): number;
  /** Told about every error frame sent (for statistics). */
  countError?(code: ErrorCode): void;
  /** When the runtime last answered a ping on this socket by itself (ms), if it did. */
  lastPing?(ws: S): number | null;
  /** Told about every socket closed as a slow consumer (for statistics and logs). */
  onSlowConsumer?(socketId: string): void;
}

export interface HubLimits {
  maxSubscriptionsPerSocket: number;
  framesPerSecond: number;
  clientEventsPerSecond: number;
  /** Cap on frames buffered for one subscription while it is being set up. */
  maxPendingBuffer: number;
  /** Client events queued per channel on their way up, and per call (default 1,000 and 100). */
  uplink?: UplinkOptions;
  heartbeatTimeoutMs: number;
  presenceTimeoutMs: number;
  /** Output one socket may be handed without a frame from its client (see outflow.ts). */
  slowConsumerBytes: number;
}
