/** Unit tests for the alert rules and the seq window (node --test, no broker needed). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorRate, evaluate, type Sample } from '../server/rules.ts';
import { SeqWindow } from '../src/series.ts';
import type { AlertRule } from '../shared/types.ts';

const rule = (kind: AlertRule['kind'], threshold: number): AlertRule => ({
  id: kind,
  companyId: '1',
  kind,
  label: kind,
  threshold,
  unit: '',
  severity: 'warning',
  firing: false,
});

const sample = (i: number, over: Partial<Sample> = {}): Sample => ({
  t: 1_000_000 + i * 1000,
  connections: 0,
  p99: null,
  latencyCount: 0,
  errorsTotal: 0,
  errorsByCode: {},
  ...over,
});

test('error rate: errors per second over the lookback, with the codes behind them', () => {
  const samples = [sample(0, { errorsTotal: 5, errorsByCode: { INVALID_JSON: 5 } }), sample(1), sample(2), sample(3), sample(4)];
  samples[4] = sample(4, { errorsTotal: 45, errorsByCode: { INVALID_JSON: 35, UNAUTHORIZED: 10 } });
  const r = errorRate(samples);
  assert.equal(r.count, 40);
  assert.equal(r.perSecond, 10);
  assert.deepEqual(r.codes, [
    ['INVALID_JSON', 30],
    ['UNAUTHORIZED', 10],
  ]);
  const v = evaluate(rule('error-rate', 2), samples);
  assert.equal(v.firing, true);
  assert.match(v.detail, /INVALID_JSON 30, UNAUTHORIZED 10/);
  assert.equal(evaluate(rule('error-rate', 20), samples).firing, false);
});

test('error rate: a broker restart (totals going back to 0) is not a negative rate', () => {
  const v = evaluate(rule('error-rate', 2), [sample(0, { errorsTotal: 500 }), sample(1, { errorsTotal: 3 })]);
  assert.equal(v.firing, false);
  assert.equal(v.value, 0);
});

test('delivery p99: fires over budget, only with enough deliveries behind it', () => {
  assert.equal(evaluate(rule('delivery-p99', 250), [sample(0, { p99: 400, latencyCount: 100 })]).firing, true);
  assert.equal(evaluate(rule('delivery-p99', 250), [sample(0, { p99: 200, latencyCount: 100 })]).firing, false);
  assert.equal(evaluate(rule('delivery-p99', 250), [sample(0, { p99: 400, latencyCount: 3 })]).firing, false);
  assert.equal(evaluate(rule('delivery-p99', 250), [sample(0)]).firing, false);
});

test('connection drop: a sharp fall from a real peak fires; small numbers never do', () => {
  const fall = [sample(0, { connections: 200 }), sample(1, { connections: 210 }), sample(2, { connections: 40 })];
  const v = evaluate(rule('connection-drop', 50), fall);
  assert.equal(v.firing, true);
  assert.equal(v.value, 81);
  assert.equal(evaluate(rule('connection-drop', 50), [sample(0, { connections: 200 }), sample(1, { connections: 150 })]).firing, false);
  assert.equal(evaluate(rule('connection-drop', 50), [sample(0, { connections: 6 }), sample(1, { connections: 0 })]).firing, false);
});

test('seq window: keeps the newest points by seq, once each, in order, whatever the arrival order', () => {
  const w = new SeqWindow<string>(5);
  for (const seq of [3, 4, 5]) w.add(seq, `live-${seq}`);
  // A backfill overlapping the live stream and filling a hole before it.
  for (const seq of [1, 2, 3, 4]) w.add(seq, `history-${seq}`);
  assert.deepEqual(
    w.points().map((p) => p.seq),
    [1, 2, 3, 4, 5],
  );
  assert.equal(w.points()[2]!.value, 'live-3'); // the first copy wins: no duplicate
  w.add(7, 'live-7');
  w.add(6, 'late-6');
  assert.deepEqual(
    w.points().map((p) => p.seq),
    [3, 4, 5, 6, 7],
  );
  assert.equal(w.add(1, 'too-old'), false); // older than a full window
  assert.equal(w.last()?.seq, 7);
});
