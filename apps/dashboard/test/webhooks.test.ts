/** The broker's webhook figures reach the dashboard's metrics (node --test, no broker needed). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toMetrics } from '../server/collector.ts';
import type { BrokerStats } from '../server/pushflo.ts';

const stats = (over: Partial<BrokerStats> = {}): BrokerStats => ({
  at: 1_000_000,
  connections: 3,
  subscriptions: 4,
  messages: { published: { total: 10, perSecond: 1 }, delivered: { total: 20, perSecond: 2 } },
  latency: { windowSeconds: 10, recent: { count: 5, p50: 2, p95: 5, p99: 8 } },
  errors: { total: 0, perSecond: 0, byCode: {} },
  topChannels: [],
  ...over,
});

test('webhook deliveries and failures are carried into metrics-update as the broker reports them', () => {
  const webhooks = {
    delivered: 40,
    deliveries: 12,
    failures: 3,
    dropped: 0,
    expired: 1,
    pending: 2,
    lastFailure: { at: 999_000, url: 'http://127.0.0.1:3003/api/webhooks', error: 'HTTP 503' },
  };
  assert.deepEqual(toMetrics(stats({ webhooks }), []).webhooks, webhooks);
});

test('a broker without webhooks (an older one) gives null, not zeros', () => {
  assert.equal(toMetrics(stats(), []).webhooks, null);
});
