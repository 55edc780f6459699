import type { ConnectionState } from '@pushflodev/sdk/react';

const LABELS: Record<ConnectionState, string> = {
  connected: 'Live',
  connecting: 'Connecting…',
  disconnected: 'Reconnecting…',
  error: 'Offline',
};

/** The socket's state, always visible and a live region (screen readers hear it change), with Retry once the client gave up. */
export function ConnectionBadge({ state, onRetry }: { state: ConnectionState; onRetry: () => void }) {
  return (
    <span className="connection-box">
      <span
        className="connection"
        role="status"
        aria-live="polite"
        data-testid="connection"
        data-state={state}
        title={`connection: ${state}`}
      >
        <span className="dot" aria-hidden="true" />
        {LABELS[state]}
      </span>
      {state === 'error' && (
        <button type="button" className="retry" data-testid="retry-connection" onClick={onRetry}>
          Retry
        </button>
      )}
    </span>
  );
}
