/** The socket's state, always visible, and the transport it runs on (SSE where WebSockets are blocked). */
import { usePushFlo } from '@pushflodev/sdk/react';

const LABEL = { connected: 'Connected', connecting: 'Connecting…', disconnected: 'Reconnecting…', error: 'Offline' } as const;
const TRANSPORT = { websocket: 'WebSocket', sse: 'SSE' } as const;

export function ConnectionBadge() {
  const { connectionState, transport, connect } = usePushFlo();
  const via = transport === null ? '' : ` over ${TRANSPORT[transport]}`;
  return (
    <span
      className={`conn ${connectionState}`}
      data-testid="connection"
      data-state={connectionState}
      data-transport={transport ?? ''}
      title={`Real-time connection: ${connectionState}${via}`}
    >
      <span className="pulse" />
      {LABEL[connectionState]}
      {transport !== null && (
        <span className="transport" data-testid="transport">
          · {TRANSPORT[transport]}
        </span>
      )}
      {connectionState === 'error' && (
        <button className="link" onClick={() => void connect().catch(() => undefined)}>
          Retry
        </button>
      )}
    </span>
  );
}
