/**
 * The game's functions: lobby, joining, starting, authoritative coin claims,
 * position reports, the end of a match and snapshots. The database decides;
 * the broker tells everyone (`game:match-{id}`), and every publish's seq is
 * recorded so a snapshot says exactly where the live stream continues.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DatabaseSync } from 'node:sqlite';
import {
  CHANNEL,
  type CoinInfo,
  type GameResult,
  type MatchInfo,
  type PlayerInfo,
  type ScoreUpdatedEvent,
  type Snapshot,
} from '../shared/events.ts';
import {
  COINS_PER_MATCH,
  PICKUP_DISTANCE,
  PICKUP_TOLERANCE,
  PLAYER_COLORS,
  clampToArena,
  coinSpot,
  distance,
  plausibleMove,
  spawnPoint,
  type Point,
} from '../shared/rules.ts';
import { database, matchDurationMs, transaction } from './db.ts';
import { ApiError } from './errors.ts';
import { serialized } from './lock.ts';
import { pushflo } from './pushflo.ts';

export const MAX_PLAYERS = 6;

interface MatchRow {
  id: string;
  name: string;
  duration_ms: number;
  created_at: number;
  started_at: number | null;
  ends_at: number | null;
  ended_at: number | null;
  result: string | null;
  last_seq: number;
}

export interface PlayerRow {
  id: string;
  match_id: string;
  name: string;
  color: string;
  score: number;
  x: number;
  y: number;
  pos_at: number;
}

export interface LobbyMatch extends MatchInfo {
  players: number;
}

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

function matchRow(d: DatabaseSync, id: string): MatchRow {
  const row = d.prepare('SELECT * FROM matches WHERE id = ?').get(id) as MatchRow | undefined;
  if (row === undefined) throw new ApiError(404, 'MATCH_NOT_FOUND', `no match '${id}'`);
  return row;
}

function matchInfo(row: MatchRow, now: number): MatchInfo {
  const status =
    row.ended_at !== null || (row.ends_at !== null && now >= row.ends_at) ? 'ended' : row.started_at !== null ? 'playing' : 'waiting';
  return { id: row.id, name: row.name, status, durationMs: row.duration_ms, startedAt: row.started_at, endsAt: row.ends_at };
}

function players(d: DatabaseSync, matchId: string): PlayerInfo[] {
  const rows = d
    .prepare('SELECT id, name, color, score, x, y FROM players WHERE match_id = ? ORDER BY joined_at, id')
    .all(matchId) as unknown as PlayerInfo[];
  return rows.map((p) => ({ id: p.id, name: p.name, color: p.color, score: p.score, x: p.x, y: p.y }));
}

function liveCoins(d: DatabaseSync, matchId: string): CoinInfo[] {
  return d
    .prepare('SELECT id, x, y FROM coins WHERE match_id = ? AND claimed_by IS NULL ORDER BY spawned_at, id')
    .all(matchId) as unknown as CoinInfo[];
}

function spawnCoin(d: DatabaseSync, matchId: string, now: number): CoinInfo {
  const coin = { id: `c_${randomUUID().slice(0, 8)}`, ...coinSpot() };
  d.prepare('INSERT INTO coins (id, match_id, x, y, spawned_at) VALUES (?, ?, ?, ?, ?)').run(coin.id, matchId, coin.x, coin.y, now);
  return coin;
}

/** Publishes on the match channel and records the seq it got (under the match's lock). */
async function publish(matchId: string, event: string, content: object, idempotencyKey: string): Promise<number> {
  const { seq } = await pushflo.publish(CHANNEL(matchId), content as Record<string, unknown>, { eventType: event, idempotencyKey });
  if (typeof seq === 'number') database().prepare('UPDATE matches SET last_seq = MAX(last_seq, ?) WHERE id = ?').run(seq, matchId);
  return seq ?? 0;
}

/** Open matches for the lobby, newest first. */
export function listMatches(now = Date.now()): LobbyMatch[] {
  const d = database();
  const rows = d.prepare('SELECT * FROM matches WHERE ended_at IS NULL ORDER BY created_at DESC LIMIT 20').all() as unknown as MatchRow[];
  return rows
    .map((row) => {
      const { n } = d.prepare('SELECT COUNT(*) AS n FROM players WHERE match_id = ?').get(row.id) as { n: number };
      return { ...matchInfo(row, now), players: n };
    })
    .filter((m) => m.status !== 'ended');
}

export function createMatch(name: string, now = Date.now()): MatchInfo {
  const row: MatchRow = {
    id: randomUUID().slice(0, 8),
    name,
    duration_ms: matchDurationMs(),
    created_at: now,
    started_at: null,
    ends_at: null,
    ended_at: null,
    result: null,
    last_seq: 0,
  };
  database()
    .prepare('INSERT INTO matches (id, name, duration_ms, created_at) VALUES (?, ?, ?, ?)')
    .run(row.id, row.name, row.duration_ms, row.created_at);
  return matchInfo(row, now);
}

/** Adds a player; answers their secret key (shown once) for later calls. */
export async function joinMatch(matchId: string, name: string, now = Date.now()): Promise<{ player: PlayerInfo; key: string }> {
  return serialized(matchId, async () => {
    const key = randomBytes(18).toString('base64url');
    const player = transaction((d) => {
      const info = matchInfo(matchRow(d, matchId), now);
      if (info.status === 'ended') throw new ApiError(409, 'MATCH_ENDED', 'this match is over');
      const { n } = d.prepare('SELECT COUNT(*) AS n FROM players WHERE match_id = ?').get(matchId) as { n: number };
      if (n >= MAX_PLAYERS) throw new ApiError(409, 'MATCH_FULL', `a match holds ${MAX_PLAYERS} players`);
      const spot = spawnPoint(n);
      const p: PlayerInfo = {
        id: `p_${randomUUID().slice(0, 8)}`,
        name,
        color: PLAYER_COLORS[n % PLAYER_COLORS.length]!,
        score: 0,
        ...spot,
      };
      d.prepare(
        'INSERT INTO players (id, match_id, name, color, key_hash, x, y, pos_at, joined_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(p.id, matchId, p.name, p.color, hashKey(key), p.x, p.y, now, now);
      return p;
    });
    await publish(matchId, 'player-joined', { player }, `joined-${player.id}`);
    return { player, key };
  });
}

/** The player a secret key belongs to, in this match. */
export function authenticate(matchId: string, key: string | undefined): PlayerRow {
  if (!key) throw new ApiError(401, 'UNAUTHORIZED', 'send your player key: Authorization: Bearer <key>');
  const row = database().prepare('SELECT * FROM players WHERE key_hash = ?').get(hashKey(key)) as PlayerRow | undefined;
  if (row === undefined) throw new ApiError(401, 'UNAUTHORIZED', 'unknown player key');
  if (row.match_id !== matchId) throw new ApiError(403, 'NOT_IN_MATCH', 'this key belongs to another match');
  return row;
}

/** Starts the clock and puts the coins on the field (any player of the match may). */
export async function startMatch(matchId: string, now = Date.now()): Promise<MatchInfo> {
  return serialized(matchId, async () => {
    const { info, coins } = transaction((d) => {
      const row = matchRow(d, matchId);
      if (row.started_at !== null) throw new ApiError(409, 'ALREADY_STARTED', 'this match has already started');
      const endsAt = now + row.duration_ms;
      d.prepare('UPDATE matches SET started_at = ?, ends_at = ? WHERE id = ? AND started_at IS NULL').run(now, endsAt, matchId);
      const coins = Array.from({ length: COINS_PER_MATCH }, () => spawnCoin(d, matchId, now));
      return { info: matchInfo({ ...row, started_at: now, ends_at: endsAt }, now), coins };
    });
    await publish(matchId, 'match-started', { startedAt: info.startedAt, endsAt: info.endsAt, coins }, `started-${matchId}`);
    return info;
  });
}

/** A position report (heartbeat while moving): stored when reachable from the last one. */
export function reportPosition(player: PlayerRow, at: Point, now = Date.now()): void {
  const p = clampToArena(at);
  if (!plausibleMove(player, player.pos_at, p, now)) {
    throw new ApiError(422, 'IMPLAUSIBLE_POSITION', 'that position is not reachable from your last one');
  }
  database().prepare('UPDATE players SET x = ?, y = ?, pos_at = ? WHERE id = ?').run(p.x, p.y, now, player.id);
}

/**
 * A coin pickup claim. Checked against the database in one transaction:
 * the match is running, the coin is on the field, the claimed position
 * touches it and is reachable from where the server last knew the player.
 * The first valid claim wins (`UPDATE … WHERE claimed_by IS NULL`); the
 * score is the database's, never the client's.
 */
export async function claimCoin(
  matchId: string,
  playerId: string,
  claim: { coinId: string; x: number; y: number },
  nowFn = Date.now,
): Promise<ScoreUpdatedEvent> {
  return serialized(matchId, async () => {
    const now = nowFn();
    const event = transaction((d): ScoreUpdatedEvent => {
      const info = matchInfo(matchRow(d, matchId), now);
      if (info.status !== 'playing') throw new ApiError(409, 'MATCH_NOT_RUNNING', `the match is ${info.status}`);
      const player = d.prepare('SELECT * FROM players WHERE id = ?').get(playerId) as unknown as PlayerRow;
      const coin = d.prepare('SELECT id, x, y, claimed_by FROM coins WHERE id = ? AND match_id = ?').get(claim.coinId, matchId) as
        | (CoinInfo & { claimed_by: string | null })
        | undefined;
      if (coin === undefined) throw new ApiError(404, 'COIN_NOT_FOUND', `no coin '${claim.coinId}' in this match`);
      if (coin.claimed_by !== null) throw new ApiError(409, 'COIN_TAKEN', 'someone else got this coin first');
      const at = clampToArena(claim);
      if (distance(at, coin) > PICKUP_DISTANCE + PICKUP_TOLERANCE) throw new ApiError(422, 'TOO_FAR', 'that coin is out of reach');
      if (!plausibleMove(player, player.pos_at, at, now)) throw new ApiError(422, 'TOO_FAR', 'you were not near that coin');
      const won = d
        .prepare('UPDATE coins SET claimed_by = ?, claimed_at = ? WHERE id = ? AND claimed_by IS NULL')
        .run(playerId, now, coin.id);
      if (won.changes !== 1) throw new ApiError(409, 'COIN_TAKEN', 'someone else got this coin first');
      d.prepare('UPDATE players SET score = score + 1, x = ?, y = ?, pos_at = ? WHERE id = ?').run(at.x, at.y, now, playerId);
      const spawned = spawnCoin(d, matchId, now);
      const scores: Record<string, number> = {};
      for (const p of players(d, matchId)) scores[p.id] = p.score;
      return { playerId, coinId: coin.id, spawned, scores, x: at.x, y: at.y };
    });
    await publish(matchId, 'score-updated', event, `claim-${event.coinId}`);
    return event;
  });
}

/** The final scores as they stand, best first, and who has the top score. */
function standings(d: DatabaseSync, matchId: string): GameResult {
  const scores = players(d, matchId)
    .map((p) => ({ playerId: p.id, name: p.name, score: p.score }))
    .sort((a, b) => b.score - a.score || a.name.localeCompare(b.name));
  const top = scores[0]?.score ?? 0;
  return { scores, winners: top > 0 ? scores.filter((s) => s.score === top).map((s) => s.playerId) : [] };
}

/** Ends the match if its time is up: the result is decided and published exactly once. Runs under the match's lock. */
async function finishIfDue(matchId: string, now: number): Promise<GameResult | null> {
  const d = database();
  const row = matchRow(d, matchId);
  if (row.ends_at === null || now < row.ends_at) return null;
  if (row.ended_at === null) {
    const result = standings(d, matchId);
    // The guard: only one request moves ended_at from NULL.
    const guard = d
      .prepare('UPDATE matches SET ended_at = ?, result = ? WHERE id = ? AND ended_at IS NULL')
      .run(now, JSON.stringify(result), matchId);
    if (guard.changes !== 1) return finishIfDue(matchId, now);
    row.result = JSON.stringify(result);
  }
  const result = JSON.parse(row.result!) as GameResult;
  // The idempotency key makes a retry after a failed answer publish nothing new.
  await publish(matchId, 'game-ended', result, `ended-${matchId}`);
  return result;
}

/** Published flags live in memory only to skip re-publishing; the idempotency key is what guarantees once. */
const endedPublished = new Set<string>();

export function finishMatch(matchId: string, now = Date.now()): Promise<GameResult | null> {
  return serialized(matchId, async () => {
    if (endedPublished.has(matchId)) return storedResult(matchId);
    const result = await finishIfDue(matchId, now);
    if (result !== null) endedPublished.add(matchId);
    return result;
  });
}

/**
 * Everyone left the match's channel (the broker's `channel_vacated` webhook,
 * sent once nobody has been subscribed for its vacate delay, so a reload does
 * not count): a match still waiting or playing ends now, abandoned, with the
 * scores as they stand, and `game-ended` is published (same idempotency key
 * as a normal end, so a match ends once whichever comes first). A match
 * already over, or unknown here, is left alone. Answers the result when it ended one.
 */
export function abandonMatch(matchId: string, now = Date.now()): Promise<GameResult | null> {
  return serialized(matchId, async () => {
    const d = database();
    const row = d.prepare('SELECT * FROM matches WHERE id = ?').get(matchId) as MatchRow | undefined;
    if (row === undefined) return null;
    let result: GameResult;
    if (row.ended_at === null) {
      if (matchInfo(row, now).status === 'ended') return null; // its time ran out: the normal end publishes
      result = { ...standings(d, matchId), abandoned: true };
      transaction((t) => {
        t.prepare('UPDATE matches SET ended_at = ?, result = ? WHERE id = ? AND ended_at IS NULL').run(
          now,
          JSON.stringify(result),
          matchId,
        );
        t.prepare('DELETE FROM coins WHERE match_id = ? AND claimed_by IS NULL').run(matchId);
      });
    } else {
      result = JSON.parse(row.result!) as GameResult;
      // Over already; only an abandon whose announcement failed earlier is announced again (the broker's retry).
      if (result.abandoned !== true || endedPublished.has(matchId)) return null;
    }
    await publish(matchId, 'game-ended', result, `ended-${matchId}`);
    endedPublished.add(matchId);
    return result;
  });
}

function storedResult(matchId: string): GameResult | null {
  const row = matchRow(database(), matchId);
  return row.result === null ? null : (JSON.parse(row.result) as GameResult);
}

/** Ends every match whose time is up (called every second: a cron job in production). */
export async function finishExpiredMatches(now = Date.now()): Promise<void> {
  const due = database()
    .prepare('SELECT id FROM matches WHERE ends_at <= ? AND (ended_at IS NULL OR ended_at > ?)')
    .all(now, now - 60_000) as Array<{ id: string }>;
  for (const { id } of due) {
    if (!endedPublished.has(id)) await finishMatch(id, now).catch(() => undefined);
  }
}

/** Everything a joining (or returning) player needs, stamped with the channel's seq it reflects. */
export function snapshot(matchId: string, now = Date.now()): Promise<Snapshot> {
  return serialized(matchId, async () => {
    const d = database();
    const row = matchRow(d, matchId);
    return {
      match: matchInfo(row, now),
      players: players(d, matchId),
      coins: row.started_at === null || row.ended_at !== null ? [] : liveCoins(d, matchId),
      result: row.result === null ? null : (JSON.parse(row.result) as GameResult),
      seq: row.last_seq,
      now,
    };
  });
}
