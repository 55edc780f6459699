/**
 * The local player's side of the network: moves out as client events
 * (through `MoveSender`), a position report to the server about once a
 * second while moving, and a claim when touching a coin. Claims are only
 * claims: the score changes when the server's `score-updated` arrives.
 */
import type { PlayerMovedEvent } from '../../shared/events.ts';
import { HEARTBEAT_MS, type Point } from '../../shared/rules.ts';
import type { ArenaBridge } from './ArenaScene.ts';
import type { MatchState } from './match-state.ts';
import { MoveSender } from './move-sender.ts';

export interface LocalPlayerDeps {
  state: MatchState;
  publishMove: (move: PlayerMovedEvent) => void;
  reportPosition: (p: Point) => Promise<void>;
  /** Resolves when the server accepted the claim; rejects with an error carrying `code` otherwise. */
  claim: (coinId: string, p: Point) => Promise<void>;
}

export class LocalPlayer implements ArenaBridge {
  target: Point | null = null;
  readonly rendered = new Map<string, Point>();
  readonly claims = { sent: 0, won: 0, refused: 0, lastRefusal: null as string | null };
  readonly state: MatchState;
  private readonly moves: MoveSender;
  private readonly pending = new Set<string>();
  private lastReportAt = -Infinity;
  private reported: Point | null = null;

  private readonly deps: LocalPlayerDeps;

  constructor(deps: LocalPlayerDeps) {
    this.deps = deps;
    this.state = deps.state;
    this.moves = new MoveSender(deps.publishMove);
  }

  get movesSent(): number {
    return this.moves.count;
  }

  onFrame(pos: Point, moving: boolean, now: number): void {
    this.moves.update(now, pos, moving);
    const moved = this.reported === null || this.reported.x !== pos.x || this.reported.y !== pos.y;
    // About once a second while moving, and where the player comes to rest.
    const due = now - this.lastReportAt >= (moving ? HEARTBEAT_MS : HEARTBEAT_MS / 4);
    if (moved && due) {
      this.lastReportAt = now;
      this.reported = { ...pos };
      this.deps.reportPosition(pos).catch(() => undefined);
    }
  }

  onTouchCoin(coinId: string, pos: Point): void {
    if (this.pending.has(coinId)) return; // one claim per coin
    this.pending.add(coinId);
    this.claims.sent++;
    this.deps.claim(coinId, { ...pos }).then(
      () => {
        this.claims.won++;
      },
      (err: unknown) => {
        this.claims.refused++;
        const code = (err as { code?: unknown }).code;
        this.claims.lastRefusal = typeof code === 'string' ? code : 'ERROR';
        // Someone else's coin stays gone; anything else (too far, network) may be retried.
        if (code !== 'COIN_TAKEN') setTimeout(() => this.pending.delete(coinId), 500);
      },
    );
  }
}
