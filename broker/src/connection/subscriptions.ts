/** A shard's subscriptions, indexed both ways: by channel (fan-out) and by socket (close, limits). */
import type { Entry } from '../rpc';
import type { Outflow } from './outflow';

export interface Subscription<S> {
  /** The socket (the latest reference the runtime gave us). */
  ws: S;
  /** The socket's connection id: subscriptions are keyed by it, not by object identity, which hibernation does not keep. */
  id: string;
  /** The socket's output (shared by all its subscriptions). */
  out: Outflow;
  live: boolean;
  presence: boolean;
  /** Highest seq sent to this socket on this channel (0: none yet). */
  lastSeq: number;
  buffer: Entry[];
  overflowed: boolean;
}

export class Subscriptions<S> {
  /** channel → connection id → subscription */
  private readonly byChannel = new Map<string, Map<string, Subscription<S>>>();
  /** connection id → channel → subscription */
  private readonly bySocket = new Map<string, Map<string, Subscription<S>>>();

  /** The channel's subscriptions here, by connection id. */
  get(channel: string): ReadonlyMap<string, Subscription<S>> | undefined {
    return this.byChannel.get(channel);
  }

  /** The socket's subscriptions, by channel. */
  ofSocket(id: string): ReadonlyMap<string, Subscription<S>> | undefined {
    return this.bySocket.get(id);
  }

  count(channel: string): number {
    return this.byChannel.get(channel)?.size ?? 0;
  }

  total(): number {
    let n = 0;
    for (const map of this.byChannel.values()) n += map.size;
    return n;
  }

  add(channel: string, sub: Subscription<S>): void {
    let map = this.byChannel.get(channel);
    if (map === undefined) {
      map = new Map();
      this.byChannel.set(channel, map);
    }
    map.set(sub.id, sub);
    let mine = this.bySocket.get(sub.id);
    if (mine === undefined) {
      mine = new Map();
      this.bySocket.set(sub.id, mine);
    }
    mine.set(channel, sub);
  }

  remove(id: string, channel: string): Subscription<S> | undefined {
    const map = this.byChannel.get(channel);
    const sub = map?.get(id);
    if (sub === undefined) return undefined;
    map!.delete(id);
    if (map!.size === 0) this.byChannel.delete(channel);
    const mine = this.bySocket.get(id);
    mine?.delete(channel);
    if (mine !== undefined && mine.size === 0) this.bySocket.delete(id);
    return sub;
  }
}
