/**
 * What a shard hands the runtime for one socket: frame coalescing for clients
 * that opted in, and the slow-consumer cap.
 *
 * **Coalescing.** A socket opened with `coalesce=1` in its URL may get several
 * server frames in one WebSocket text message, joined by `\n` (JSON.stringify
 * never emits a raw newline, so the receiver splits on it). Every other
 * socket gets exactly one frame per message. See `COALESCE_QUERY_PARAM` in
 * the protocol module.
 *
 * **Slow consumers.** workerd exposes nothing about a socket's unwritten
 * output: no `bufferedAmount`, no completion of `send()`, no backpressure;
 * everything handed to `send()` waits in the runtime's own unbounded queue
 * (and a `close()` is queued behind it). What the shard can see is what it
 * handed over and when the client last sent something. So the cap is on
 * output handed to the socket since the client last showed it is alive: any
 * frame, or a ping the runtime answered by itself. Past `slowConsumerBytes`
 * the socket is closed with `4002` (SLOW_CONSUMER) and gets nothing more; its
 * client resumes from history. A stalled client thus costs at most the cap
 * (plus the batch being written); a reading client pings (the SDKs every
 * 8–25 s), which resets the count.
 */

/** Per-socket output state (in memory; a shard that hibernated had nothing in flight). */
export class Outflow {
  /** Characters handed to the runtime since the client last showed it is alive (bytes, for ASCII JSON). */
  unconfirmed = 0;
  /** When `unconfirmed` was last reset (ms). */
  confirmedAt: number;
  /** Closed as a slow consumer: nothing more is sent. */
  closed = false;

  constructor(
    /** The client asked for coalesced frames (`coalesce=1`). */
    readonly coalesce: boolean,
    now: number,
  ) {
    this.confirmedAt = now;
  }

  /** A frame arrived from the client. */
  heard(now: number): void {
    this.unconfirmed = 0;
    this.confirmedAt = now;
  }
}

/** Most characters in one coalesced WebSocket message (a larger single frame still goes alone). */
export const MAX_COALESCED_CHARS = 64 * 1024;

/** Joins frames into one WebSocket message for a coalescing socket. */
export function joinFrames(texts: string[]): string {
  return texts.length === 1 ? texts[0]! : texts.join('\n');
}
