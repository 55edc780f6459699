import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Snapshot } from '../shared/events.ts';
import { MatchState } from '../src/game/match-state.ts';

const snap = (seq: number, scores: Record<string, number>): Snapshot => ({
  match: { id: 'm', name: 'M', status: 'playing', durationMs: 20_000, startedAt: 1, endsAt: 20_001 },
  players: Object.entries(scores).map(([id, score], i) => ({ id, name: id, color: '#fff', x: 100 + i, y: 100, score })),
  coins: [{ id: 'c1', x: 200, y: 200 }],
  result: null,
  seq,
  now: 10_000,
});

const scored = (seq: number, playerId: string, coinId: string, scores: Record<string, number>) => ({
  eventType: 'score-updated',
  clientId: 'server',
  seq,
  content: { playerId, coinId, spawned: { id: `${coinId}-next`, x: 300, y: 300 }, scores, x: 0, y: 0 },
});

test('a snapshot then the stream: events the snapshot reflects are skipped, later ones applied', () => {
  const s = new MatchState('a');
  s.applySnapshot(snap(5, { a: 2, b: 1 }), 0, 10_000);
  s.applyMessage(scored(5, 'a', 'old', { a: 2, b: 1 }));
  s.applyMessage(scored(6, 'b', 'c1', { a: 2, b: 2 }));
  assert.deepEqual(Object.fromEntries([...s.players.values()].map((p) => [p.id, p.score])), { a: 2, b: 2 });
  assert.deepEqual([...s.coins.keys()], ['c1-next']);
  assert.equal(s.seq, 6);
  assert.deepEqual(s.pickups, [{ coinId: 'c1', playerId: 'b', seq: 6 }]);
});

test('an older snapshot never rolls the state back', () => {
  const s = new MatchState('a');
  s.applySnapshot(snap(5, { a: 2 }), 0, 10_000);
  s.applyMessage(scored(6, 'a', 'c1', { a: 3 }));
  assert.equal(s.applySnapshot(snap(5, { a: 2 }), 0, 10_000), false);
  assert.equal(s.players.get('a')!.score, 3);
});

test('server events forged by a player over the socket are ignored', () => {
  const s = new MatchState('a');
  s.applySnapshot(snap(1, { a: 0, b: 0 }), 0, 10_000);
  s.applyMessage({ ...scored(2, 'b', 'c1', { b: 99 }), clientEvent: true, clientId: 'b' });
  s.applyMessage({ eventType: 'game-ended', clientId: 'b', clientEvent: true, content: { scores: [], winners: ['b'] } });
  assert.equal(s.players.get('b')!.score, 0);
  assert.equal(s.result, null);
  assert.equal(s.forgedIgnored, 2);
});

test('moves come only from the player who sent them, never from oneself', () => {
  const s = new MatchState('a');
  s.applySnapshot(snap(1, { a: 0, b: 0 }), 0, 10_000);
  s.applyMessage({ eventType: 'player-moved', clientId: 'b', clientEvent: true, content: { x: 400, y: 300, moving: false, n: 1 } }, 1000);
  s.applyMessage({ eventType: 'player-moved', clientId: 'a', clientEvent: true, content: { x: 900, y: 300, moving: false, n: 1 } }, 1000);
  s.applyMessage({ eventType: 'player-moved', clientId: 'server', content: { x: 1, y: 1, moving: false, n: 1 } }, 1000);
  assert.deepEqual(s.players.get('b')!.motion.at(5000), { x: 400, y: 300 });
  assert.equal(s.players.get('a')!.x, 100);
});

test('the timer follows the server clock; presence marks who is in the arena', () => {
  const s = new MatchState('a');
  s.applySnapshot(snap(1, { a: 0, b: 0 }), 0, 9_000); // our clock is 1 s behind
  assert.equal(s.remainingMs(9_000), 10_001);
  s.setOnline(['a']);
  assert.equal(s.players.get('b')!.online, false);
  assert.equal(s.players.get('a')!.online, true);
});

test('game-ended sets the final result and scores', () => {
  const s = new MatchState('a');
  s.applySnapshot(snap(1, { a: 0, b: 0 }), 0, 10_000);
  s.applyMessage({
    eventType: 'game-ended',
    clientId: 'server',
    seq: 2,
    content: { scores: [{ playerId: 'a', name: 'a', score: 4 }], winners: ['a'] },
  });
  assert.equal(s.match!.status, 'ended');
  assert.deepEqual(s.result!.winners, ['a']);
  assert.equal(s.players.get('a')!.score, 4);
  assert.equal(s.coins.size, 0);
});
