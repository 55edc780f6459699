/**
 * The match as this browser knows it: a snapshot, then the channel's events
 * applied in seq order. Plain TypeScript (no Phaser, no React): the scene
 * draws from it, the HUD renders from it, tests read it.
 *
 * Trust: `score-updated`, `game-ended` and the other server events count
 * only when the game's functions published them; a player forging one over
 * the socket (a client event) is ignored. Moves are client events from the
 * player whose id is the sender's client id.
 */
import type {
  CoinInfo,
  GameEndedEvent,
  GameResult,
  MatchInfo,
  MatchStartedEvent,
  PlayerInfo,
  PlayerJoinedEvent,
  PlayerMovedEvent,
  ScoreUpdatedEvent,
  Snapshot,
} from '../../shared/events.ts';
import { SERVER_EVENTS } from '../../shared/events.ts';
import { spawnPoint, type Point } from '../../shared/rules.ts';
import { Interpolator } from './interpolation.ts';

/** The parts of an SDK message the state needs. */
export interface ChannelMessage {
  eventType: string;
  content: Record<string, unknown>;
  clientId: string;
  seq?: number;
  clientEvent?: boolean;
}

export interface PlayerState extends PlayerInfo {
  /** Present in the match (presence); players whose socket died leave the arena. */
  online: boolean;
  motion: Interpolator;
}

/** Something to show briefly: who picked up what, where. */
export interface Pickup {
  playerId: string;
  x: number;
  y: number;
}

export class MatchState {
  match: MatchInfo | null = null;
  readonly players = new Map<string, PlayerState>();
  readonly coins = new Map<string, CoinInfo>();
  result: GameResult | null = null;
  /** Last channel seq reflected here (snapshot or event). */
  seq = 0;
  /** Server clock minus ours (ms), from the snapshot. */
  clockOffset = 0;
  /** Server events a player tried to forge over the socket, ignored. */
  forgedIgnored = 0;
  /** Every pickup applied from the stream (coin, player, seq), in order. */
  readonly pickups: Array<{ coinId: string; playerId: string; seq: number | null }> = [];
  /** The local player's position (the scene moves it). */
  me: Point;
  private listeners = new Set<() => void>();
  private pickupListeners = new Set<(p: Pickup) => void>();
  private version = 0;
  private online = new Set<string>();

  readonly myId: string;

  constructor(myId: string) {
    this.myId = myId;
    this.me = spawnPoint(0);
  }

  /** Replaces everything with a snapshot, unless the state already reflects a later seq. */
  applySnapshot(snap: Snapshot, now = performance.now(), wallNow = Date.now()): boolean {
    if (snap.seq < this.seq) return false;
    this.seq = snap.seq;
    this.match = snap.match;
    this.result = snap.result;
    this.clockOffset = snap.now - wallNow;
    this.coins.clear();
    for (const c of snap.coins) this.coins.set(c.id, c);
    const known = new Set<string>();
    for (const p of snap.players) {
      known.add(p.id);
      const existing = this.players.get(p.id);
      if (existing) {
        existing.score = p.score;
      } else {
        this.addPlayer(p, now);
        if (p.id === this.myId) this.me = { x: p.x, y: p.y };
      }
    }
    for (const id of [...this.players.keys()]) if (!known.has(id)) this.players.delete(id);
    this.changed();
    return true;
  }

  /** One message from the channel, in the order the SDK delivers them. */
  applyMessage(m: ChannelMessage, now = performance.now()): void {
    if (m.eventType === 'player-moved') {
      this.applyMove(m, now);
      return;
    }
    if (!(SERVER_EVENTS as readonly string[]).includes(m.eventType)) return;
    if (m.clientEvent === true) {
      this.forgedIgnored++;
      this.changed();
      return;
    }
    if (m.seq !== undefined) {
      if (m.seq <= this.seq) return; // already in the snapshot
      this.seq = m.seq;
    }
    switch (m.eventType) {
      case 'player-joined': {
        const { player } = m.content as unknown as PlayerJoinedEvent;
        if (!this.players.has(player.id)) this.addPlayer(player, now);
        break;
      }
      case 'match-started': {
        const e = m.content as unknown as MatchStartedEvent & { coins?: CoinInfo[] };
        if (this.match) this.match = { ...this.match, status: 'playing', startedAt: e.startedAt, endsAt: e.endsAt };
        for (const c of e.coins ?? []) this.coins.set(c.id, c);
        break;
      }
      case 'score-updated': {
        const e = m.content as unknown as ScoreUpdatedEvent;
        this.coins.delete(e.coinId);
        this.coins.set(e.spawned.id, e.spawned);
        for (const [id, score] of Object.entries(e.scores)) {
          const p = this.players.get(id);
          if (p) p.score = score;
        }
        this.pickups.push({ coinId: e.coinId, playerId: e.playerId, seq: m.seq ?? null });
        for (const l of this.pickupListeners) l({ playerId: e.playerId, x: e.x, y: e.y });
        break;
      }
      case 'game-ended': {
        this.result = m.content as unknown as GameEndedEvent;
        if (this.match) this.match = { ...this.match, status: 'ended' };
        this.coins.clear();
        for (const s of this.result.scores) {
          const p = this.players.get(s.playerId);
          if (p) p.score = s.score;
        }
        break;
      }
    }
    this.changed();
  }

  /** Who is in the match now (presence). */
  setOnline(clientIds: string[]): void {
    this.online = new Set(clientIds);
    for (const p of this.players.values()) p.online = p.id === this.myId || this.online.has(p.id);
    this.changed();
  }

  /** Milliseconds left in the match (by the server's clock), or null before it starts. */
  remainingMs(wallNow = Date.now()): number | null {
    if (!this.match || this.match.endsAt === null) return null;
    return Math.max(0, this.match.endsAt - (wallNow + this.clockOffset));
  }

  scoreboard(): PlayerState[] {
    return [...this.players.values()].sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
  }

  /** For React's useSyncExternalStore. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;

  onPickup(listener: (p: Pickup) => void): () => void {
    this.pickupListeners.add(listener);
    return () => this.pickupListeners.delete(listener);
  }

  private applyMove(m: ChannelMessage, now: number): void {
    if (m.clientEvent !== true || m.clientId === this.myId) return;
    const p = this.players.get(m.clientId);
    const e = m.content as unknown as PlayerMovedEvent;
    if (!p || typeof e.x !== 'number' || typeof e.y !== 'number') return;
    p.motion.push({ x: e.x, y: e.y }, now);
    p.x = e.x;
    p.y = e.y;
  }

  private addPlayer(p: PlayerInfo, now: number): void {
    this.players.set(p.id, { ...p, online: p.id === this.myId || this.online.has(p.id), motion: new Interpolator(p, now) });
  }

  private changed(): void {
    this.version++;
    for (const l of this.listeners) l();
  }
}
