/**
 * Simulated businesses (`dashboard:company-2`, `-3`): each tick draws the
 * orders placed in that second (a Poisson draw around the company's typical
 * rate, with a slow daily-ish wave), stores them in SQLite and publishes the
 * company's `metrics-update`. Shows the multi-tenant `company-{id}` layout
 * with data that is not the broker's.
 */
import { channelFor, EVENT_METRICS, type BusinessMetrics } from '../shared/types.ts';
import { config } from './config.ts';
import { pushflo } from './pushflo.ts';
import { businesses, businessTotals, recordBusinessTick } from './repo.ts';

/** A Poisson-distributed count with mean `lambda` (Knuth; lambda is small here). */
function poisson(lambda: number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = Math.random();
  while (p > limit) {
    k++;
    p *= Math.random();
  }
  return k;
}

export async function businessTick(now: number): Promise<void> {
  const perTick = config.tickMs / 60_000;
  for (const company of businesses()) {
    const wave = 1 + 0.35 * Math.sin((2 * Math.PI * now) / 600_000 + Number(company.id));
    const orders = poisson(company.baseOrdersPerMin * wave * perTick);
    let revenue = 0;
    for (let i = 0; i < orders; i++) revenue += Math.round(company.avgOrderCents * (0.4 + Math.random() * 1.2));
    recordBusinessTick(company.id, now, orders, revenue);
    const totals = businessTotals(company.id, now, 60_000);
    const scale = totals.ticks === 0 ? 0 : 60_000 / (totals.ticks * config.tickMs);
    const metrics: BusinessMetrics = {
      kind: 'business',
      t: now,
      ordersPerMin: Math.round(totals.orders * scale * 10) / 10,
      revenuePerMinCents: Math.round(totals.revenueCents * scale),
      ordersToday: totals.ordersToday,
      revenueTodayCents: totals.revenueTodayCents,
    };
    await pushflo.publish(channelFor(company.id), { ...metrics }, { eventType: EVENT_METRICS });
  }
}
