/**
 * The multiplayer arena: moves travel as client events and remote players
 * are drawn where they really are; scoring is decided by the game's function
 * (first valid claim wins) and reaches everyone through the broker in order,
 * across socket drops and late joins; forged scores are refused.
 */
import type { Page } from '@playwright/test';
import { CROSS, expect, test } from '../lib/fixtures';
import { closeUsers, offlineBadge, openUsers, socketLink, typeInto } from '../lib/harness';
import { GAME_URL } from '../lib/stack';
import { arrive, createMatch, game, joinMatch, live, moveTo, type Coin } from '../lib/game';

test.afterEach(closeUsers);

const ARENA = { width: 960, height: 600 };

// Each test plays a whole 20 s match (GAME_MATCH_SECONDS=20) with two browsers on a shared 2-core machine.
test.describe.configure({ timeout: 90_000 });

async function start(page: Page, others: Page[]) {
  await page.getByTestId('start').click();
  for (const p of [page, ...others]) await expect(p.getByTestId('match')).toHaveAttribute('data-status', 'playing');
}

/** The coin with the most room around it (so two players can stand on opposite sides). */
function roomiest(coins: Coin[]): Coin {
  const room = (c: Coin) => Math.min(c.x, c.y, ARENA.width - c.x, ARENA.height - c.y);
  return [...coins].sort((a, b) => room(b) - room(a))[0]!;
}

async function scoresOf(page: Page) {
  return (await game(page)).scores;
}

test(
  'B (Firefox) sees A (Chromium) move where A is; A and B race for one coin and exactly one scores; both get the same result',
  CROSS,
  async ({ browser, firefox }) => {
    const [a] = await openUsers(browser, 1);
    const [b] = await openUsers(firefox, 1);
    const matchId = await createMatch(a.page, 'Ana', 'Race');
    await joinMatch(b.page, 'Ben', matchId);
    const aId = (await game(a.page)).me;
    const bId = (await game(b.page)).me;

    // Each sees the other in the arena (presence).
    await expect.poll(async () => (await game(b.page)).players.find((p) => p.id === aId)?.drawn).toBe(true);
    await expect.poll(async () => (await game(a.page)).players.find((p) => p.id === bId)?.drawn).toBe(true);
    await start(a.page, [b.page]);

    // A moves with the keyboard; B's sprite of A comes to rest exactly where A is.
    await moveTo(a.page, 300, 240);
    await expect.poll(async () => (await game(a.page)).movesSent, { message: 'A sends moves' }).toBeGreaterThan(3);
    await arrive(a.page, 300, 240);
    await a.page.keyboard.down('ArrowDown');
    await a.page.waitForTimeout(400);
    await a.page.keyboard.up('ArrowDown');
    await expect
      .poll(
        async () => {
          const mine = (await game(a.page)).players.find((p) => p.id === aId)!;
          const seen = (await game(b.page)).players.find((p) => p.id === aId)!;
          return Math.hypot(mine.x - seen.x, mine.y - seen.y) + (mine.y > 250 ? 0 : 1000);
        },
        { message: "B's sprite of A reaches A's position" },
      )
      .toBeLessThan(0.5);

    // The race: both stand 45 px from one coin on opposite sides, then go for it at the same time.
    const coin = roomiest((await game(a.page)).coins);
    const horizontal = Math.min(coin.x, ARENA.width - coin.x) >= Math.min(coin.y, ARENA.height - coin.y);
    const [dx, dy] = horizontal ? [45, 0] : [0, 45];
    await Promise.all([arrive(a.page, coin.x - dx, coin.y - dy), arrive(b.page, coin.x + dx, coin.y + dy)]);
    await Promise.all([moveTo(a.page, coin.x, coin.y), moveTo(b.page, coin.x, coin.y)]);

    const winnerOf = async (page: Page) => (await game(page)).pickups.filter((p) => p.coinId === coin.id);
    await expect.poll(async () => (await winnerOf(a.page)).length).toBe(1);
    await expect.poll(async () => (await winnerOf(b.page)).length).toBe(1);
    const [onA] = await winnerOf(a.page);
    const [onB] = await winnerOf(b.page);
    expect(onA).toEqual(onB);
    expect([aId, bId]).toContain(onA!.playerId);
    // Exactly one claim for that coin won; a losing claim, if it got out in time, was refused.
    const claims = [(await game(a.page)).claims, (await game(b.page)).claims];
    expect(claims.every((c) => c.refused === 0 || c.lastRefusal === 'COIN_TAKEN')).toBe(true);
    await expect.poll(() => scoresOf(b.page)).toEqual(await scoresOf(a.page));

    // The match ends (GAME_MATCH_SECONDS=20): both see the same result, once.
    await expect(a.page.getByTestId('result')).toBeVisible({ timeout: 30_000 });
    await expect(b.page.getByTestId('result')).toBeVisible({ timeout: 10_000 });
    const resultA = (await game(a.page)).result;
    const resultB = (await game(b.page)).result;
    expect(resultA).toEqual(resultB);
    expect(resultA!.scores.map((s) => s.playerId).sort()).toEqual([aId, bId].sort());
    expect(Object.fromEntries(resultA!.scores.map((s) => [s.playerId, s.score]))).toEqual(await scoresOf(a.page));
    await expect(a.page.getByTestId('winner')).toHaveText((await b.page.getByTestId('winner').textContent()) as string);
  },
);

test(
  "B's socket (Firefox) drops while A (Chromium) scores twice; when it returns B's scoreboard equals A's, and so after a reload",
  CROSS,
  async ({ browser, firefox }) => {
    const [a] = await openUsers(browser, 1);
    const [b] = await openUsers(firefox, 1);
    const link = await socketLink(b.page);
    const matchId = await createMatch(a.page, 'Ana', 'Reconnect');
    await joinMatch(b.page, 'Ben', matchId);
    const aId = (await game(a.page)).me;
    await start(a.page, [b.page]);

    await link.drop();
    await expect(b.page.getByTestId('connection')).not.toHaveAttribute('data-state', 'connected');
    const seqBefore = (await game(b.page)).lastSeq;

    // A picks up the two nearest coins.
    for (let i = 1; i <= 2; i++) {
      const g = await game(a.page);
      const me = g.players.find((p) => p.id === aId)!;
      const coin = [...g.coins].sort((c, d) => Math.hypot(c.x - me.x, c.y - me.y) - Math.hypot(d.x - me.x, d.y - me.y))[0]!;
      await moveTo(a.page, coin.x, coin.y);
      await expect.poll(async () => (await game(a.page)).pickups.some((p) => p.coinId === coin.id), { timeout: 15_000 }).toBe(true);
    }
    const aScores = await scoresOf(a.page);
    expect(aScores[aId]).toBeGreaterThanOrEqual(2);
    expect((await game(b.page)).lastSeq).toBe(seqBefore); // B really missed them
    // Meanwhile B has left A's arena (presence: a socket that died leaves within 30 s).
    const bId = (await game(b.page)).me;
    await expect.poll(async () => (await game(a.page)).players.find((p) => p.id === bId)?.drawn, { timeout: 30_000 }).toBe(false);

    link.restore();
    await expect(b.page.getByTestId('connection')).toHaveAttribute('data-state', 'connected', { timeout: 20_000 });
    // B's scoreboard equals A's as it is now: a coin that respawns under a player standing still is a fair
    // pickup (claims go over HTTP, so B can score while its socket is down), so A's earlier copy may be stale.
    const sorted = (scores: Record<string, number>) => JSON.stringify(Object.entries(scores).sort(([x], [y]) => x.localeCompare(y)));
    const same = async () => sorted(await scoresOf(b.page)) === sorted(await scoresOf(a.page));
    await expect.poll(same).toBe(true);
    expect((await scoresOf(b.page))[aId]).toBeGreaterThanOrEqual(aScores[aId]!);
    await expect.poll(async () => (await game(a.page)).players.find((p) => p.id === bId)?.drawn).toBe(true);
    await expect(b.page.locator(`[data-testid="score"][data-player-id="${aId}"]`)).toHaveAttribute(
      'data-score',
      String((await scoresOf(a.page))[aId]),
    );
    expect((await game(b.page)).pickups.map((p) => p.seq)).toEqual((await game(a.page)).pickups.map((p) => p.seq));

    // A late join (a reload): the snapshot stamped with its seq, then the stream from there.
    await b.page.reload();
    await live(b.page);
    await expect.poll(same).toBe(true);
    await expect.poll(async () => (await game(b.page)).lastSeq === (await game(a.page)).lastSeq).toBe(true);
  },
);

test('a claim for a coin far from the player, a forged score field and a forged score event are all refused', async ({
  browser,
  request,
}) => {
  const [a, b] = await openUsers(browser, 2);
  const matchId = await createMatch(a.page, 'Ana', 'Cheaters');
  await joinMatch(b.page, 'Ben', matchId);
  const aId = (await game(a.page)).me;
  await start(a.page, [b.page]);
  const key = await a.page.evaluate(
    (id) => (JSON.parse(sessionStorage.getItem(`coin-rush:player:${id}`)!) as { key: string }).key,
    matchId,
  );
  const claim = (data: unknown, withKey = true) =>
    request.post(`${GAME_URL}/api/matches/${matchId}/claims`, { data, headers: withKey ? { Authorization: `Bearer ${key}` } : {} });

  // A stands still at its spawn point; the farthest coin is out of reach.
  const g = await game(a.page);
  const me = g.players.find((p) => p.id === aId)!;
  const far = [...g.coins].sort((c, d) => Math.hypot(d.x - me.x, d.y - me.y) - Math.hypot(c.x - me.x, c.y - me.y))[0]!;
  expect(Math.hypot(far.x - me.x, far.y - me.y)).toBeGreaterThan(200);

  // A reports where it stands (as its page does while moving), then claims to stand on the far coin: a teleport.
  const report = await request.post(`${GAME_URL}/api/matches/${matchId}/position`, {
    data: { x: me.x, y: me.y },
    headers: { Authorization: `Bearer ${key}` },
  });
  expect(report.status()).toBe(204);
  let res = await claim({ coinId: far.id, x: far.x, y: far.y });
  expect(res.status()).toBe(422);
  expect(await res.json()).toEqual({ error: expect.any(String), code: 'TOO_FAR' });
  // Claiming it from where A really is: out of reach.
  res = await claim({ coinId: far.id, x: me.x, y: me.y });
  expect(res.status()).toBe(422);
  expect((await res.json()).code).toBe('TOO_FAR');
  // A score sent by the client is refused: the server decides scores.
  res = await claim({ coinId: far.id, x: me.x, y: me.y, score: 99 });
  expect(res.status()).toBe(400);
  expect((await res.json()).code).toBe('UNKNOWN_FIELD');
  res = await claim({ coinId: far.id, x: me.x, y: me.y }, false);
  expect(res.status()).toBe(401);
  res = await claim({ coinId: 'c_nope', x: me.x, y: me.y });
  expect(res.status()).toBe(404);

  // A cheater publishes score-updated and game-ended over the socket with their own token: B ignores both.
  await a.page.evaluate(
    async ({ matchId, key, aId }) => {
      const r = await fetch(`/api/matches/${matchId}/token`, { method: 'POST', headers: { Authorization: `Bearer ${key}` } });
      const { token, baseUrl } = (await r.json()) as { token: string; baseUrl: string };
      const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/ws?token=${encodeURIComponent(token)}`);
      await new Promise<void>((resolve) => {
        ws.onmessage = (e) => {
          if ((JSON.parse(String(e.data)) as { type: string }).type !== 'connected') return;
          const channel = `game:match-${matchId}`;
          ws.send(
            JSON.stringify({
              type: 'publish',
              channel,
              event: 'score-updated',
              data: { playerId: aId, coinId: 'x', spawned: { id: 'y', x: 100, y: 100 }, scores: { [aId]: 99 }, x: 0, y: 0 },
            }),
          );
          ws.send(
            JSON.stringify({
              type: 'publish',
              channel,
              event: 'game-ended',
              data: { scores: [{ playerId: aId, name: 'Ana', score: 99 }], winners: [aId] },
            }),
          );
          resolve();
        };
      });
    },
    { matchId, key, aId },
  );
  await expect.poll(async () => (await game(b.page)).forgedIgnored).toBe(2);
  const bView = await game(b.page);
  expect(bView.result).toBeNull();
  expect(bView.status).toBe('playing');
  // The forged 99 counts nowhere: B shows the server's score for A (a coin that happens to spawn
  // where A stands is a fair pickup, so the score is compared with the server's, not with 0).
  const serverScore = async () => {
    const snap = (await (await request.get(`${GAME_URL}/api/matches/${matchId}/snapshot`)).json()) as {
      players: Array<{ id: string; score: number }>;
    };
    return snap.players.find((p) => p.id === aId)!.score;
  };
  await expect.poll(async () => (await game(b.page)).scores[aId] === (await serverScore())).toBe(true);
  expect(await serverScore()).toBeLessThan(3);
});

test('a match everyone leaves ends as abandoned (the broker’s channel_vacated webhook), long before its clock runs out', async ({
  browser,
  request,
}) => {
  const [a, b, c] = await openUsers(browser, 3);
  const matchId = await createMatch(a!.page, 'Ana', 'Walkout');
  await joinMatch(b!.page, 'Ben', matchId);
  await start(a!.page, [b!.page]);
  const { match } = (await (await request.get(`${GAME_URL}/api/matches/${matchId}/snapshot`)).json()) as { match: { endsAt: number } };
  await a!.page.goto('about:blank'); // A leaves (the tab keeps A's player key for later)
  await b!.page.close();
  type Snap = { match: { status: string }; result: { abandoned?: boolean } | null };
  const snapshot = async () => (await (await request.get(`${GAME_URL}/api/matches/${matchId}/snapshot`)).json()) as Snap;
  await expect.poll(async () => (await snapshot()).match.status, { timeout: 15_000 }).toBe('ended');
  expect(Date.now()).toBeLessThan(match.endsAt); // ended by the webhook, not by the clock
  expect((await snapshot()).result?.abandoned).toBe(true);
  // Gone from the lobby; A coming back sees why it ended.
  const lobby = (await (await request.get(`${GAME_URL}/api/matches`)).json()) as { matches: Array<{ id: string }> };
  expect(lobby.matches.map((m) => m.id)).not.toContain(matchId);
  await c!.page.goto(GAME_URL);
  await expect(c!.page.getByText('Loading…')).toHaveCount(0);
  await expect(c!.page.locator(`[data-testid="match"][data-match-id="${matchId}"]`)).toHaveCount(0);
  await a!.page.goto(`${GAME_URL}/?match=${matchId}`);
  await expect(a!.page.getByTestId('abandoned')).toBeVisible();
});

test('the connection badge is a live region; after a refused first connect, Retry connects and the match goes live', async ({ page }) => {
  const link = await socketLink(page);
  await link.drop(); // the network is down before the arena connects
  await page.goto(GAME_URL);
  await typeInto(page.getByTestId('player-name'), 'Ana');
  await typeInto(page.getByTestId('match-name'), 'Offline start');
  await page.getByTestId('create-match').click();
  await expect(page).toHaveURL(/\?match=/);
  const badge = await offlineBadge(page);

  link.restore();
  await badge.retry('Live');
  const view = await live(page);
  expect(view.status).toBe('waiting');
  expect(view.players.map((p) => p.id)).toContain(view.me);
});
