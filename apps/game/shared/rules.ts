/**
 * The game's rules, shared by the browser and the server: arena bounds,
 * movement, and how close a player must be to pick up a coin. Plain
 * functions, no Phaser, so both sides agree and tests can check them.
 */

export interface Point {
  x: number;
  y: number;
}

/** The arena: a grid of square tiles. */
export const ARENA = { width: 960, height: 600, tile: 40 } as const;
export const PLAYER_RADIUS = 16;
export const COIN_RADIUS = 10;
/** Player speed, px per second. */
export const SPEED = 220;
/** A player touching a coin picks it up. */
export const PICKUP_DISTANCE = PLAYER_RADIUS + COIN_RADIUS + 4;
/** The server accepts a claim this much farther away (the client saw it a frame earlier). */
export const PICKUP_TOLERANCE = 12;
/** Coins on the field at any time. */
export const COINS_PER_MATCH = 6;
/** Moves are sent at most this often (the broker allows 20 client events/s per socket). */
export const MOVE_INTERVAL_MS = 50;
/** Remote players are drawn this far in the past, between two received positions. */
export const RENDER_DELAY_MS = 100;
/**
 * The longest frame a step covers: a slow machine still moves players at full
 * speed, but a tab coming back from the background does not teleport.
 */
export const MAX_STEP_MS = 250;
/** Players report their position to the server this often while moving. */
export const HEARTBEAT_MS = 1000;

/** Keeps a player's centre inside the arena walls. */
export function clampToArena(p: Point): Point {
  const m = ARENA.tile / 2 + PLAYER_RADIUS;
  return {
    x: Math.min(ARENA.width - m, Math.max(m, p.x)),
    y: Math.min(ARENA.height - m, Math.max(m, p.y)),
  };
}

export function distance(a: Point, b: Point): number {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/**
 * One movement step: `dir` is the input (-1, 0 or 1 on each axis; diagonals
 * are normalised so they are not faster), `dtMs` the frame time.
 */
export function step(from: Point, dir: Point, dtMs: number): Point {
  const len = Math.hypot(dir.x, dir.y);
  if (len === 0) return from;
  const d = (SPEED * Math.min(dtMs, MAX_STEP_MS)) / 1000;
  return clampToArena({ x: from.x + (dir.x / len) * d, y: from.y + (dir.y / len) * d });
}

/** A step towards `target` at normal speed (used for click-to-move and by tests); stops on arrival. */
export function stepTowards(from: Point, target: Point, dtMs: number): Point {
  const left = distance(from, target);
  const d = (SPEED * Math.min(dtMs, MAX_STEP_MS)) / 1000;
  if (left <= d) return clampToArena(target);
  return clampToArena({ x: from.x + ((target.x - from.x) / left) * d, y: from.y + ((target.y - from.y) / left) * d });
}

export function canPickUp(player: Point, coin: Point): boolean {
  return distance(player, coin) <= PICKUP_DISTANCE;
}

/**
 * Where a player moving from `a` to `b` in one frame first touched `coin`,
 * or null: long frames on a slow machine never skip over a coin.
 */
export function touchOnPath(a: Point, b: Point, coin: Point): Point | null {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  const k = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((coin.x - a.x) * dx + (coin.y - a.y) * dy) / len2));
  const closest = { x: a.x + dx * k, y: a.y + dy * k };
  return canPickUp(closest, coin) ? closest : null;
}

/**
 * Players report their position at least every `HEARTBEAT_MS` while moving,
 * so the server never credits more unreported travel time than this.
 */
export const MAX_UNREPORTED_MS = 1500;
/** Slack on top of the travel distance (frame timing, rounding). */
export const TRAVEL_SLACK = 40;

/**
 * Whether a player could have gone from `from` (reported at `fromAt`) to `to`
 * (at `toAt`) at normal speed. A player who stopped reporting is taken to
 * have stood still, so a teleport after a long silence is still refused.
 */
export function plausibleMove(from: Point, fromAt: number, to: Point, toAt: number): boolean {
  const seconds = Math.min(Math.max(0, toAt - fromAt), MAX_UNREPORTED_MS) / 1000;
  return distance(from, to) <= SPEED * seconds * 1.25 + TRAVEL_SLACK;
}

/** A free spot for a coin, away from the walls; `random` is injectable for tests. */
export function coinSpot(random: () => number = Math.random): Point {
  const cols = ARENA.width / ARENA.tile - 2;
  const rows = ARENA.height / ARENA.tile - 2;
  return {
    x: (1 + Math.floor(random() * cols)) * ARENA.tile + ARENA.tile / 2,
    y: (1 + Math.floor(random() * rows)) * ARENA.tile + ARENA.tile / 2,
  };
}

/** Where the n-th player to join starts (the four corners, then around). */
export function spawnPoint(n: number): Point {
  const corners: Point[] = [
    { x: 120, y: 120 },
    { x: ARENA.width - 120, y: ARENA.height - 120 },
    { x: ARENA.width - 120, y: 120 },
    { x: 120, y: ARENA.height - 120 },
  ];
  return corners[n % corners.length]!;
}

/** Player colours, in join order. */
export const PLAYER_COLORS = ['#4f8cff', '#ff6b6b', '#3ecf8e', '#ffb020', '#b57bff', '#22c3d6'] as const;
