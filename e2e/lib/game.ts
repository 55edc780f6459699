/** Helpers for the game specs: joining through the lobby and reading `window.__game`. */
import { expect, type Page } from '@playwright/test';
import { typeInto } from './harness';
import { GAME_URL } from './stack';

export interface GamePlayer {
  id: string;
  name: string;
  score: number;
  online: boolean;
  drawn: boolean;
  x: number;
  y: number;
}
export interface Coin {
  id: string;
  x: number;
  y: number;
}
export interface GameView {
  me: string;
  connection: string;
  lastSeq: number;
  status: string | null;
  players: GamePlayer[];
  scores: Record<string, number>;
  coins: Coin[];
  result: { scores: Array<{ playerId: string; name: string; score: number }>; winners: string[] } | null;
  claims: { sent: number; won: number; refused: number; lastRefusal: string | null };
  pickups: Array<{ coinId: string; playerId: string; seq: number | null }>;
  forgedIgnored: number;
  movesSent: number;
}

/** A copy of the page's `window.__game` (getters read live). */
export function game(page: Page): Promise<GameView> {
  return page.evaluate(() => {
    const g = (window as unknown as { __game: Record<string, unknown> }).__game;
    const out: Record<string, unknown> = {};
    for (const k of [
      'me',
      'connection',
      'lastSeq',
      'status',
      'players',
      'scores',
      'coins',
      'result',
      'claims',
      'pickups',
      'forgedIgnored',
      'movesSent',
    ])
      out[k] = g[k];
    return out as unknown as GameView;
  });
}

export async function moveTo(page: Page, x: number, y: number): Promise<void> {
  await page.evaluate(
    ([px, py]) => (window as unknown as { __game: { moveTo(x: number, y: number): void } }).__game.moveTo(px!, py!),
    [x, y],
  );
}

/** Waits until the local player stands still at (x, y) (clamped by the walls). */
export async function arrive(page: Page, x: number, y: number, timeout = 15_000): Promise<void> {
  await moveTo(page, x, y);
  await expect
    .poll(
      async () => {
        const g = await game(page);
        const me = g.players.find((p) => p.id === g.me);
        return me === undefined ? Infinity : Math.hypot(me.x - x, me.y - y);
      },
      { timeout },
    )
    .toBeLessThan(1);
}

/** Waits until the page is connected and has its match state. */
export async function live(page: Page): Promise<GameView> {
  await expect(page.getByTestId('connection')).toHaveAttribute('data-state', 'connected');
  await page.waitForFunction(() => (window as unknown as { __game?: { status: string | null } }).__game?.status != null);
  return game(page);
}

/** Opens the lobby, names the player and creates a match; answers its id. */
export async function createMatch(page: Page, name: string, matchName: string): Promise<string> {
  await page.goto(GAME_URL);
  await typeInto(page.getByTestId('player-name'), name);
  await typeInto(page.getByTestId('match-name'), matchName);
  await page.getByTestId('create-match').click();
  await expect(page).toHaveURL(/\?match=/);
  const id = new URL(page.url()).searchParams.get('match')!;
  await live(page);
  return id;
}

/** Opens the lobby and joins the given match from the list. */
export async function joinMatch(page: Page, name: string, matchId: string): Promise<void> {
  await page.goto(GAME_URL);
  await typeInto(page.getByTestId('player-name'), name);
  await page.locator(`[data-testid="match"][data-match-id="${matchId}"]`).getByTestId('join').click();
  await expect(page).toHaveURL(new RegExp(`match=${matchId}`));
  await live(page);
}
