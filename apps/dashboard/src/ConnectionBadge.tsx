/** The socket's state, visible at all times and a live region (screen readers hear it change), with Retry once the client gave up. */
import { usePushFlo } from '@pushflodev/sdk/react';

const LABEL = { connected: 'Live', connecting: 'Connecting…', disconnected: 'Reconnecting…', error: 'Offline' } as const;

export function ConnectionBadge() {
  const { connectionState, connect } = usePushFlo();
  return (
    <span className="conn-box">
      <span className={`conn ${connectionState}`} role="status" aria-live="polite" data-testid="connection" data-state={connectionState}>
        <span className="pulse" aria-hidden="true" />
        {LABEL[connectionState]}
      </span>
      {connectionState === 'error' && (
        <button type="button" className="retry" data-testid="retry-connection" onClick={() => void connect().catch(() => undefined)}>
          Retry
        </button>
      )}
    </span>
  );
}
