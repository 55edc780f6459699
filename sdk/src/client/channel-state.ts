/**
 * What the client knows about one subscribed channel: its listeners, the last
 * seq handed to the app, and a small window of recent ids (for brokers that
 * send no seq). This is where duplicates are stopped.
 */
import type { Message, PresenceMember, SubscriptionOptions } from '../types.js';

const RECENT_IDS = 512;

export type Verdict = 'deliver' | 'duplicate' | 'gap';

export class ChannelState {
  readonly listeners = new Set<SubscriptionOptions>();
  /** Highest seq handed to the app (or the head at subscribe time). */
  lastSeq: number | null = null;
  epoch: string | null = null;
  confirmed = false;
  /** A resubscribe to fill a gap is in flight. */
  resyncing = false;
  /** The first subscribe resumes from a `since` position (even with replayOnReconnect off). */
  fromSince = false;
  /** Presence members by client id (channels the token grants `presence` on). */
  readonly members = new Map<string, PresenceMember>();
  private readonly recent: string[] = [];
  private readonly recentSet = new Set<string>();

  constructor(readonly channel: string) {}

  /** Decides what to do with an incoming message; advances `lastSeq` when delivering. */
  accept(message: Message): Verdict {
    if (message.seq !== undefined) {
      if (this.lastSeq !== null && message.seq <= this.lastSeq) return 'duplicate';
      if (this.lastSeq !== null && message.seq > this.lastSeq + 1) return 'gap';
      this.lastSeq = message.seq;
      return 'deliver';
    }
    if (this.recentSet.has(message.id)) return 'duplicate';
    this.recent.push(message.id);
    this.recentSet.add(message.id);
    if (this.recent.length > RECENT_IDS) this.recentSet.delete(this.recent.shift()!);
    return 'deliver';
  }
}
