/**
 * What the server publishes and the browser reads: channel names, event
 * payloads and API answers. Shared by both sides (type-only, plus two tiny
 * helpers).
 */

/** Every company's dashboard channel. Company 1 is the operator: the broker's own metrics. */
export const channelFor = (companyId: string) => `dashboard:company-${companyId}`;

export const EVENT_METRICS = 'metrics-update';
export const EVENT_ALERT = 'alert-triggered';

/** The broker's own live figures, one point a second (`dashboard:company-1`). */
export interface BrokerMetrics {
  kind: 'broker';
  /** When the broker took the snapshot, ms since the epoch. */
  t: number;
  connections: number;
  subscriptions: number;
  /** Averaged by the broker over its last 5 complete seconds. */
  publishedPerSec: number;
  deliveredPerSec: number;
  /** Errors per second over the last 5 s (from the broker's error totals). */
  errorsPerSec: number;
  /** Delivery latency (publish accepted → frame sent), ms, over the broker's last 10 s; null with no deliveries. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Errors by code since the broker started counting. */
  errorsByCode: Record<string, number>;
  /** Busiest channels over the last 10 s (messages published + delivered). */
  topChannels: Array<{ channel: string; recent: number }>;
  /** The broker's webhook deliveries since it started counting; null from a broker without webhooks. */
  webhooks: WebhookFigures | null;
}

/** The broker's webhook figures (`webhooks` in `GET /api/v1/stats`): events, except deliveries/failures (POSTs). */
export interface WebhookFigures {
  /** Events acknowledged (2xx) by a webhook URL. */
  delivered: number;
  /** POSTs answered 2xx. */
  deliveries: number;
  /** POSTs that failed (non-2xx, network error, timeout); each is retried with backoff. */
  failures: number;
  /** Events dropped because a queue was full. */
  dropped: number;
  /** Events given up after the last retry. */
  expired: number;
  /** Events waiting to be sent now. */
  pending: number;
  lastFailure: { at: number; url: string; error: string } | null;
}

/** A simulated business's figures, one point a second (`dashboard:company-2`, `-3`). */
export interface BusinessMetrics {
  kind: 'business';
  t: number;
  ordersPerMin: number;
  revenuePerMinCents: number;
  /** Orders so far today (simulated, from SQLite). */
  ordersToday: number;
  revenueTodayCents: number;
}

export type MetricsUpdate = BrokerMetrics | BusinessMetrics;

export type Severity = 'warning' | 'critical';

/** `alert-triggered`: a rule went from fine to firing. */
export interface Alert {
  id: string;
  companyId: string;
  ruleId: string;
  severity: Severity;
  title: string;
  detail: string;
  value: number;
  threshold: number;
  at: number;
}

export interface Company {
  id: string;
  name: string;
  kind: 'broker' | 'business';
}

export interface AlertRule {
  id: string;
  companyId: string;
  kind: 'delivery-p99' | 'error-rate' | 'connection-drop';
  label: string;
  threshold: number;
  unit: string;
  severity: Severity;
  firing: boolean;
}

/** `GET /api/config`: what the browser learns at runtime (never baked into the build). */
export interface AppConfig {
  baseUrl: string;
  publishKey: string;
  companies: Company[];
  /** Points a chart holds. */
  windowPoints: number;
}

/** A point of a series: the message's seq on its channel, and its payload. */
export interface SeqPoint<T> {
  seq: number;
  value: T;
}

/** `GET /api/history`: recent points and alerts from the broker's history, oldest first. */
export interface HistoryAnswer {
  channel: string;
  points: Array<SeqPoint<MetricsUpdate>>;
  alerts: Array<SeqPoint<Alert>>;
}

/** Error answers: `{error, code}` with a stable code. */
export interface ErrorAnswer {
  error: string;
  code: string;
}
