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
import { CloseCode } from '@pushflodev/sdk/protocol';
import type { Entry } from '../rpc';
import type { HubHost, HubSocket, SocketMeta } from './hub-types';

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

/** What `sendEntries` needs of a subscription. */
export interface Recipient<S> {
  ws: S;
  /** Connection id (entries with `except` equal to it are skipped). */
  id: string;
  out: Outflow;
  /** Highest seq sent on this subscription: anything at or below is skipped. */
  lastSeq: number;
}

/**
 * One delivery batch as sent to every coalescing subscriber that takes all of
 * it: joined once per batch, not once per socket.
 */
export interface SharedBatch {
  joined: string[] | null;
}

/** The batch's frames joined into messages of at most MAX_COALESCED_CHARS. */
function joinAll(entries: Entry[]): string[] {
  const out: string[] = [];
  let texts: string[] = [];
  let chars = 0;
  for (const entry of entries) {
    if (texts.length > 0 && chars + entry.frame.length > MAX_COALESCED_CHARS) {
      out.push(joinFrames(texts));
      texts = [];
      chars = 0;
    }
    texts.push(entry.frame);
    chars += entry.frame.length + 1;
  }
  if (texts.length > 0) out.push(joinFrames(texts));
  return out;
}

/** The output of every socket of one shard. */
export class Output<S extends HubSocket> {
  /** connection id → output state */
  private readonly flows = new Map<string, Outflow>();

  constructor(
    private readonly host: Pick<HubHost<S>, 'meta' | 'now' | 'lastPing' | 'onSlowConsumer'>,
    private readonly capChars: number,
    /** Called after a socket was closed as a slow consumer, to drop its subscriptions. */
    private readonly closed: (ws: S) => void,
  ) {}

  /** The socket's output state, created on first use (also after hibernation). */
  of(ws: S, meta: SocketMeta = this.host.meta(ws)): Outflow {
    let out = this.flows.get(meta.id);
    if (out === undefined) {
      out = new Outflow(meta.coalesce === true, this.host.now());
      this.flows.set(meta.id, out);
    }
    return out;
  }

  forget(id: string): void {
    this.flows.delete(id);
  }

  /**
   * Hands one WebSocket message to the runtime, counting it against the cap.
   * False when the socket is closed (or closing): stop sending to it.
   */
  write(ws: S, out: Outflow, text: string): boolean {
    if (out.closed) return false;
    out.unconfirmed += text.length;
    if (out.unconfirmed > this.capChars) {
      // Over the cap: fine only if the runtime answered a ping since the count was last reset.
      const ping = this.host.lastPing?.(ws) ?? null;
      if (ping !== null && ping >= out.confirmedAt) {
        out.heard(this.host.now());
        out.unconfirmed = text.length;
      } else {
        this.slowConsumer(ws, out);
        return false;
      }
    }
    try {
      ws.send(text);
      return true;
    } catch {
      return false; // the socket is closing; its close handler cleans up
    }
  }

  /** Sends a subscription its entries in order, each sequenced one at most once; coalesced when the socket asked. */
  sendEntries(sub: Recipient<S>, entries: Entry[], shared?: SharedBatch): void {
    if (sub.out.coalesce && entries.length > 1) {
      if (shared !== undefined && this.takesAll(sub, entries)) {
        shared.joined ??= joinAll(entries);
        for (const e of entries) if (e.seq !== undefined) sub.lastSeq = e.seq;
        for (const text of shared.joined) if (!this.write(sub.ws, sub.out, text)) return;
        return;
      }
      this.sendCoalesced(sub, entries);
      return;
    }
    for (const entry of entries) {
      if (entry.except === sub.id) continue;
      const seq = entry.seq;
      if (seq !== undefined) {
        if (seq <= sub.lastSeq) continue;
        sub.lastSeq = seq;
      }
      if (!this.write(sub.ws, sub.out, entry.frame)) return;
    }
  }

  /** True when the subscription gets every entry of the batch (seqs increase within a channel's batch). */
  private takesAll(sub: Recipient<S>, entries: Entry[]): boolean {
    for (const e of entries) {
      if (e.except === sub.id || (e.seq !== undefined && e.seq <= sub.lastSeq)) return false;
    }
    return true;
  }

  private sendCoalesced(sub: Recipient<S>, entries: Entry[]): void {
    let texts: string[] = [];
    let chars = 0;
    for (const entry of entries) {
      if (entry.except === sub.id) continue;
      const seq = entry.seq;
      if (seq !== undefined) {
        if (seq <= sub.lastSeq) continue;
        sub.lastSeq = seq;
      }
      if (texts.length > 0 && chars + entry.frame.length > MAX_COALESCED_CHARS) {
        if (!this.write(sub.ws, sub.out, joinFrames(texts))) return;
        texts = [];
        chars = 0;
      }
      texts.push(entry.frame);
      chars += entry.frame.length + 1;
    }
    if (texts.length > 0) this.write(sub.ws, sub.out, joinFrames(texts));
  }

  /** Closes a socket that was handed more than the cap without a sign of life; it resumes from history. */
  private slowConsumer(ws: S, out: Outflow): void {
    out.closed = true;
    const id = this.host.meta(ws).id;
    try {
      ws.close(CloseCode.SLOW_CONSUMER, 'too much unread output; reconnect and resume from your last seq');
    } catch {
      // already closing
    }
    this.host.onSlowConsumer?.(id);
    this.closed(ws);
  }
}
