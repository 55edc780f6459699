/**
 * The socket's state, always visible and a live region (screen readers hear it change), with Retry once the client gave up,
 * and the transport it runs on (SSE where WebSockets are blocked).
 */
import { usePushFlo } from '@pushflodev/sdk/react';

const LABEL = { connected: 'Connected', connecting: 'Connecting…', disconnected: 'Reconnecting…', error: 'Offline' } as const;
const TRANSPORT = { websocket: 'WebSocket', sse: 'SSE' } as const;

export function ConnectionBadge() {
  const { connectionState, transport, connect } = usePushFlo();
  const via = transport === null ? '' : ` over ${TRANSPORT[transport]}`;
  return (
    <span className="conn-box">
      <span
        className={`conn ${connectionState}`}
        role="status"
        aria-live="polite"
        data-testid="connection"
        data-state={connectionState}
        data-transport={transport ?? ''}
        title={`Real-time connection: ${connectionState}${via}`}
      >
        <span className="pulse" aria-hidden="true" />
        {LABEL[connectionState]}
        {transport !== null && (
          <span className="transport" data-testid="transport">
            · {TRANSPORT[transport]}
          </span>
        )}
      </span>
      {connectionState === 'error' && (
        <button type="button" className="link" data-testid="retry-connection" onClick={() => void connect().catch(() => undefined)}>
          Retry
        </button>
      )}
    </span>
  );
}
