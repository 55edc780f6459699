/**
 * The broker-metrics function: reads the broker's statistics, publishes a
 * `metrics-update` to `dashboard:company-1`, evaluates the alert rules and
 * publishes `alert-triggered` when one starts firing. Run once per tick by
 * schedule.ts.
 */
import { randomUUID } from 'node:crypto';
import { channelFor, EVENT_ALERT, EVENT_METRICS, type Alert, type BrokerMetrics } from '../shared/types.ts';
import { pushflo, readBrokerStats, type BrokerStats } from './pushflo.ts';
import { errorRate, evaluate, LOOKBACK_MS, type Sample } from './rules.ts';
import { markAlertPublished, recordAlert, rules, setFiring, unpublishedAlerts } from './repo.ts';

export const BROKER_COMPANY = '1';

/** A firing rule resolves only after its condition has been clear this long (no alert storm from a flapping figure). */
export const RESOLVE_AFTER_MS = 10_000;

function toSample(s: BrokerStats): Sample {
  return {
    t: s.at,
    connections: s.connections,
    p99: s.latency.recent.p99,
    latencyCount: s.latency.recent.count,
    errorsTotal: s.errors.total,
    errorsByCode: s.errors.byCode,
  };
}

export function toMetrics(s: BrokerStats, samples: readonly Sample[]): BrokerMetrics {
  return {
    kind: 'broker',
    t: s.at,
    connections: s.connections,
    subscriptions: s.subscriptions,
    publishedPerSec: s.messages.published.perSecond,
    deliveredPerSec: s.messages.delivered.perSecond,
    errorsPerSec: Math.round(errorRate(samples).perSecond * 10) / 10,
    p50: s.latency.recent.p50,
    p95: s.latency.recent.p95,
    p99: s.latency.recent.p99,
    errorsByCode: s.errors.byCode,
    topChannels: s.topChannels
      .filter((c) => c.recent > 0)
      .slice(0, 6)
      .map((c) => ({ channel: c.channel, recent: c.recent })),
    webhooks: s.webhooks ?? null,
  };
}

export class BrokerCollector {
  private readonly samples: Sample[] = [];
  /** Rule id → broker time its condition was first seen clear while the rule was firing. */
  private readonly clearSince = new Map<string, number>();

  async tick(): Promise<void> {
    const stats = await readBrokerStats();
    this.samples.push(toSample(stats));
    // Keep what the rules look back over (plus the sample just before it).
    while (this.samples.length > 2 && this.samples[1]!.t < stats.at - LOOKBACK_MS) this.samples.shift();
    const channel = channelFor(BROKER_COMPANY);
    await pushflo.publish(channel, { ...toMetrics(stats, this.samples) }, { eventType: EVENT_METRICS });

    for (const rule of rules(BROKER_COMPANY)) {
      const verdict = evaluate(rule, this.samples);
      if (verdict.firing && !rule.firing) {
        const alert: Alert = {
          id: `alert_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
          companyId: BROKER_COMPANY,
          ruleId: rule.id,
          severity: rule.severity,
          title: rule.label,
          detail: verdict.detail,
          value: verdict.value,
          threshold: rule.threshold,
          at: stats.at,
        };
        recordAlert(alert);
      } else if (!verdict.firing && rule.firing) {
        const since = this.clearSince.get(rule.id) ?? stats.at;
        this.clearSince.set(rule.id, since);
        if (stats.at - since >= RESOLVE_AFTER_MS) {
          setFiring(rule.id, false);
          this.clearSince.delete(rule.id);
        }
      }
      if (verdict.firing) this.clearSince.delete(rule.id);
    }
    await publishPendingAlerts();
  }
}

/** Publishes stored alerts not yet accepted by the broker; the alert id is the idempotency key, so a retry never doubles one. */
async function publishPendingAlerts(): Promise<void> {
  for (const alert of unpublishedAlerts()) {
    const result = await pushflo.publish(channelFor(alert.companyId), { ...alert }, { eventType: EVENT_ALERT, idempotencyKey: alert.id });
    markAlertPublished(alert.id, result.seq ?? 0);
  }
}
