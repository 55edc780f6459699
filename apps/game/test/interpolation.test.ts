import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RENDER_DELAY_MS } from '../shared/rules.ts';
import { Interpolator } from '../src/game/interpolation.ts';

test('draws between the two positions around now - delay', () => {
  const i = new Interpolator({ x: 0, y: 0 }, 0);
  i.push({ x: 0, y: 0 }, 1000);
  i.push({ x: 10, y: 0 }, 1050);
  i.push({ x: 20, y: 0 }, 1100);
  assert.deepEqual(i.at(1075 + RENDER_DELAY_MS), { x: 15, y: 0 });
  assert.deepEqual(i.at(1050 + RENDER_DELAY_MS), { x: 10, y: 0 });
});

test('never guesses ahead: holds the newest position', () => {
  const i = new Interpolator({ x: 0, y: 0 }, 0);
  i.push({ x: 50, y: 60 }, 1000);
  assert.deepEqual(i.at(5000), { x: 50, y: 60 });
});

test('motion at 60 fps from 20 Hz samples is smooth (no frame jumps more than one sample step)', () => {
  const i = new Interpolator({ x: 0, y: 0 }, 0);
  for (let t = 0; t <= 1000; t += 50) i.push({ x: t / 5, y: 0 }, 1000 + t); // 200 px/s
  let prev = i.at(1100 + RENDER_DELAY_MS).x;
  for (let t = 1100; t < 1900; t += 1000 / 60) {
    const x = i.at(t + RENDER_DELAY_MS).x;
    assert.ok(x >= prev && x - prev <= 4, `frame step ${x - prev}`);
    prev = x;
  }
});

test('reset jumps to a position', () => {
  const i = new Interpolator({ x: 0, y: 0 }, 0);
  i.push({ x: 10, y: 10 }, 100);
  i.reset({ x: 300, y: 200 }, 200);
  assert.deepEqual(i.at(200), { x: 300, y: 200 });
  assert.deepEqual(i.latest(), { x: 300, y: 200 });
});
