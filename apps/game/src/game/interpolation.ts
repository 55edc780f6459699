/**
 * Smooth remote players: positions arrive at up to 20 Hz, frames are drawn
 * at 60. Each remote player is drawn `RENDER_DELAY_MS` in the past, between
 * the two received positions around that moment, so motion never stutters
 * and never guesses ahead.
 */
import { RENDER_DELAY_MS, type Point } from '../../shared/rules.ts';

interface Sample extends Point {
  /** Local receive time (ms): the sender's clock is not ours. */
  t: number;
}

const KEEP_MS = 1000;

export class Interpolator {
  private samples: Sample[] = [];

  constructor(start: Point, now: number) {
    this.samples.push({ x: start.x, y: start.y, t: now - KEEP_MS });
  }

  /** A received position. */
  push(p: Point, now: number): void {
    this.samples.push({ x: p.x, y: p.y, t: now });
    // Keep the samples the render time can still reach, and always two.
    while (this.samples.length > 2 && this.samples[1]!.t < now - KEEP_MS) this.samples.shift();
  }

  /** Jump straight to a position (a snapshot or an authoritative correction). */
  reset(p: Point, now: number): void {
    this.samples = [{ x: p.x, y: p.y, t: now - KEEP_MS }];
  }

  /** Where to draw the player at `now`. */
  at(now: number, delay = RENDER_DELAY_MS): Point {
    const t = now - delay;
    const s = this.samples;
    const last = s[s.length - 1]!;
    if (t >= last.t) return { x: last.x, y: last.y };
    for (let i = s.length - 1; i > 0; i--) {
      const a = s[i - 1]!;
      const b = s[i]!;
      if (t >= a.t) {
        const k = b.t === a.t ? 1 : (t - a.t) / (b.t - a.t);
        return { x: a.x + (b.x - a.x) * k, y: a.y + (b.y - a.y) * k };
      }
    }
    return { x: s[0]!.x, y: s[0]!.y };
  }

  /** The newest received position. */
  latest(): Point {
    const last = this.samples[this.samples.length - 1]!;
    return { x: last.x, y: last.y };
  }
}
