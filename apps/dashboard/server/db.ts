/**
 * The app's embedded database: SQLite through Node's built-in `node:sqlite`,
 * in DASHBOARD_DB (default `.data/dashboard.db` in the app's folder).
 * Companies, alert rules, fired alerts and the simulated businesses' figures.
 * Schema and seed data are created on first open.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { config } from './config.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS companies (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('broker', 'business')),
  -- simulated businesses only: typical orders per minute and order value
  base_orders_per_min REAL,
  avg_order_cents INTEGER
);
CREATE TABLE IF NOT EXISTS alert_rules (
  id TEXT PRIMARY KEY,
  company_id TEXT NOT NULL REFERENCES companies(id),
  kind TEXT NOT NULL CHECK (kind IN ('delivery-p99', 'error-rate', 'connection-drop')),
  label TEXT NOT NULL,
  threshold REAL NOT NULL,
  unit TEXT NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('warning', 'critical')),
  -- 1 while the condition holds: an alert fires on the change from 0 to 1
  firing INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS alerts (
  id TEXT PRIMARY KEY,
  company_id TEXT NOT NULL REFERENCES companies(id),
  rule_id TEXT NOT NULL REFERENCES alert_rules(id),
  severity TEXT NOT NULL,
  title TEXT NOT NULL,
  detail TEXT NOT NULL,
  value REAL NOT NULL,
  threshold REAL NOT NULL,
  at INTEGER NOT NULL,
  -- set once the broker accepted the alert-triggered message
  published_seq INTEGER
);
CREATE TABLE IF NOT EXISTS business_ticks (
  company_id TEXT NOT NULL REFERENCES companies(id),
  t INTEGER NOT NULL,
  orders INTEGER NOT NULL,
  revenue_cents INTEGER NOT NULL,
  PRIMARY KEY (company_id, t)
);
CREATE INDEX IF NOT EXISTS alerts_by_company ON alerts (company_id, at);
`;

const SEED_COMPANIES: Array<[string, string, 'broker' | 'business', number | null, number | null]> = [
  ['1', 'Switchyard broker', 'broker', null, null],
  ['2', 'Northwind Coffee', 'business', 42, 1850],
  ['3', 'Globex Outdoor', 'business', 12, 8900],
];

/** [id, kind, label, threshold, unit, severity] for company 1 (the broker). */
const SEED_RULES: Array<[string, string, string, number, string, string]> = [
  ['p99-budget', 'delivery-p99', 'Delivery p99 over budget', 250, 'ms', 'critical'],
  ['error-rate', 'error-rate', 'Error rate over threshold', 2, 'errors/s', 'warning'],
  ['connection-drop', 'connection-drop', 'Connections dropped sharply', 50, '%', 'critical'],
];

let db: DatabaseSync | null = null;

export function database(): DatabaseSync {
  if (db !== null) return db;
  const path = resolve(config.dbPath);
  mkdirSync(dirname(path), { recursive: true });
  db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  db.exec(SCHEMA);
  const { n } = db.prepare('SELECT COUNT(*) AS n FROM companies').get() as { n: number };
  if (n === 0) seed(db);
  return db;
}

function seed(d: DatabaseSync): void {
  d.exec('BEGIN');
  for (const [id, name, kind, base, avg] of SEED_COMPANIES) {
    d.prepare('INSERT INTO companies (id, name, kind, base_orders_per_min, avg_order_cents) VALUES (?, ?, ?, ?, ?)').run(
      id,
      name,
      kind,
      base,
      avg,
    );
  }
  for (const [id, kind, label, threshold, unit, severity] of SEED_RULES) {
    d.prepare('INSERT INTO alert_rules (id, company_id, kind, label, threshold, unit, severity) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
      id,
      '1',
      kind,
      label,
      threshold,
      unit,
      severity,
    );
  }
  d.exec('COMMIT');
}
