/**
 * The game's functions against a real SQLite file, with a stand-in broker
 * (a local HTTP server that records publishes and numbers them like the
 * broker does). The e2e specs run the same code against the real broker.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

const published: Array<{ channel: string; eventType: string; content: Record<string, unknown>; key: string | undefined }> = [];
const seenKeys = new Map<string, number>();
const broker = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    const channel = decodeURIComponent(req.url!.split('/channels/')[1]!.split('/')[0]!);
    const { content, eventType } = JSON.parse(body) as { content: Record<string, unknown>; eventType: string };
    const key = req.headers['idempotency-key'] as string | undefined;
    let seq = key !== undefined ? seenKeys.get(key) : undefined;
    if (seq === undefined) {
      published.push({ channel, eventType, content, key });
      seq = published.length;
      if (key !== undefined) seenKeys.set(key, seq);
    }
    res.setHeader('Content-Type', 'application/json');
    res.end(
      JSON.stringify({
        success: true,
        data: { id: `m${seq}`, channelSlug: channel, eventType, clientId: 'server', delivered: 0, createdAt: '', timestamp: 0, seq },
      }),
    );
  });
});

const dir = mkdtempSync(join(tmpdir(), 'game-test-'));
let m: typeof import('../server/matches.ts');

before(async () => {
  await new Promise<void>((r) => broker.listen(0, '127.0.0.1', r));
  process.env.PUSHFLO_BASE_URL = `http://127.0.0.1:${(broker.address() as { port: number }).port}`;
  process.env.GAME_DB = join(dir, 'game.db');
  process.env.GAME_MATCH_SECONDS = '20';
  m = await import('../server/matches.ts');
});

after(() => {
  broker.close();
  rmSync(dir, { recursive: true, force: true });
});

async function startedMatch(t0: number) {
  const match = m.createMatch('Test', t0);
  const a = await m.joinMatch(match.id, 'Ana', t0);
  const b = await m.joinMatch(match.id, 'Ben', t0);
  await m.startMatch(match.id, t0);
  return { matchId: match.id, a: a.player, b: b.player };
}

test('two claims for one coin at once: exactly one wins, one score-updated, scores from the database', async () => {
  const t0 = Date.now();
  const { matchId, a, b } = await startedMatch(t0);
  const snap = await m.snapshot(matchId, t0);
  const coin = snap.coins[0]!;
  // Both players are standing next to the coin (reported positions).
  const { database } = await import('../server/db.ts');
  database().prepare('UPDATE players SET x = ?, y = ?, pos_at = ? WHERE match_id = ?').run(coin.x, coin.y, t0, matchId);
  const before = published.length;
  const results = await Promise.allSettled([
    m.claimCoin(matchId, a.id, { coinId: coin.id, x: coin.x - 10, y: coin.y }),
    m.claimCoin(matchId, b.id, { coinId: coin.id, x: coin.x + 10, y: coin.y }),
  ]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
  assert.equal((lost.reason as { code: string }).code, 'COIN_TAKEN');
  const events = published.slice(before);
  assert.equal(events.length, 1);
  assert.equal(events[0]!.eventType, 'score-updated');
  const after = await m.snapshot(matchId);
  assert.equal(
    after.players.reduce((sum, p) => sum + p.score, 0),
    1,
  );
  assert.equal(after.coins.length, snap.coins.length); // respawned
  assert.ok(!after.coins.some((c) => c.id === coin.id));
  assert.equal(after.seq, published.length); // stamped with the last publish
});

test('a claim far from the player, or for a taken or unknown coin, is refused', async () => {
  const t0 = Date.now();
  const { matchId, a } = await startedMatch(t0);
  const coin = (await m.snapshot(matchId)).coins[0]!;
  const { database } = await import('../server/db.ts');
  database().prepare('UPDATE coins SET x = 820, y = 500 WHERE id = ?').run(coin.id);
  Object.assign(coin, { x: 820, y: 500 });
  await assert.rejects(m.claimCoin(matchId, a.id, { coinId: coin.id, x: a.x, y: a.y }), { code: 'TOO_FAR' });
  await assert.rejects(m.claimCoin(matchId, a.id, { coinId: coin.id, x: coin.x, y: coin.y }), { code: 'TOO_FAR' });
  await assert.rejects(m.claimCoin(matchId, a.id, { coinId: 'nope', x: a.x, y: a.y }), { code: 'COIN_NOT_FOUND' });
});

test('game-ended is published exactly once, with the final scores, only after the time is up', async () => {
  const t0 = Date.now() - 30_000;
  const { matchId } = await startedMatch(t0);
  assert.equal(await m.finishMatch(matchId, t0 + 1000), null);
  const before = published.length;
  const results = await Promise.all([m.finishMatch(matchId), m.finishMatch(matchId), m.finishExpiredMatches()]);
  const ended = published.slice(before).filter((e) => e.channel === `game:match-${matchId}` && e.eventType === 'game-ended');
  assert.equal(ended.length, 1);
  assert.deepEqual(results[0], results[1]);
  assert.equal((ended[0]!.content as { scores: unknown[] }).scores.length, 2);
  await assert.rejects(m.claimCoin(matchId, 'x', { coinId: 'x', x: 0, y: 0 }), { code: 'MATCH_NOT_RUNNING' });
});
