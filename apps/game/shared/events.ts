/**
 * What travels on `game:match-{id}`. Server events (published by the game's
 * functions, with a seq) carry absolute values, so applying one twice is
 * harmless; `player-moved` is a client event (ephemeral, no seq).
 */

export interface PlayerInfo {
  id: string;
  name: string;
  color: string;
  x: number;
  y: number;
  score: number;
}

export interface CoinInfo {
  id: string;
  x: number;
  y: number;
}

export type MatchStatus = 'waiting' | 'playing' | 'ended';

export interface MatchInfo {
  id: string;
  name: string;
  status: MatchStatus;
  durationMs: number;
  startedAt: number | null;
  endsAt: number | null;
}

export interface FinalScore {
  playerId: string;
  name: string;
  score: number;
}

export interface GameResult {
  scores: FinalScore[];
  /** Ids of the players with the top score (several on a tie; empty when nobody scored). */
  winners: string[];
  /** Ended early because everyone left (the broker's `channel_vacated` webhook), with the scores at that moment. */
  abandoned?: boolean;
}

/** `GET /api/matches/:id/snapshot`: the state after the channel's message `seq`. */
export interface Snapshot {
  match: MatchInfo;
  players: PlayerInfo[];
  coins: CoinInfo[];
  result: GameResult | null;
  /** The last seq on the channel this snapshot reflects: subscribe `since` it. */
  seq: number;
  /** Server time, to align the match timer. */
  now: number;
}

export const CHANNEL = (matchId: string) => `game:match-${matchId}`;

export interface PlayerJoinedEvent {
  player: PlayerInfo;
}
export interface MatchStartedEvent {
  startedAt: number;
  endsAt: number;
}
export interface ScoreUpdatedEvent {
  playerId: string;
  /** The coin picked up, and the one that replaces it. */
  coinId: string;
  spawned: CoinInfo;
  /** Every player's score after this pickup. */
  scores: Record<string, number>;
  /** Where the player was when picking it up. */
  x: number;
  y: number;
}
export type GameEndedEvent = GameResult;
export interface PlayerMovedEvent {
  x: number;
  y: number;
  /** Still moving (false: the last move of a run). */
  moving: boolean;
  /** Per-sender counter. */
  n: number;
}

/** Events only the server may publish: clients ignore them when a player sent them. */
export const SERVER_EVENTS = ['player-joined', 'match-started', 'score-updated', 'game-ended'] as const;
