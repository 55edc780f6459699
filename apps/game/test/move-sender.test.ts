import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlayerMovedEvent } from '../shared/events.ts';
import { MoveSender } from '../src/game/move-sender.ts';

function run(frames: Array<[number, number, boolean]>) {
  const sent: Array<PlayerMovedEvent & { at: number }> = [];
  let now = 0;
  const s = new MoveSender((m) => sent.push({ ...m, at: now }));
  for (const [t, x, moving] of frames) {
    now = t;
    s.update(t, { x, y: 0 }, moving);
  }
  return sent;
}

test('at most 20 per second while moving, counters in order, one final stop', () => {
  const frames: Array<[number, number, boolean]> = [];
  for (let t = 0, x = 0; t < 2000; t += 1000 / 60, x += 3) frames.push([t, x, true]);
  frames.push([2000, 400, false], [2010, 400, false], [2100, 400, false], [3000, 400, false]);
  const sent = run(frames);
  for (let i = 1; i < sent.length; i++) assert.ok(sent[i]!.at - sent[i - 1]!.at >= 50);
  const inAnySecond = Math.max(...sent.map((m) => sent.filter((o) => o.at >= m.at && o.at < m.at + 1000).length));
  assert.ok(inAnySecond <= 20, `${inAnySecond} in one second`);
  assert.deepEqual(
    sent.map((m) => m.n),
    sent.map((_, i) => i + 1),
  );
  assert.equal(sent.filter((m) => !m.moving).length, 1);
  assert.deepEqual({ x: sent.at(-1)!.x, moving: sent.at(-1)!.moving }, { x: 400, moving: false });
});

test('nothing is sent while standing still', () => {
  assert.equal(
    run([
      [0, 5, false],
      [100, 5, false],
      [2000, 5, false],
    ]).length,
    0,
  );
});
