/** The socket's state, visible at all times. */
import { usePushFlo } from '@pushflodev/sdk/react';

const LABEL = { connected: 'Live', connecting: 'Connecting…', disconnected: 'Reconnecting…', error: 'Offline' } as const;

export function ConnectionBadge() {
  const { connectionState } = usePushFlo();
  return (
    <span className={`conn ${connectionState}`} data-testid="connection" data-state={connectionState}>
      <span className="pulse" />
      {LABEL[connectionState]}
    </span>
  );
}
