import type { ConnectionState } from '@pushflodev/sdk/react';

const LABELS: Record<ConnectionState, string> = {
  connected: 'Live',
  connecting: 'Connecting…',
  disconnected: 'Reconnecting…',
  error: 'Offline',
};

/** The socket's state, always visible. */
export function ConnectionBadge({ state }: { state: ConnectionState }) {
  return (
    <span className="connection" data-testid="connection" data-state={state} title={`connection: ${state}`}>
      <span className="dot" />
      {LABELS[state]}
    </span>
  );
}
