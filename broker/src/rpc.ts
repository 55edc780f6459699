/**
 * The contract between connection shards and channel objects: what crosses
 * the RPC boundary in either direction. Both sides (and the logic classes,
 * `Hub` and `Channel`) import it from here, never from each other's adapters.
 */
import type { PresenceMember, RecoveryFailure } from '@pushflodev/sdk/protocol';

/**
 * A frame ready to send, serialised once. Sequenced messages carry `seq`;
 * unsequenced frames (ephemeral client events, presence) do not.
 */
export interface Entry {
  seq?: number;
  frame: string;
  /** A connection that must not get this frame (a client event's sender, with echo off). */
  except?: string;
  /** When the message was accepted (ms): shards measure delivery latency from it. */
  at?: number;
}

/** One message to publish on a channel (API publish, batch item or client event). */
export interface PublishInput {
  eventType: string;
  /** Content as JSON text (already validated as an object under the size limit). */
  data: string;
  clientId: string;
  /** A retried publish with the same key answers the first result instead of publishing again. */
  idempotencyKey?: string;
  /** Published by a client over its socket. */
  clientEvent?: boolean;
  /** Not stored, not sequenced (client events only). */
  ephemeral?: boolean;
  /** Connection that must not receive it (client events with echo off). */
  except?: string;
}

/** A presence connection: one socket (tab) of a member. */
export interface Connection {
  connectionId: string;
  clientId: string;
  /** Presence data as JSON text (from the token's `info`), or null. */
  data: string | null;
}

export interface JoinOptions {
  lastSeq?: number;
  epoch?: string;
  /** Join presence as this connection. */
  member?: Connection;
  /** A replay longer than this (characters of frames) is refused as `too_far_behind` (the socket could not take it). */
  maxReplayChars?: number;
}

export interface JoinResult {
  epoch: string;
  /** Latest seq at the moment the shard joined. */
  head: number;
  /** Present when the caller asked to resume. */
  recovered?: boolean;
  reason?: RecoveryFailure;
  /** Missed messages, in order, when recovered. */
  replay: Entry[];
  /** Presence members, when the caller joined presence. */
  members?: PresenceMember[];
}

export interface ChannelStats {
  name: string | null;
  head: number;
  epoch: string;
  messageCount: number;
  subscribers: number;
  shards: number;
  members: number;
  createdAt: number | null;
}

/** What a channel calls on a shard. */
export interface ShardPort {
  /** Delivers entries in order; resolves to the shard's subscriber count for the channel. */
  deliver(shard: string, entries: Entry[]): Promise<number>;
  /** Tells a shard to drop the channel's sockets so they resume from history. */
  evict(shard: string): Promise<void>;
}
