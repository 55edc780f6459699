/**
 * Decides when the local player's position goes out as a `player-moved`
 * client event: only while moving, at most once per `MOVE_INTERVAL_MS`
 * (20/s, the broker's per-socket limit), plus one final "stopped" event so
 * others see exactly where the player came to rest.
 */
import type { PlayerMovedEvent } from '../../shared/events.ts';
import { MOVE_INTERVAL_MS, type Point } from '../../shared/rules.ts';

export class MoveSender {
  private lastSentAt = -Infinity;
  private sent: Point | null = null;
  private stopPending = false;
  private n = 0;

  private readonly send: (move: PlayerMovedEvent) => void;
  private readonly intervalMs: number;

  constructor(send: (move: PlayerMovedEvent) => void, intervalMs = MOVE_INTERVAL_MS) {
    this.send = send;
    this.intervalMs = intervalMs;
  }

  /** Called every frame with the local player's position. */
  update(now: number, pos: Point, moving: boolean): void {
    if (moving) this.stopPending = true;
    const changed = this.sent === null || this.sent.x !== pos.x || this.sent.y !== pos.y;
    if (!changed && !(this.stopPending && !moving)) return;
    if (!moving && !this.stopPending) return;
    if (now - this.lastSentAt < this.intervalMs) return;
    this.lastSentAt = now;
    this.sent = { x: pos.x, y: pos.y };
    if (!moving) this.stopPending = false;
    this.send({ x: Math.round(pos.x * 10) / 10, y: Math.round(pos.y * 10) / 10, moving, n: ++this.n });
  }

  /** Moves sent so far. */
  get count(): number {
    return this.n;
  }
}
