/** Reads and writes of the app's tables (see db.ts for the schema). */
import type { Alert, AlertRule, Company, Severity } from '../shared/types.ts';
import { database } from './db.ts';

export interface BusinessCompany extends Company {
  baseOrdersPerMin: number;
  avgOrderCents: number;
}

export function companies(): Company[] {
  return database()
    .prepare('SELECT id, name, kind FROM companies ORDER BY id')
    .all()
    .map((r) => ({ id: String(r.id), name: String(r.name), kind: r.kind === 'broker' ? 'broker' : 'business' }));
}

export function businesses(): BusinessCompany[] {
  return database()
    .prepare("SELECT id, name, base_orders_per_min, avg_order_cents FROM companies WHERE kind = 'business' ORDER BY id")
    .all()
    .map((r) => ({
      id: String(r.id),
      name: String(r.name),
      kind: 'business',
      baseOrdersPerMin: Number(r.base_orders_per_min),
      avgOrderCents: Number(r.avg_order_cents),
    }));
}

export function rules(companyId?: string): AlertRule[] {
  const rows =
    companyId === undefined
      ? database().prepare('SELECT * FROM alert_rules ORDER BY company_id, id').all()
      : database().prepare('SELECT * FROM alert_rules WHERE company_id = ? ORDER BY id').all(companyId);
  return rows.map((r) => ({
    id: String(r.id),
    companyId: String(r.company_id),
    kind: r.kind as AlertRule['kind'],
    label: String(r.label),
    threshold: Number(r.threshold),
    unit: String(r.unit),
    severity: r.severity as Severity,
    firing: Number(r.firing) === 1,
  }));
}

export function setFiring(ruleId: string, firing: boolean): void {
  database()
    .prepare('UPDATE alert_rules SET firing = ? WHERE id = ?')
    .run(firing ? 1 : 0, ruleId);
}

/** Stores a fired alert and marks its rule as firing, in one transaction. */
export function recordAlert(alert: Alert): void {
  const d = database();
  d.exec('BEGIN');
  try {
    d.prepare(
      'INSERT INTO alerts (id, company_id, rule_id, severity, title, detail, value, threshold, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(alert.id, alert.companyId, alert.ruleId, alert.severity, alert.title, alert.detail, alert.value, alert.threshold, alert.at);
    d.prepare('UPDATE alert_rules SET firing = 1 WHERE id = ?').run(alert.ruleId);
    d.exec('COMMIT');
  } catch (err) {
    d.exec('ROLLBACK');
    throw err;
  }
}

export function markAlertPublished(id: string, seq: number): void {
  database().prepare('UPDATE alerts SET published_seq = ? WHERE id = ?').run(seq, id);
}

/** Fired alerts whose publish has not been accepted yet (retried on the next tick). */
export function unpublishedAlerts(): Alert[] {
  return database()
    .prepare('SELECT * FROM alerts WHERE published_seq IS NULL ORDER BY at LIMIT 20')
    .all()
    .map((r) => ({
      id: String(r.id),
      companyId: String(r.company_id),
      ruleId: String(r.rule_id),
      severity: r.severity as Severity,
      title: String(r.title),
      detail: String(r.detail),
      value: Number(r.value),
      threshold: Number(r.threshold),
      at: Number(r.at),
    }));
}

/** One simulated second of a business; keeps the last hour. */
export function recordBusinessTick(companyId: string, t: number, orders: number, revenueCents: number): void {
  const d = database();
  d.prepare('INSERT OR REPLACE INTO business_ticks (company_id, t, orders, revenue_cents) VALUES (?, ?, ?, ?)').run(
    companyId,
    t,
    orders,
    revenueCents,
  );
  d.prepare('DELETE FROM business_ticks WHERE company_id = ? AND t < ?').run(companyId, t - 3_600_000);
}

/** Orders and revenue over the last `ms`, and since midnight (local time of the server). */
export function businessTotals(
  companyId: string,
  now: number,
  ms: number,
): { ticks: number; orders: number; revenueCents: number; ordersToday: number; revenueTodayCents: number } {
  const d = database();
  const recent = d
    .prepare(
      'SELECT COUNT(*) AS n, COALESCE(SUM(orders), 0) AS o, COALESCE(SUM(revenue_cents), 0) AS r FROM business_ticks WHERE company_id = ? AND t > ?',
    )
    .get(companyId, now - ms) as { n: number; o: number; r: number };
  const midnight = new Date(now);
  midnight.setHours(0, 0, 0, 0);
  const today = d
    .prepare(
      'SELECT COALESCE(SUM(orders), 0) AS o, COALESCE(SUM(revenue_cents), 0) AS r FROM business_ticks WHERE company_id = ? AND t >= ?',
    )
    .get(companyId, midnight.getTime()) as { o: number; r: number };
  return {
    ticks: Number(recent.n),
    orders: Number(recent.o),
    revenueCents: Number(recent.r),
    ordersToday: Number(today.o),
    revenueTodayCents: Number(today.r),
  };
}
