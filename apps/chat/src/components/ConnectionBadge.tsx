/** The socket's state, always visible. */
import { usePushFlo } from '@pushflodev/sdk/react';

const LABEL = { connected: 'Connected', connecting: 'Connecting…', disconnected: 'Reconnecting…', error: 'Offline' } as const;

export function ConnectionBadge() {
  const { connectionState, connect } = usePushFlo();
  return (
    <span className={`conn ${connectionState}`} data-testid="connection" data-state={connectionState} title={`Real-time connection: ${connectionState}`}>
      <span className="pulse" />
      {LABEL[connectionState]}
      {connectionState === 'error' && (
        <button className="link" onClick={() => void connect().catch(() => undefined)}>
          Retry
        </button>
      )}
    </span>
  );
}
