/** The broker's webhook deliveries and failures (from its statistics): how the app servers are being told. */
import type { WebhookFigures } from '../shared/types.ts';
import { clock, num } from './format.ts';

export function WebhookPanel({ figures }: { figures: WebhookFigures | null }) {
  const w = figures;
  const trouble = w !== null && (w.dropped > 0 || w.expired > 0);
  return (
    <section
      className="card"
      data-testid="webhooks"
      data-delivered={w?.delivered ?? ''}
      data-deliveries={w?.deliveries ?? ''}
      data-failures={w?.failures ?? ''}
      data-pending={w?.pending ?? ''}
    >
      <header>
        <h3>Webhooks</h3>
        <span className="muted small">since start</span>
      </header>
      {w === null ? (
        <p className="muted empty">This broker reports no webhooks.</p>
      ) : (
        <>
          <ul className="codes">
            <li>
              <span className="muted">events delivered</span>
              <span>{num(w.delivered)}</span>
            </li>
            <li>
              <span className="muted">POSTs ok / failed</span>
              <span className={w.failures > 0 ? 'warn-text' : ''}>
                {num(w.deliveries)} / {num(w.failures)}
              </span>
            </li>
            <li>
              <span className="muted">waiting (retrying)</span>
              <span>{num(w.pending)}</span>
            </li>
            <li>
              <span className="muted">dropped / expired</span>
              <span className={trouble ? 'bad-text' : ''}>
                {num(w.dropped)} / {num(w.expired)}
              </span>
            </li>
          </ul>
          {w.lastFailure !== null && (
            <p className="muted small last-failure" data-testid="webhook-last-failure" title={w.lastFailure.url}>
              last failure {clock(w.lastFailure.at)}: {w.lastFailure.error} ({w.lastFailure.url})
            </p>
          )}
        </>
      )}
    </section>
  );
}
