import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ARENA,
  MAX_STEP_MS,
  canPickUp,
  clampToArena,
  coinSpot,
  MAX_UNREPORTED_MS,
  PICKUP_DISTANCE,
  plausibleMove,
  SPEED,
  step,
  stepTowards,
  touchOnPath,
} from '../shared/rules.ts';

test('players stay inside the walls', () => {
  assert.deepEqual(clampToArena({ x: -50, y: 9999 }), { x: 36, y: ARENA.height - 36 });
  const p = step({ x: 40, y: 40 }, { x: -1, y: -1 }, 100);
  assert.deepEqual(p, { x: 36, y: 36 });
});

test('a step covers SPEED px per second, diagonals no faster', () => {
  const right = step({ x: 200, y: 200 }, { x: 1, y: 0 }, 100);
  assert.equal(right.x - 200, SPEED / 10);
  const diag = step({ x: 200, y: 200 }, { x: 1, y: 1 }, 100);
  assert.ok(Math.abs(Math.hypot(diag.x - 200, diag.y - 200) - SPEED / 10) < 1e-9);
  // A long frame (tab in the background) does not teleport.
  assert.equal(step({ x: 200, y: 200 }, { x: 1, y: 0 }, 5000).x, 200 + (SPEED * MAX_STEP_MS) / 1000);
});

test('stepTowards arrives exactly and does not overshoot', () => {
  let p = { x: 100, y: 100 };
  for (let i = 0; i < 100; i++) p = stepTowards(p, { x: 300, y: 180 }, 16);
  assert.deepEqual(p, { x: 300, y: 180 });
});

test('pickup distance', () => {
  assert.ok(canPickUp({ x: 100, y: 100 }, { x: 100 + PICKUP_DISTANCE, y: 100 }));
  assert.ok(!canPickUp({ x: 100, y: 100 }, { x: 101 + PICKUP_DISTANCE, y: 100 }));
});

test('a long frame never skips over a coin', () => {
  const coin = { x: 300, y: 300 };
  assert.deepEqual(touchOnPath({ x: 200, y: 310 }, { x: 400, y: 310 }, coin), { x: 300, y: 310 });
  assert.equal(touchOnPath({ x: 200, y: 360 }, { x: 400, y: 360 }, coin), null);
  assert.ok(touchOnPath({ x: 300, y: 300 }, { x: 300, y: 300 }, coin));
});

test('plausible moves: reachable at normal speed, and silence is not credit for a teleport', () => {
  assert.ok(plausibleMove({ x: 100, y: 100 }, 0, { x: 300, y: 100 }, 1000));
  assert.ok(!plausibleMove({ x: 100, y: 100 }, 0, { x: 500, y: 100 }, 1000));
  assert.ok(!plausibleMove({ x: 100, y: 100 }, 0, { x: 800, y: 500 }, 60_000));
  assert.ok(!plausibleMove({ x: 100, y: 100 }, 1000, { x: 300, y: 100 }, 1000));
  const max = (SPEED * MAX_UNREPORTED_MS * 1.25) / 1000;
  assert.ok(max < ARENA.width / 2);
});

test('coins land on tile centres inside the walls', () => {
  for (const r of [0, 0.5, 0.9999]) {
    const c = coinSpot(() => r);
    assert.equal((c.x - ARENA.tile / 2) % ARENA.tile, 0);
    assert.ok(c.x >= ARENA.tile && c.x <= ARENA.width - ARENA.tile);
    assert.ok(c.y >= ARENA.tile && c.y <= ARENA.height - ARENA.tile);
  }
});
