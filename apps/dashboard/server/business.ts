/**
 * Simulated businesses (`dashboard:company-2`, `-3`): each tick draws the
 * orders placed in it (a Poisson draw around the company's typical rate, with
 * a slow ten-minute wave), stores them in SQLite and publishes the company's
 * `metrics-update` with the rolling minute's orders and revenue. Shows the multi-tenant `company-{id}` layout
 * with data that is not the broker's.
 */
import { channelFor, EVENT_METRICS, type BusinessMetrics } from '../shared/types.ts';
import { config } from './config.ts';
import { pushflo } from './pushflo.ts';
import { businesses, businessTotals, recordBusinessTick, type BusinessCompany } from './repo.ts';

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

/** One tick's orders and revenue for a company at time `t`. */
function draw(company: BusinessCompany, t: number): { orders: number; revenueCents: number } {
  const wave = 1 + 0.35 * Math.sin((2 * Math.PI * t) / 600_000 + Number(company.id));
  const orders = poisson(company.baseOrdersPerMin * wave * (config.tickMs / 60_000));
  let revenueCents = 0;
  for (let i = 0; i < orders; i++) revenueCents += Math.round(company.avgOrderCents * (0.4 + Math.random() * 1.2));
  return { orders, revenueCents };
}

/** After a start (or a pause) the rolling minute would be nearly empty: fill it, so the rate is right from the first point. */
function warmStart(company: BusinessCompany, now: number): void {
  if (businessTotals(company.id, now, ROLLING_MS).ticks > 0) return;
  for (let t = now - ROLLING_MS + config.tickMs; t < now; t += config.tickMs) {
    const d = draw(company, t);
    recordBusinessTick(company.id, t, d.orders, d.revenueCents);
  }
}

/** Rates are over the last minute. */
const ROLLING_MS = 60_000;

export async function businessTick(now: number): Promise<void> {
  for (const company of businesses()) {
    warmStart(company, now);
    const d = draw(company, now);
    recordBusinessTick(company.id, now, d.orders, d.revenueCents);
    const totals = businessTotals(company.id, now, ROLLING_MS);
    const metrics: BusinessMetrics = {
      kind: 'business',
      t: now,
      ordersPerMin: totals.orders,
      revenuePerMinCents: totals.revenueCents,
      ordersToday: totals.ordersToday,
      revenueTodayCents: totals.revenueTodayCents,
    };
    await pushflo.publish(channelFor(company.id), { ...metrics }, { eventType: EVENT_METRICS });
  }
}
