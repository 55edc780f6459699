/** Unit tests for the order state machine (node --test, no broker or Next.js needed). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { advanceFrom, allowedNext, EVENT, isStatus, LABEL, PATH, STATUSES, type Status } from '../lib/status.ts';

test('the happy path advances one step at a time and ends at delivered', () => {
  const walked: Status[] = ['placed'];
  for (let s = advanceFrom('placed', null); s !== null; s = advanceFrom(s, null)) walked.push(s);
  assert.deepEqual(walked, PATH);
});

test('a delayed order resumes after the step it was delayed at, or is cancelled', () => {
  assert.deepEqual(allowedNext('delayed', 'shipped'), ['out_for_delivery', 'cancelled']);
  assert.deepEqual(allowedNext('delayed', 'out_for_delivery'), ['delivered', 'cancelled']);
  assert.equal(advanceFrom('delayed', 'confirmed'), 'shipped');
});

test('final statuses go nowhere; shipped orders can no longer be cancelled', () => {
  assert.deepEqual(allowedNext('delivered', null), []);
  assert.deepEqual(allowedNext('cancelled', null), []);
  assert.ok(!allowedNext('shipped', null).includes('cancelled'));
});

test('every status has a label and its own event type', () => {
  for (const s of STATUSES) assert.ok(LABEL[s].length > 0);
  assert.equal(new Set(STATUSES.map((s) => EVENT[s])).size, STATUSES.length);
  assert.equal(isStatus('shipped'), true);
  assert.equal(isStatus('lost'), false);
  assert.equal(isStatus(3), false);
});
