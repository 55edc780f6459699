/** Fired alerts, newest first (live and backfilled from history). */
import type { Alert, SeqPoint } from '../shared/types.ts';
import { clock } from './format.ts';

export function AlertFeed({ alerts }: { alerts: Array<SeqPoint<Alert>> }) {
  return (
    <section className="card feed">
      <header>
        <h3>Alerts</h3>
        <span className="muted small" data-testid="alert-count">
          {alerts.length === 0 ? 'all quiet' : `${alerts.length} fired`}
        </span>
      </header>
      {alerts.length === 0 ? (
        <p className="muted empty">No alerts. Rules are checked every second.</p>
      ) : (
        <ol>
          {alerts.map(({ seq, value: a }) => (
            <li key={seq} className={`alert ${a.severity}`} data-testid="alert" data-rule={a.ruleId} data-alert-id={a.id}>
              <div className="alert-head">
                <span className={`sev ${a.severity}`}>{a.severity}</span>
                <strong>{a.title}</strong>
                <time className="muted small">{clock(a.at)}</time>
              </div>
              <p className="small">{a.detail}</p>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
